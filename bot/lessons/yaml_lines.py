"""YAML read into plain values that remember their line, and field readers that say what is wrong.

Course files are checked for a lecturer, so every complaint points at a line: PyYAML's composer
gives each node its position, and this module keeps it next to the value.
"""

from __future__ import annotations

import difflib
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from typing import Any

import yaml

Complain = Callable[[int, str], None]
"""Called with (line, message) for each problem found; the caller knows the file."""


@dataclass(frozen=True)
class Located:
    """A YAML value and the line it is on: a mapping entry's line is its key's line.

    `value` is a str, int, float, bool, date or None for a scalar, a list of Located for a
    sequence, a dict of key -> Located for a mapping; `source` is a scalar as written.
    """

    value: Any
    line: int
    source: str | None = None

    @property
    def is_scalar(self) -> bool:
        return not isinstance(self.value, (list, dict))

    @property
    def is_list(self) -> bool:
        return isinstance(self.value, list)

    def text(self) -> str | None:
        """The scalar as text, None if it is not one (or is null).

        A plain `Yes` or `10` stays as written: YAML would read them as a bool and a number, which
        is never what a lecturer means in a title or an option.
        """
        if isinstance(self.value, str):
            return self.value
        if self.value is None or not self.is_scalar:
            return None
        return self.source


class YamlSyntaxError(Exception):
    """The text is not valid YAML; `line` is where PyYAML noticed."""

    def __init__(self, line: int, message: str) -> None:
        super().__init__(message)
        self.line = line
        self.message = message


@dataclass(frozen=True)
class ParsedYaml:
    root: Located | None  # None for an empty document
    duplicates: list[tuple[int, str]]  # (line, message) for each key given twice


def parse_yaml(text: str, first_line: int = 1) -> ParsedYaml:
    """Parse one YAML document whose first line is line `first_line` of its file.

    Raises YamlSyntaxError with the file's line number when the text is not valid YAML.
    """
    loader = yaml.SafeLoader(text)
    builder = _Builder(loader, first_line)
    try:
        node = loader.get_single_node()
        root = builder.build(node, None) if node is not None else None
    except yaml.MarkedYAMLError as error:
        mark = error.problem_mark or error.context_mark
        line = mark.line + first_line if mark is not None else first_line
        problem = error.problem or error.context or "not valid YAML"
        start = error.context_mark
        if error.problem and error.context and start is not None and start is not mark:
            # e.g. an unclosed quote: PyYAML notices at the end, the lecturer needs the start
            problem += f" ({error.context} from line {start.line + first_line})"
        raise YamlSyntaxError(line, f"YAML syntax error: {problem}; {_HINT}") from error
    except yaml.YAMLError as error:
        raise YamlSyntaxError(first_line, f"YAML syntax error: {error}; {_HINT}") from error
    finally:
        loader.dispose()
    return ParsedYaml(root, builder.duplicates)


_HINT = "check the indentation (spaces, not tabs) and quote text holding ': ' or ' #'"


class _Builder:
    def __init__(self, loader: yaml.SafeLoader, first_line: int) -> None:
        self.loader = loader
        self.offset = first_line
        self.duplicates: list[tuple[int, str]] = []
        self.active: set[int] = set()  # nodes being built, to refuse an alias that contains itself

    def line(self, node: yaml.Node) -> int:
        return node.start_mark.line + self.offset

    def build(self, node: yaml.Node, line: int | None) -> Located:
        at = self.line(node) if line is None else line
        if isinstance(node, yaml.ScalarNode):
            try:
                value = self.loader.construct_object(node)
            except ValueError:  # looks like a date or number but is not one, e.g. 2026-13-01
                value = node.value
            return Located(value, at, node.value)
        if id(node) in self.active:
            raise YamlSyntaxError(at, "YAML syntax error: an alias refers to itself")
        self.active.add(id(node))
        try:
            if isinstance(node, yaml.SequenceNode):
                return Located([self.build(item, None) for item in node.value], at)
            entries: dict[str, Located] = {}
            for key_node, value_node in node.value:
                key = key_node.value if isinstance(key_node, yaml.ScalarNode) else "?"
                key_line = self.line(key_node)
                if key in entries:
                    self.duplicates.append(
                        (key_line, f"'{key}' is given twice (also on line {entries[key].line})")
                    )
                    continue
                entries[key] = self.build(value_node, key_line)
            return Located(entries, at)
        finally:
            self.active.discard(id(node))


# Field readers: each reports what is wrong through `complain` and returns None then.


def unknown_keys(
    entries: dict[str, Located], allowed: Sequence[str], complain: Complain, where: str = ""
) -> None:
    """Complain about every key not in `allowed`, suggesting the closest one (a typo is likely)."""
    for key, entry in entries.items():
        if key in allowed:
            continue
        close = difflib.get_close_matches(key, allowed, n=1)
        hint = f"did you mean '{close[0]}'?" if close else f"use {', '.join(allowed)}"
        complain(entry.line, f"{where}unknown key '{key}': {hint}")


def read_text(
    entries: dict[str, Located],
    key: str,
    missing_line: int,
    complain: Complain,
    where: str = "",
) -> str | None:
    """The non-empty text under `key`, stripped; None (and a complaint) otherwise."""
    entry = entries.get(key)
    if entry is None:
        complain(missing_line, f"{where}missing '{key}': add it")
        return None
    return entry_text(entry, f"'{key}'", complain, where)


def entry_text(entry: Located, name: str, complain: Complain, where: str = "") -> str | None:
    """The non-empty text of `entry` (called `name` in messages), stripped."""
    text = entry.text()
    if text is None and entry.is_scalar:
        text = ""  # `title:` with nothing after it is an empty title, not a structure
    if text is None:
        complain(entry.line, f"{where}{name} must be text")
        return None
    if not text.strip():
        complain(entry.line, f"{where}{name} is empty: write it")
        return None
    return text.strip()


def whole_number(entry: Located) -> int | None:
    """The entry's value if it is a whole number (YAML's `yes` is not one)."""
    value = entry.value
    return value if isinstance(value, int) and not isinstance(value, bool) else None

"""A course's approved message templates (`whatsapp.yaml` beside `course.yaml`): what WhatsApp
sends in place of a scheduled message to someone who has not written for 23 hours.

Per scheduled purpose (`bot.core.messages.Purpose` but `answer`) and per language (zh, es, en):
the template's name and Meta's language code (what a deployer registered in WhatsApp Manager),
which details fill its {{1}}, {{2}}, ... (`Detail`: the person's name, the lesson's title, ...),
the body text as submitted for approval (docs/whatsapp-templates.md) and its quick-reply
button's label. The format is in docs/content-format.md.

Interface:
- `load_templates(path, languages, complain) -> CourseTemplates` (`bot.lessons.content` calls it
  when the file exists; every problem is reported with its line, and the course does not load).
- `CourseTemplates.find(purpose, language) -> Template | None` and `missing(languages)`.
- `Template.parameters_for(topic) -> tuple[str, ...]`: the body's parameters, each made one
  line and cut to its limit, so the sent body stays within Meta's 1,024 characters.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from pathlib import Path
from typing import Generic, TypeVar

from bot.config import LANGUAGES
from bot.core.messages import DETAILS, Detail, Purpose, Topic
from bot.lessons.yaml_lines import (
    Complain,
    Located,
    YamlSyntaxError,
    entry_text,
    parse_yaml,
    unknown_keys,
)

FILE_NAME = "whatsapp.yaml"
SCHEDULED = tuple(purpose for purpose in Purpose if purpose is not Purpose.answer)
TEMPLATE_KEYS = ("name", "parameters", "languages")
LANGUAGE_KEYS = ("code", "body", "button")
# Meta: a template name is lowercase letters, digits and underscores, at most 512 characters.
NAME = re.compile(r"[a-z0-9_]{1,512}")
# Meta's language codes: "en", "es_MX", "zh_CN" (the part before "_" is our language).
CODE = re.compile(r"(?P<language>[a-z]{2,3})(_[A-Z]{2})?")
BODY_LIMIT = 1024  # characters of the body as sent, parameters filled in
BUTTON_LIMIT = 25  # characters of a quick-reply button's label
PLACEHOLDER = re.compile(r"\{\{\s*(\d+)\s*\}\}")
AT_END = re.compile(r"\{\{\s*\d+\s*\}\}$")
# The longest each detail may be when sent (longer ones are cut at a word, with "…").
LIMITS = {
    Detail.name: 40,
    Detail.lesson: 80,
    Detail.number: 6,
    Detail.cohort: 40,
    Detail.asker: 40,
    Detail.first_line: 120,
}
EMPTY = "—"  # Meta refuses an empty parameter
T = TypeVar("T")


@dataclass(frozen=True)
class Template:
    """One approved template in one language."""

    purpose: Purpose
    name: str
    language: str  # ours: zh, es, en
    code: str  # Meta's: zh_CN, es_MX, en
    details: tuple[Detail, ...]  # what fills {{1}}, {{2}}, ... in order
    body: str
    button: str

    def parameters_for(self, topic: Topic | None) -> tuple[str, ...]:
        """The text of each parameter for a message about `topic`: on one line (Meta refuses
        new lines, tabs and runs of spaces in a parameter), cut to its limit, never empty."""
        return tuple(
            one_line(topic.detail(detail) if topic else "", LIMITS[detail])
            for detail in self.details
        )


@dataclass(frozen=True)
class TemplateBook(Generic[T]):
    """A course's templates of one channel by purpose and language; empty for a course without
    the file."""

    templates: dict[tuple[Purpose, str], T] = field(default_factory=dict)
    source: Path | None = None

    def find(self, purpose: Purpose, language: str) -> T | None:
        return self.templates.get((purpose, language))

    def missing(self, languages: tuple[str, ...]) -> list[tuple[Purpose, str]]:
        """The purposes and languages of the course that have no template, in order."""
        return [
            (purpose, language)
            for purpose in SCHEDULED
            for language in languages
            if (purpose, language) not in self.templates
        ]


CourseTemplates = TemplateBook[Template]


def read_purposes(path: Path, complain: Complain) -> dict[str, Located] | None:
    """The purposes a channel's template file (whatsapp.yaml, wechat.yaml) lists, each with its
    line; None (and the problem complained) when the file cannot be read or is not such a map.
    A purpose the bot does not know is complained about and left in."""
    try:
        text = path.read_text(encoding="utf-8-sig")
    except (OSError, UnicodeDecodeError) as error:
        complain(0, f"cannot read the file as UTF-8 text: {error}")
        return None
    try:
        parsed = parse_yaml(text.replace("\r\n", "\n"))
    except YamlSyntaxError as error:
        complain(error.line, error.message)
        return None
    for line, message in parsed.duplicates:
        complain(line, message)
    if parsed.root is None or not isinstance(parsed.root.value, dict):
        complain(1, f"{path.name} must list purposes: reminder:, nudge:, lesson:, ...")
        return None
    entries: dict[str, Located] = parsed.root.value
    unknown_keys(entries, [p.value for p in SCHEDULED], complain)
    return entries


def one_line(text: str, limit: int) -> str:
    """`text` on one line, spaces collapsed, cut at a word to `limit` characters ("…" at the
    end); the dash when nothing is left."""
    flat = " ".join(text.split())
    if len(flat) > limit:
        cut = flat[: limit - 1]
        space = cut.rfind(" ")
        flat = (cut[:space] if space > limit // 2 else cut).rstrip(" ,.;:，。") + "…"
    return flat or EMPTY


def load_templates(path: Path, languages: tuple[str, ...], complain: Complain) -> CourseTemplates:
    """Read and check `path` (a course's whatsapp.yaml) for a course in `languages`; every
    problem goes to `complain(line, message)`."""
    entries = read_purposes(path, complain)
    if entries is None:
        return CourseTemplates(source=path)
    found: dict[tuple[Purpose, str], Template] = {}
    names: dict[str, Purpose] = {}
    for purpose in SCHEDULED:
        entry = entries.get(purpose.value)
        if entry is None:
            continue
        templates = _read_purpose(purpose, entry, languages, complain)
        if templates:
            name = templates[0].name
            other = names.setdefault(name, purpose)
            if other is not purpose:  # its parameters and button mean something else
                complain(entry.line, f"{purpose}: template '{name}' is already {other}'s")
                continue
        for template in templates:
            found[(purpose, template.language)] = template
    return CourseTemplates(found, path)


def _read_purpose(
    purpose: Purpose, entry: Located, languages: tuple[str, ...], complain: Complain
) -> list[Template]:
    where = f"{purpose}: "
    if not isinstance(entry.value, dict):
        complain(entry.line, f"{where}must have name:, parameters: and languages:")
        return []
    fields: dict[str, Located] = entry.value
    unknown_keys(fields, TEMPLATE_KEYS, complain, where)
    name = _name(fields.get("name"), entry.line, where, complain)
    details = _details(purpose, fields.get("parameters"), entry.line, where, complain)
    by_language = fields.get("languages")
    if by_language is None:
        complain(entry.line, f"{where}missing 'languages': give code:, body: and button: each")
        return []
    if not isinstance(by_language.value, dict) or not by_language.value:
        complain(by_language.line, f"{where}'languages' must have one entry per language")
        return []
    templates = []
    for language, item in by_language.value.items():
        at = f"{purpose} in {language}: "
        if language not in LANGUAGES:
            complain(item.line, f"{at}unknown language: use {', '.join(LANGUAGES)}")
            continue
        if languages and language not in languages:
            complain(item.line, f"{at}the course is not in this language: delete it")
            continue
        read = _read_language(item, language, details, at, complain)
        if read is not None and name is not None and details is not None:
            code, body, button = read
            templates.append(Template(purpose, name, language, code, details, body, button))
    return templates


def _name(entry: Located | None, line: int, where: str, complain: Complain) -> str | None:
    if entry is None:
        complain(line, f"{where}missing 'name': the template's name in WhatsApp Manager")
        return None
    name = entry_text(entry, "'name'", complain, where)
    if name is not None and not NAME.fullmatch(name):
        complain(
            entry.line,
            f"{where}template name '{name}' must be lowercase letters, digits and underscores",
        )
        return None
    return name


def _details(
    purpose: Purpose, entry: Located | None, line: int, where: str, complain: Complain
) -> tuple[Detail, ...] | None:
    offered = DETAILS[purpose]
    choices = ", ".join(detail.value for detail in offered)
    if entry is None:
        complain(line, f"{where}missing 'parameters': list what fills {{{{1}}}}, ... ({choices})")
        return None
    if not entry.is_list:
        complain(entry.line, f"{where}'parameters' must be a list such as [name] ({choices})")
        return None
    details: list[Detail] = []
    for item in entry.value:
        text = item.text() or ""
        if text not in {detail.value for detail in offered}:
            complain(item.line, f"{where}unknown parameter '{text}': a {purpose} has {choices}")
            return None
        details.append(Detail(text))
    return tuple(details)


def _read_language(
    item: Located,
    language: str,
    details: tuple[Detail, ...] | None,
    where: str,
    complain: Complain,
) -> tuple[str, str, str] | None:
    if not isinstance(item.value, dict):
        complain(item.line, f"{where}must have code:, body: and button:")
        return None
    fields: dict[str, Located] = item.value
    unknown_keys(fields, LANGUAGE_KEYS, complain, where)
    values = {}
    for key in LANGUAGE_KEYS:
        if key not in fields:
            complain(item.line, f"{where}missing '{key}': add it")
            continue
        values[key] = entry_text(fields[key], f"'{key}'", complain, where)
    code, body, button = values.get("code"), values.get("body"), values.get("button")
    ok = None not in (code, body, button)
    if code is not None:
        match = CODE.fullmatch(code)
        if match is None or match["language"] != language:
            complain(
                fields["code"].line,
                f"{where}code '{code}' is not Meta's code for {language} (e.g. es_MX, zh_CN, en)",
            )
            ok = False
    if button is not None and len(button) > BUTTON_LIMIT:
        complain(
            fields["button"].line,
            f"{where}button is {len(button)} characters; WhatsApp allows {BUTTON_LIMIT}",
        )
        ok = False
    if body is not None and details is not None:
        ok = _check_body(body, details, fields["body"].line, where, complain) and ok
    if not ok:
        return None
    assert code is not None and body is not None and button is not None
    return code, body, button


def _check_body(
    body: str, details: tuple[Detail, ...], line: int, where: str, complain: Complain
) -> bool:
    """Meta's rules for a body: {{1}} to {{n}}, each once, for the n parameters; not at the very
    start or end; at most 1,024 characters once every parameter is at its longest."""
    numbers = [int(number) for number in PLACEHOLDER.findall(body)]
    wanted = list(range(1, len(details) + 1))
    if sorted(numbers) != wanted:
        shown = ", ".join(f"{{{{{n}}}}}" for n in wanted) or "none"
        complain(line, f"{where}body must hold {shown} once each, one per parameter")
        return False
    stripped = body.strip()
    if PLACEHOLDER.match(stripped) or AT_END.search(stripped):
        complain(line, f"{where}body may not start or end with a parameter (Meta refuses it)")
        return False
    longest = len(PLACEHOLDER.sub("", body)) + sum(LIMITS[detail] for detail in details)
    if longest > BODY_LIMIT:
        complain(
            line,
            f"{where}body can reach {longest} characters with its parameters; WhatsApp allows "
            f"{BODY_LIMIT}: make it shorter",
        )
        return False
    return True

"""The packages of bot/ import each other in one direction only, and only channels import aiogram.

The graph is read from the source with `ast`, so an import inside a function counts as much as
one at the top of a module; only imports under `if TYPE_CHECKING:` are left out (they never run).
A unit is a sub-package of bot (`bot.db`, `bot.scheduling`, ...) or a root module (`bot.config`).
"""

from __future__ import annotations

import ast
from collections.abc import Iterator
from pathlib import Path

BOT = Path(__file__).resolve().parent.parent / "bot"

# Which unit may import which: a unit imports only units of its own layer or below (the cycle test
# keeps a layer's units from importing each other both ways). docs/decisions.md says why.
LAYERS = (
    {"bot.core"},  # message types, button payloads, fitting: import no other part of bot
    {"bot.localtime"},  # time arithmetic: quiet hours, a local day
    {"bot.config", "bot.metrics", "bot.i18n"},  # settings (typed with localtime), counters, words
    {"bot.zones"},  # zone names in the reader's language
    {"bot.db"},  # tables and the queries every part shares
    {"bot.lessons"},  # the course and a trainee's progress in it
    {"bot.qa", "bot.stats", "bot.scheduling"},  # answers, figures, scheduled messages
    {"bot.cohorts"},  # a class: moves its people's reminders, keeps a leaver's figures
    {"bot.pipeline"},  # an Incoming to a handler, one session per update
    {"bot.handlers"},  # the conversation
    # What starts and connects everything: may import anything below.
    {"bot.runtime", "bot.channels", "bot.cli", "bot.web"},
    {"bot.__main__"},
)


def module_name(path: Path) -> str:
    """`bot/db/models.py` -> `bot.db.models`; `bot/db/__init__.py` -> `bot.db`."""
    parts = list(path.relative_to(BOT.parent).with_suffix("").parts)
    if parts[-1] == "__init__":
        parts.pop()
    return ".".join(parts)


def is_type_checking(test: ast.expr) -> bool:
    return (isinstance(test, ast.Name) and test.id == "TYPE_CHECKING") or (
        isinstance(test, ast.Attribute) and test.attr == "TYPE_CHECKING"
    )


def imports_of(tree: ast.AST, module: str, is_package: bool) -> Iterator[str]:
    """Every module name `module` imports at run time (absolute, possibly outside bot)."""
    package = module if is_package else module.rpartition(".")[0]
    stack: list[ast.AST] = [tree]
    while stack:
        node = stack.pop()
        if isinstance(node, ast.If) and is_type_checking(node.test):
            stack.extend(node.orelse)
            continue
        if isinstance(node, ast.Import):
            yield from (alias.name for alias in node.names)
        elif isinstance(node, ast.ImportFrom):
            if node.level:
                base = package.split(".")
                base = base[: len(base) - (node.level - 1)]
                origin = ".".join([*base, node.module] if node.module else base)
            else:
                origin = node.module or ""
            # `from bot import config` imports the module bot.config, not the package bot.
            yield from (f"{origin}.{alias.name}" for alias in node.names)
            yield origin
        stack.extend(ast.iter_child_nodes(node))


def unit_of(module: str, modules: set[str]) -> str | None:
    """The unit a module of bot belongs to; None for modules outside bot (or names inside one)."""
    while module not in modules:
        if "." not in module:
            return None
        module = module.rpartition(".")[0]
    parts = module.split(".")
    return ".".join(parts[:2]) if len(parts) > 1 else None


def graph(leaving_out: frozenset[str] = frozenset()) -> dict[str, dict[str, list[str]]]:
    """unit -> unit it imports -> the modules of the first unit that do (sorted)."""
    paths = sorted(BOT.rglob("*.py"))
    modules = {module_name(path) for path in paths}
    edges: dict[str, dict[str, set[str]]] = {}
    for path in paths:
        module = module_name(path)
        source = unit_of(module, modules)
        if source is None or module in leaving_out:
            continue
        edges.setdefault(source, {})
        tree = ast.parse(path.read_text(encoding="utf-8"), str(path))
        for imported in imports_of(tree, module, path.name == "__init__.py"):
            target = unit_of(imported, modules)
            if target is not None and target != source:
                edges[source].setdefault(target, set()).add(module)
    return {
        unit: {target: sorted(by) for target, by in sorted(targets.items())}
        for unit, targets in sorted(edges.items())
    }


def cycles(edges: dict[str, dict[str, list[str]]]) -> list[list[str]]:
    """One shortest cycle through each unit that is on one, each written from its smallest unit."""
    found: set[tuple[str, ...]] = set()
    for start in edges:
        # Breadth first from start's successors back to start: the shortest way round.
        previous: dict[str, str] = {}
        frontier = [start]
        while frontier and start not in previous:
            following = []
            for unit in frontier:
                for target in edges.get(unit, {}):
                    if target not in previous:
                        previous[target] = unit
                        following.append(target)
            frontier = following
        if start not in previous:
            continue
        path = [start]
        while (step := previous[path[-1]]) != start:
            path.append(step)
        path.reverse()
        smallest = path.index(min(path))
        found.add(tuple(path[smallest:] + path[:smallest]))
    return [list(cycle) for cycle in sorted(found)]


def describe(cycle: list[str], edges: dict[str, dict[str, list[str]]]) -> str:
    steps = []
    for unit, target in zip(cycle, [*cycle[1:], cycle[0]], strict=True):
        steps.append(f"  {unit} -> {target}  ({', '.join(edges[unit][target])})")
    return " -> ".join([*cycle, cycle[0]]) + "\n" + "\n".join(steps)


def test_no_import_cycle_between_packages() -> None:
    edges = graph()
    found = cycles(edges)
    assert not found, "import cycles between packages of bot:\n" + "\n".join(
        describe(cycle, edges) for cycle in found
    )


def test_every_package_imports_only_its_layer_and_below() -> None:
    layer_of = {unit: n for n, units in enumerate(LAYERS) for unit in units}
    edges = graph()
    unplaced = sorted(set(edges) - set(layer_of))
    assert not unplaced, f"add these to LAYERS in tests/test_imports.py: {unplaced}"
    upward = [
        f"{unit} -> {target}  ({', '.join(by)})"
        for unit, targets in edges.items()
        for target, by in targets.items()
        if layer_of[target] > layer_of[unit]
    ]
    assert not upward, "imports against the layers (LAYERS):\n" + "\n".join(upward)


def test_the_graph_sees_every_kind_of_import(tmp_path: Path) -> None:
    source = """
from __future__ import annotations
from typing import TYPE_CHECKING
import bot.db.models
from bot import config
from ..stats import queries
from . import sibling
if TYPE_CHECKING:
    from bot.qa import service
def later():
    from bot.handlers.menu import main_menu
"""
    found = set(imports_of(ast.parse(source), "bot.scheduling.engine", is_package=False))
    modules = {
        "bot",
        "bot.config",
        "bot.db",
        "bot.db.models",
        "bot.stats",
        "bot.stats.queries",
        "bot.scheduling",
        "bot.scheduling.sibling",
        "bot.qa",
        "bot.qa.service",
        "bot.handlers",
        "bot.handlers.menu",
    }
    units = {unit_of(name, modules) for name in found} - {None}
    assert units == {"bot.db", "bot.config", "bot.stats", "bot.scheduling", "bot.handlers"}


def test_cycles_are_found_and_named() -> None:
    edges = {
        "bot.a": {"bot.b": ["bot.a.x"]},
        "bot.b": {"bot.c": ["bot.b.y"]},
        "bot.c": {"bot.a": ["bot.c.z"], "bot.d": ["bot.c.z"]},
        "bot.d": {},
    }
    assert cycles(edges) == [["bot.a", "bot.b", "bot.c"]]
    assert describe(["bot.a", "bot.b", "bot.c"], edges).startswith(
        "bot.a -> bot.b -> bot.c -> bot.a\n  bot.a -> bot.b  (bot.a.x)"
    )
    assert cycles({"bot.a": {"bot.b": ["bot.a.x"]}, "bot.b": {}}) == []


def test_only_channels_import_aiogram() -> None:
    offenders = []
    for path in sorted(BOT.rglob("*.py")):
        module = module_name(path)
        if module == "bot.channels" or module.startswith("bot.channels."):
            continue
        tree = ast.parse(path.read_text(encoding="utf-8"), str(path))
        names = imports_of(tree, module, path.name == "__init__.py")
        if any(name == "aiogram" or name.startswith("aiogram.") for name in names):
            offenders.append(module)
    assert not offenders, f"aiogram imported outside bot/channels/: {offenders}"

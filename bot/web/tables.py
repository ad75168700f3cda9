"""Sortable, filterable tables without JavaScript: the query string says how a table is sorted
(`?sort=<column>&dir=asc|desc`) and filtered (`?q=<text>`), every column header is a link to the
same page sorted by it, and every other choice on the page (course, filter) is kept in the link.
A few lines of script (static/tables.js) only filter the rows in place as one types.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable, Mapping, Sequence
from dataclasses import dataclass
from typing import TypeVar
from urllib.parse import urlencode

from aiohttp import web

Row = TypeVar("Row")
QUERY_LIMIT = 100  # a filter longer than this is cut: nobody types a name that long


@dataclass(frozen=True)
class Sorting:
    """How one table is sorted: a column of `columns`, and the direction."""

    column: str
    descending: bool

    @property
    def direction(self) -> str:
        return "desc" if self.descending else "asc"


def sorting_of(request: web.Request, columns: Iterable[str], default: str) -> Sorting:
    """The sorting the query string asks for; an unknown column or direction is the default
    (a link typed by hand shows the table, never an error)."""
    column = request.query.get("sort", default)
    if column not in set(columns):
        column = default
    return Sorting(column, request.query.get("dir", "asc") == "desc")


def filter_of(request: web.Request, name: str = "q") -> str:
    """The text typed in a table's filter box, trimmed."""
    return request.query.get(name, "").strip()[:QUERY_LIMIT]


def matches(text: str, typed: str) -> bool:
    """Whether `typed` (any case) is in `text`: what a filter box keeps."""
    return not typed or typed.casefold() in text.casefold()


def sorted_rows(
    rows: Sequence[Row],
    sorting: Sorting,
    keys: Mapping[str, Callable[[Row], object]],
) -> list[Row]:
    """`rows` (already in their natural order) sorted by `sorting`'s column: ties keep that
    order, rows whose value is None come last either way."""
    key = keys[sorting.column]
    known = [r for r in rows if key(r) is not None]
    missing = [r for r in rows if key(r) is None]
    known.sort(key=key, reverse=sorting.descending)  # type: ignore[arg-type]  # one type a column
    return known + missing


def link(request: web.Request, **changes: str | None) -> str:
    """This page's address with some query parameters changed (None: removed)."""
    query = dict(request.query)
    for name, value in changes.items():
        if value is None or value == "":
            query.pop(name, None)
        else:
            query[name] = value
    return request.path + ("?" + urlencode(query) if query else "")


@dataclass(frozen=True)
class Header:
    """A sortable column's header: its words, the link that sorts by it, and the `aria-sort`
    value when the table is sorted by it ("" otherwise)."""

    label: str
    href: str
    aria_sort: str
    arrow: str  # ▲ / ▼ beside the sorted column's header, "" on the others
    numeric: bool


def headers(
    request: web.Request,
    sorting: Sorting,
    labels: Mapping[str, str],
    *,
    numeric: Iterable[str] = (),
    fragment: str = "",
) -> dict[str, Header]:
    """A `Header` per column of `labels`: a link sorts by the column (the sorted column's link
    turns the direction round); `fragment` brings the browser back to the table."""
    numbers = set(numeric)
    made = {}
    for column, label in labels.items():
        current = column == sorting.column
        descending = not sorting.descending if current else column in numbers
        href = link(request, sort=column, dir="desc" if descending else "asc")
        made[column] = Header(
            label=label,
            href=href + (f"#{fragment}" if fragment else ""),
            aria_sort=("descending" if sorting.descending else "ascending") if current else "",
            arrow=("▼" if sorting.descending else "▲") if current else "",
            numeric=column in numbers,
        )
    return made

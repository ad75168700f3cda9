"""The workbook's sheets as rows of values by column name, with the cell each came from.

Reports what a person can do to a sheet that the course files cannot hold: a sheet renamed or
missing, a merged cell, a formula, an unknown column, an empty row between rows.
"""

from __future__ import annotations

import warnings
from dataclasses import dataclass, field
from datetime import date, datetime, time
from io import BytesIO
from typing import Any

from openpyxl import load_workbook
from openpyxl.utils import get_column_letter
from openpyxl.worksheet.worksheet import Worksheet

from bot.lessons.workbook import layout
from bot.lessons.workbook.findings import Findings

# What a cell holds when a person typed it; anything else (a formula object) is refused.
PLAIN = (str, int, float, type(None), date, datetime, time)


@dataclass
class Row:
    number: int
    values: dict[str, Any]  # column name -> str, int or float; empty cells left out
    cells: dict[str, str]  # column name -> "Sheet!F14"
    bad: set[str] = field(default_factory=set)  # columns already reported (a formula)

    def where(self, column: str) -> str:
        return self.cells[column]


@dataclass
class Table:
    sheet: str  # the sheet's title as the lecturer sees it
    rows: list[Row] = field(default_factory=list)


def read_tables(data: bytes, findings: Findings) -> dict[str, Table] | None:
    """Every data sheet's rows by sheet name (layout.COURSE, ...), or None if one is unreadable."""
    try:
        with warnings.catch_warnings():
            warnings.simplefilter("ignore")  # openpyxl warns about extensions it drops
            book = load_workbook(BytesIO(data), data_only=False)
    except Exception:  # openpyxl raises many kinds on a broken file
        findings.error("", "not_a_workbook")
        return None
    tables: dict[str, Table] = {}
    for sheet in book.worksheets:
        name = layout.sheet_named(sheet.title)
        if name is None or name in tables or (name == layout.READ_ME and layout.READ_ME in tables):
            findings.error(sheet.title, "unknown_sheet", sheet=sheet.title)
            continue
        if name == layout.READ_ME:
            tables[name] = Table(sheet.title)
            continue
        tables[name] = _read_sheet(sheet, name, findings)
    for name in layout.SHEETS:
        if name not in tables:
            expected = layout.sheet_title(name, findings.language)
            findings.error("", "missing_sheet", sheet=expected)
    return tables if all(name in tables for name in layout.SHEETS) else None


def _read_sheet(sheet: Worksheet, name: str, findings: Findings) -> Table:
    table = Table(sheet.title)
    for merged in sheet.merged_cells.ranges:
        findings.error(f"{sheet.title}!{merged.coord}", "merged")
    grid = list(sheet.iter_rows())
    if not grid:
        findings.error(f"{sheet.title}!A1", "no_header")
        return table
    columns: dict[int, str] = {}
    for cell in grid[0]:
        if cell.value is None or str(cell.value).strip() == "":
            continue
        known = layout.column_named(name, str(cell.value))
        if known is None or known in columns.values():
            findings.error(f"{sheet.title}!{cell.coordinate}", "unknown_column", column=cell.value)
        else:
            columns[int(cell.column or 0)] = known
    for wanted in layout.SHEETS[name]:
        if wanted.name not in columns.values():
            title = layout.column_title(wanted.name, findings.language)
            findings.error(f"{sheet.title}!1", "missing_column", column=title)
    empty_since: int | None = None
    for cells in grid[1:]:
        row = Row(int(cells[0].row or 0), {}, {})
        for cell in cells:
            where = f"{sheet.title}!{cell.coordinate}"
            if cell.data_type == "f" or not isinstance(cell.value, PLAIN):
                findings.error(where, "formula")
                row.bad.add(columns.get(int(cell.column or 0), ""))
                continue
            value = _value(cell.value)
            if value is None:
                continue
            column_name = columns.get(int(cell.column or 0))
            if column_name is None:
                findings.error(where, "outside_columns")
                continue
            row.values[column_name] = value
            row.cells[column_name] = where
        for wanted in layout.SHEETS[name]:
            row.cells.setdefault(
                wanted.name, _cell_of(sheet.title, columns, wanted.name, row.number)
            )
        if not row.values and not row.bad:
            empty_since = empty_since or row.number
            continue
        if empty_since is not None:
            findings.error(f"{sheet.title}!{empty_since}", "empty_row", row=empty_since)
            empty_since = None
        table.rows.append(row)
    return table


def _value(value: Any) -> str | int | float | None:
    if value is None:
        return None
    if isinstance(value, str):
        text = value.replace("\r\n", "\n").replace("\r", "\n").strip()
        return text or None
    if isinstance(value, bool):
        return str(value).upper()
    if isinstance(value, (datetime, date, time)):
        return value.isoformat()
    if isinstance(value, float) and value.is_integer():
        return int(value)
    return value if isinstance(value, (int, float)) else str(value)


def _cell_of(sheet: str, columns: dict[int, str], name: str, row: int) -> str:
    for index, column in columns.items():
        if column == name:
            return f"{sheet}!{get_column_letter(index)}{row}"
    return f"{sheet}!{row}"

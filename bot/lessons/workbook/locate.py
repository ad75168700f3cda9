"""Where in the workbook a problem the content loader found in a written file comes from.

The loader speaks of `whatsapp.yaml:12`; a lecturer has a sheet and rows. The file names the
sheet, and the YAML keys above the line (a purpose, a language) or the file's name (a lesson and
its language) name the row.
"""

from __future__ import annotations

import re

from bot.lessons.content import LESSON_NAME
from bot.lessons.lesson_file import SEPARATOR
from bot.lessons.templates import FILE_NAME as WHATSAPP_FILE
from bot.lessons.wechat_templates import FILE_NAME as WECHAT_FILE
from bot.lessons.workbook import layout
from bot.lessons.workbook.reader import Table

TOP_KEY = re.compile(r"(?P<key>[a-z_]+):")
LANGUAGE_KEY = re.compile(r"\s+(?P<key>zh|es|en):\s*$")


def locate(tables: dict[str, Table], path: str, line: int, text: str) -> str:
    """`Sheet!row` of the row behind line `line` of the written file `path`, else `Sheet`."""
    name = LESSON_NAME.fullmatch(path.removeprefix("lessons/"))
    if path.startswith("lessons/") and name is not None:
        slug, language = name["slug"], name["language"]
        lines = text.split("\n")
        separators = [number for number, above in enumerate(lines, 1) if above == SEPARATOR]
        if len(separators) >= 2 and line > separators[1]:  # in the body: a card's row
            card = sum(1 for number in separators[2:] if number < line) + 1
            return _row(tables[layout.CARDS], lesson=slug, card=card, language=language)
        return _row(tables[layout.LESSONS], lesson=slug, language=language)
    sheet = {WHATSAPP_FILE: layout.WHATSAPP, WECHAT_FILE: layout.WECHAT}.get(path)
    if sheet is None:
        return tables[layout.COURSE].sheet
    purpose = language = None
    for above in text.split("\n")[:line]:
        if top := TOP_KEY.match(above):
            purpose, language = top["key"], None
        elif nested := LANGUAGE_KEY.match(above):
            language = nested["key"]
    return _row(tables[sheet], purpose=purpose, language=language)


def _row(table: Table, **wanted: str | int | None) -> str:
    """The first row holding every value given (a None is not looked at)."""
    for row in table.rows:
        if all(value is None or row.values.get(key) == value for key, value in wanted.items()):
            return f"{table.sheet}!{row.number}"
    return table.sheet

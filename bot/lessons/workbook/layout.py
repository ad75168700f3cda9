"""The workbook's sheets and columns, named in the lecturer's language and recognised in any.

Sheet and column names come from the catalogs (`workbook.sheet.*`, `workbook.column.*`): export
writes them in one language, import accepts each in zh, es or en, so a lecturer may hand the file
to a colleague who reads another language.
"""

from __future__ import annotations

from dataclasses import dataclass

from bot.config import LANGUAGES
from bot.i18n import Translator

READ_ME = "read_me"
COURSE = "course"
LESSONS = "lessons"
CARDS = "cards"
QUIZ = "quiz"
WHATSAPP = "whatsapp"
WECHAT = "wechat"
MAX_OPTIONS = 4
OPTIONS = tuple(f"option_{n}" for n in range(1, MAX_OPTIONS + 1))
EXPLANATIONS = tuple(f"explanation_{n}" for n in range(1, MAX_OPTIONS + 1))
COURSE_FIELDS = ("id", "languages", "pass_mark", "title", "summary", "welcome")


@dataclass(frozen=True)
class Column:
    name: str
    width: int  # in characters, as Excel counts them
    text: bool = True  # wrapped text rather than a short value


def _columns(*spec: tuple[str, int]) -> tuple[Column, ...]:
    return tuple(Column(name, width, width >= 30) for name, width in spec)


# The data sheets in the order they appear, after the read-me sheet.
SHEETS: dict[str, tuple[Column, ...]] = {
    COURSE: _columns(("field", 14), ("language", 10), ("text", 90)),
    LESSONS: _columns(
        ("order", 8),
        ("lesson", 22),
        ("language", 10),
        ("title", 40),
        ("summary", 60),
        ("minutes", 10),
        ("image", 20),
    ),
    CARDS: _columns(
        ("lesson", 22),
        ("card", 8),
        ("language", 10),
        ("text", 80),
        ("image", 20),
        ("image_text", 30),
    ),
    QUIZ: _columns(
        ("lesson", 22),
        ("question", 10),
        ("language", 10),
        ("question_text", 40),
        *((name, 30) for name in OPTIONS),
        ("answer", 10),
        ("explanation", 40),
        *((name, 40) for name in EXPLANATIONS),
    ),
    WHATSAPP: _columns(
        ("purpose", 20),
        ("template_name", 26),
        ("parameters", 22),
        ("language", 10),
        ("code", 10),
        ("body", 60),
        ("button", 18),
    ),
    WECHAT: _columns(
        ("purpose", 20),
        ("language", 10),
        ("template_id", 30),
        ("field_key", 14),
        ("source", 14),
        ("fixed_text", 30),
    ),
}


def sheet_title(sheet: str, language: str) -> str:
    return Translator(language)(f"workbook.sheet.{sheet}")


def column_title(column: str, language: str) -> str:
    return Translator(language)(f"workbook.column.{column}")


def _normal(name: str) -> str:
    return " ".join(name.split()).casefold()


def sheet_named(title: str) -> str | None:
    """The sheet a title names in any language, or None."""
    wanted = _normal(title)
    for sheet in (READ_ME, *SHEETS):
        if any(_normal(sheet_title(sheet, language)) == wanted for language in LANGUAGES):
            return sheet
    return None


def column_named(sheet: str, title: str) -> str | None:
    """The column of `sheet` a header names in any language, or None."""
    wanted = _normal(title)
    for column in SHEETS[sheet]:
        if any(_normal(column_title(column.name, lang)) == wanted for lang in LANGUAGES):
            return column.name
    return None

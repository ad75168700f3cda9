"""Rows of a workbook -> a CourseDraft, every cell checked, every problem reported at its cell."""

from __future__ import annotations

import re
from typing import Any

from bot.config import LANGUAGES
from bot.lessons.content import SLUG, SLUG_LENGTH, screen_limit
from bot.lessons.lesson_file import CAPTION_LIMIT, CARD_LIMIT, MIN_OPTIONS, SEPARATOR
from bot.lessons.wechat_templates import FIELD_LIMIT
from bot.lessons.workbook import layout
from bot.lessons.workbook.draft import CardDraft, CourseDraft, LessonDraft, QuestionDraft
from bot.lessons.workbook.findings import Findings
from bot.lessons.workbook.reader import Row, Table

# The bot sends plain text: tags and Markdown would reach the trainee as typed.
MARKUP = re.compile(r"</?[a-zA-Z][^>]*>|\*\*|__|`|!?\[[^\]]*\]\([^)]*\)")
WHATSAPP_TEXT = 1024  # characters of a WhatsApp message body with buttons
WHATSAPP_BUTTON = 20  # characters of a WhatsApp reply button's title
SPLIT = re.compile(r"[\s,，、;；]+")


class _Reader:
    def __init__(self, findings: Findings) -> None:
        self.findings = findings

    def text(self, row: Row, column: str, required: bool = True) -> str | None:
        value = row.values.get(column)
        if value is None:
            if required and column not in row.bad:
                self.findings.error(row.where(column), "empty")
            return None
        text = str(value)
        if MARKUP.search(text) or any(line.strip() == SEPARATOR for line in text.split("\n")):
            self.findings.error(row.where(column), "markup")
            return None
        return text

    def number(self, row: Row, column: str, low: int = 1, high: int | None = None) -> int | None:
        value = row.values.get(column)
        if column in row.bad:
            return None
        if isinstance(value, str) and value.strip().isdigit():
            value = int(value)
        if not isinstance(value, int) or value < low or (high is not None and value > high):
            self.findings.error(
                row.where(column), "whole_number", value="" if value is None else value
            )
            return None
        return value

    def language(self, row: Row, languages: list[str]) -> str | None:
        value = str(row.values.get("language", ""))
        if value not in languages:
            self.findings.error(
                row.where("language"), "language", value=value, languages=", ".join(languages)
            )
            return None
        return value

    def slug(self, row: Row, column: str, known: set[str] | None = None) -> str | None:
        value = self.text(row, column)
        if value is None:
            return None
        if not SLUG.fullmatch(value) or len(value) > SLUG_LENGTH:
            self.findings.error(row.where(column), "slug", value=value, limit=SLUG_LENGTH)
            return None
        if known is not None and value not in known:
            self.findings.error(row.where(column), "unknown_lesson", value=value)
            return None
        return value


def build_draft(tables: dict[str, Table], findings: Findings) -> CourseDraft | None:
    """The course the tables describe, or None when the course sheet itself cannot be read."""
    read = _Reader(findings)
    draft = _course(tables[layout.COURSE], read)
    if draft is None:
        return None
    draft.whatsapp = _whatsapp(tables[layout.WHATSAPP], read, draft.languages)
    draft.wechat = _wechat(tables[layout.WECHAT], read, draft.languages)
    rows = _lessons(tables[layout.LESSONS], read, draft)
    known = set(draft.lessons)
    _cards(tables[layout.CARDS], read, draft, known)
    _quiz(tables[layout.QUIZ], read, draft, known)
    for (slug, language), lesson in draft.texts.items():
        where = rows[(slug, language)].where("lesson")
        if not lesson.cards:
            findings.error(where, "no_cards", lesson=slug, language=language)
        if not lesson.quiz:
            findings.error(where, "no_quiz", lesson=slug, language=language)
    if draft.wechat and any(
        field == "lesson"
        for languages in draft.wechat.values()
        for template in languages.values()
        for field in template.get("fields", {}).values()
    ):
        for (slug, language), lesson in draft.texts.items():
            if len(lesson.title) > FIELD_LIMIT:
                findings.warn(
                    rows[(slug, language)].where("title"),
                    "wechat_field",
                    length=len(lesson.title),
                    limit=FIELD_LIMIT,
                )
    return draft


def _course(table: Table, read: _Reader) -> CourseDraft | None:
    values: dict[str, Row] = {}
    texts: dict[str, dict[str, str]] = {"title": {}, "summary": {}, "welcome": {}}
    for row in table.rows:
        field = str(row.values.get("field", ""))
        if field not in layout.COURSE_FIELDS:
            read.findings.error(
                row.where("field"),
                "course_field",
                value=field,
                fields=", ".join(layout.COURSE_FIELDS),
            )
        elif field in texts:
            language = read.language(row, list(LANGUAGES))
            text = read.text(row, "text")
            if language is not None and text is not None:
                if language in texts[field]:
                    read.findings.error(row.where("language"), "twice")
                texts[field][language] = text
        elif field in values:
            read.findings.error(row.where("field"), "twice")
        else:
            values[field] = row
    for field in ("id", "languages", "pass_mark"):
        if field not in values:
            read.findings.error(table.sheet, "missing_field", field=field)
    if len(values) < 3:
        return None
    course_id = read.slug(values["id"], "text")
    languages = _languages(values["languages"], read)
    pass_mark = _pass_mark(values["pass_mark"], read)
    if course_id is None or languages is None or pass_mark is None:
        return None
    order = [*languages, *(language for language in LANGUAGES if language not in languages)]
    for field, by_language in texts.items():
        for language in languages:
            if language not in by_language:
                read.findings.error(table.sheet, "missing_text", field=field, language=language)
        # the course's languages first, whatever order the rows are in: the same file every time
        texts[field] = {lang: by_language[lang] for lang in order if lang in by_language}
    return CourseDraft(
        course_id,
        languages,
        pass_mark,
        title=texts["title"],
        summary=texts["summary"],
        welcome=texts["welcome"],
        lessons=[],
    )


def _languages(row: Row, read: _Reader) -> list[str] | None:
    found = [word for word in SPLIT.split(str(row.values.get("text", ""))) if word]
    if not found or any(word not in LANGUAGES for word in found) or len(set(found)) < len(found):
        read.findings.error(row.where("text"), "languages", languages=", ".join(LANGUAGES))
        return None
    return found


def _pass_mark(row: Row, read: _Reader) -> float | None:
    value = row.values.get("text")
    try:
        mark = float(str(value).strip().rstrip("%")) / (100 if "%" in str(value) else 1)
    except ValueError:
        mark = -1.0
    if not 0 < mark <= 1:
        read.findings.error(row.where("text"), "pass_mark")
        return None
    return mark


def _lessons(table: Table, read: _Reader, draft: CourseDraft) -> dict[tuple[str, str], Row]:
    orders: dict[str, tuple[int, Row]] = {}
    rows: dict[tuple[str, str], Row] = {}
    for row in table.rows:
        order = read.number(row, "order")
        slug = read.slug(row, "lesson")
        language = read.language(row, draft.languages)
        title, summary = read.text(row, "title"), read.text(row, "summary")
        minutes = read.number(row, "minutes")
        image = read.text(row, "image", required=False)
        if slug is None or language is None:
            continue
        if (slug, language) in rows:
            read.findings.error(row.where("lesson"), "twice")
            continue
        rows[(slug, language)] = row  # known even when a cell is wrong: one error, not two
        if order is None:
            orders.setdefault(slug, (0, row))  # reported; keeps the lesson known to its cards
            continue
        if slug in orders and orders[slug][0] not in (0, order):
            read.findings.error(row.where("order"), "order_differs", lesson=slug)
        elif slug not in orders and any(number == order for number, _ in orders.values()):
            read.findings.error(row.where("order"), "order_twice", order=order)
        if orders.get(slug, (0, row))[0] == 0:
            orders[slug] = (order, row)
        if title is None or summary is None or minutes is None:
            continue
        draft.texts[(slug, language)] = LessonDraft(slug, language, title, summary, minutes, image)
    draft.lessons = sorted(orders, key=lambda slug: orders[slug][0])
    for slug, (_, row) in orders.items():
        for language in draft.languages:
            if (slug, language) not in rows:
                read.findings.error(
                    row.where("lesson"), "lesson_language", lesson=slug, language=language
                )
    return rows


def _cards(table: Table, read: _Reader, draft: CourseDraft, known: set[str]) -> None:
    numbered: dict[tuple[str, str], dict[int, CardDraft]] = {}
    for row in table.rows:
        slug = read.slug(row, "lesson", known)
        number = read.number(row, "card")
        language = read.language(row, draft.languages)
        image = read.text(row, "image", required=False)
        text = read.text(row, "text", required=image is None)
        image_text = read.text(row, "image_text", required=False) or ""
        if slug is None or number is None or language is None or (text is None and image is None):
            continue
        cards = numbered.setdefault((slug, language), {})
        if number in cards:
            read.findings.error(row.where("card"), "twice")
            continue
        text = text or ""
        limit = CARD_LIMIT if image is None else CAPTION_LIMIT
        if len(text) > limit:
            read.findings.error(row.where("text"), "card_long", length=len(text), limit=limit)
        if len(text) > WHATSAPP_TEXT:
            read.findings.warn(
                row.where("text"), "whatsapp_card", length=len(text), limit=WHATSAPP_TEXT
            )
        if len(text) > screen_limit(language):
            read.findings.warn(
                row.where("text"), "screen", length=len(text), limit=screen_limit(language)
            )
        cards[number] = CardDraft(text, image, image_text)
    for (slug, language), cards in numbered.items():
        if (slug, language) in draft.texts:
            draft.texts[(slug, language)].cards = [cards[n] for n in sorted(cards)]


def _quiz(table: Table, read: _Reader, draft: CourseDraft, known: set[str]) -> None:
    numbered: dict[tuple[str, str], dict[int, QuestionDraft]] = {}
    for row in table.rows:
        slug = read.slug(row, "lesson", known)
        number = read.number(row, "question")
        language = read.language(row, draft.languages)
        question = _question(row, read)
        if slug is None or number is None or language is None or question is None:
            continue
        questions = numbered.setdefault((slug, language), {})
        if number in questions:
            read.findings.error(row.where("question"), "twice")
            continue
        questions[number] = question
    for (slug, language), questions in numbered.items():
        if (slug, language) in draft.texts:
            draft.texts[(slug, language)].quiz = [questions[n] for n in sorted(questions)]


def _question(row: Row, read: _Reader) -> QuestionDraft | None:
    text = read.text(row, "question_text")
    options: list[str] = []
    gap = long_option = False
    for column in layout.OPTIONS:
        option = read.text(row, column, required=False)
        if option is None:
            gap = True
        elif gap:
            read.findings.error(row.where(column), "option_gap")
            return None
        else:
            options.append(option)
            if len(option) > WHATSAPP_BUTTON and not long_option:  # once a question is enough
                long_option = True
                read.findings.warn(
                    row.where(column), "whatsapp_option", length=len(option), limit=WHATSAPP_BUTTON
                )
    if len(options) < MIN_OPTIONS:
        read.findings.error(row.where(layout.OPTIONS[len(options)]), "options", count=len(options))
        return None
    answer = read.number(row, "answer", high=None)
    if answer is not None and answer > len(options):
        read.findings.error(row.where("answer"), "answer", answer=answer, count=len(options))
        return None
    single = read.text(row, "explanation", required=False)
    several = [read.text(row, column, required=False) for column in layout.EXPLANATIONS]
    given = [text for text in several if text is not None]
    if single is not None and given:
        read.findings.error(row.where("explanation"), "explanation_both")
        return None
    extra = any(text is not None for text in several[len(options) :])
    if single is None and (None in several[: len(options)] or extra):
        read.findings.error(row.where("explanation"), "explanations", count=len(options))
        return None
    if text is None or answer is None:
        return None
    if single is not None:
        return QuestionDraft(text, options, answer, explanation=single)
    return QuestionDraft(text, options, answer, explanations=given)


def _whatsapp(table: Table, read: _Reader, languages: list[str]) -> dict[str, Any] | None:
    if not table.rows:
        return None
    templates: dict[str, Any] = {}
    for row in table.rows:
        purpose, name = read.text(row, "purpose"), read.text(row, "template_name")
        language = read.language(row, list(LANGUAGES))
        parameters = [p for p in SPLIT.split(str(row.values.get("parameters", ""))) if p]
        if purpose is None or name is None or language is None:
            continue
        template = templates.setdefault(
            purpose, {"name": name, "parameters": parameters, "languages": {}}
        )
        if template["name"] != name or template["parameters"] != parameters:
            read.findings.error(row.where("template_name"), "template_differs", purpose=purpose)
        if language in template["languages"]:
            read.findings.error(row.where("language"), "twice")
        entry = {}
        for column in ("code", "body", "button"):
            value = read.text(row, column, required=column != "button")
            if value is not None:
                entry[column] = value
        template["languages"][language] = entry
    return templates


def _wechat(table: Table, read: _Reader, languages: list[str]) -> dict[str, Any] | None:
    if not table.rows:
        return None
    templates: dict[str, Any] = {}
    for row in table.rows:
        purpose, template_id = read.text(row, "purpose"), read.text(row, "template_id")
        language = read.language(row, list(LANGUAGES))
        key = read.text(row, "field_key")
        source = read.text(row, "source", required=False)
        fixed = read.text(row, "fixed_text", required=False)
        if (source is None) == (fixed is None):
            read.findings.error(row.where("source"), "wechat_source")
            continue
        if None in (purpose, template_id, language, key):
            continue
        assert purpose is not None and language is not None and key is not None
        template = templates.setdefault(purpose, {}).setdefault(
            language, {"template_id": template_id, "fields": {}}
        )
        if template["template_id"] != template_id:
            read.findings.error(row.where("template_id"), "template_differs", purpose=purpose)
        if key in template["fields"]:
            read.findings.error(row.where("field_key"), "twice")
        template["fields"][key] = source if source is not None else {"text": fixed}
    return templates

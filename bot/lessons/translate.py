"""Draft translations of a course's missing language, by an LLM, for a person to review.

`draft_translation(draft, target, complete)` fills what the course lacks in `target` (the
course's title, summary and welcome; whole lessons: title, summary, cards, quiz) from the
first language that has it, one model call per text, and says what it filled. Nothing is
written here: the caller exports the draft as a workbook and marks the drafted rows
(`mark_drafts`). Any failure of the model (an error, an answer not shaped like the question)
raises TranslationFailed before anything is returned, so nothing is ever half-translated.
"""

from __future__ import annotations

import json
from collections.abc import Awaitable, Callable
from copy import deepcopy
from dataclasses import dataclass, field
from io import BytesIO
from typing import Any

from openpyxl import load_workbook
from openpyxl.styles import PatternFill

from bot.lessons.workbook import CourseDraft
from bot.lessons.workbook.draft import CardDraft, LessonDraft, QuestionDraft
from bot.lessons.workbook.layout import CARDS, COURSE, LESSONS, QUIZ, sheet_title

# Asks the model: (system prompt, user message) -> its answer.
Complete = Callable[[str, str], Awaitable[str]]

LANGUAGE_NAMES = {"zh": "Simplified Chinese (简体中文)", "es": "Mexican Spanish", "en": "English"}
DRAFT_FILL = PatternFill("solid", start_color="FFF2CC", end_color="FFF2CC")  # pale yellow
COURSE_TEXTS = ("title", "summary", "welcome")
# The column (from 0) of the lesson (or course field) and of the language in each sheet.
KEY_COLUMNS = {COURSE: (0, 1), LESSONS: (1, 2), CARDS: (0, 2), QUIZ: (0, 2)}

SYSTEM_PROMPT = """\
You translate a course for rural sellers aged 50 to 70 who are learning to sell online. \
Translate every string value of the JSON the user sends from {source} into {target}: plain, \
everyday words, short sentences, the polite form of address ("usted" in Spanish). Keep the JSON \
exactly as it is otherwise: the same keys, the same number of items in every list, the same \
order, numbers unchanged. Do not add Markdown or HTML. Answer with the JSON object only."""


class TranslationFailed(Exception):
    """The model failed or answered something that is not the translation asked for."""


@dataclass
class Drafted:
    """What was filled: the course's texts by field name, lessons by slug."""

    course_fields: list[str] = field(default_factory=list)
    lessons: list[str] = field(default_factory=list)

    def __bool__(self) -> bool:
        return bool(self.course_fields or self.lessons)


async def draft_translation(
    draft: CourseDraft, target: str, complete: Complete
) -> tuple[CourseDraft, Drafted]:
    """A copy of `draft` with what it lacks in `target` translated, and what that was."""
    result, done = deepcopy(draft), Drafted()
    if target not in result.languages:
        result.languages.append(target)
    missing = [name for name in COURSE_TEXTS if not getattr(draft, name).get(target)]
    if missing:
        source = _source(
            draft.languages, lambda lang: all(getattr(draft, n).get(lang) for n in missing)
        )
        texts = {name: getattr(draft, name)[source] for name in missing}
        answer = await _ask(complete, source, target, texts)
        for name in missing:
            getattr(result, name)[target] = answer[name]
        done.course_fields = missing
    for slug in draft.lessons:
        if (slug, target) in draft.texts:
            continue
        source = next(lang for lang in draft.languages if (slug, lang) in draft.texts)
        original = draft.texts[(slug, source)]
        answer = await _ask(complete, source, target, lesson_json(original))
        result.texts[(slug, target)] = _lesson_from(original, target, answer)
        done.lessons.append(slug)
    return result, done


def mark_drafts(workbook: bytes, target: str, drafted: Drafted, language: str) -> bytes:
    """The workbook with every drafted row (in `target`) filled pale yellow; `language` is the
    language of its sheet names."""
    book = load_workbook(BytesIO(workbook))
    wanted = {COURSE: set(drafted.course_fields)} | {
        sheet: set(drafted.lessons) for sheet in (LESSONS, CARDS, QUIZ)
    }
    for sheet, keys in wanted.items():
        key_at, language_at = KEY_COLUMNS[sheet]
        for row in book[sheet_title(sheet, language)].iter_rows(min_row=2):
            if row[language_at].value == target and row[key_at].value in keys:
                for cell in row:
                    cell.fill = DRAFT_FILL
    output = BytesIO()
    book.save(output)
    return output.getvalue()


def _source(languages: list[str], has: Callable[[str], bool]) -> str:
    return next(language for language in languages if has(language))


async def _ask(complete: Complete, source: str, target: str, texts: dict[str, Any]) -> Any:
    system = SYSTEM_PROMPT.format(source=LANGUAGE_NAMES[source], target=LANGUAGE_NAMES[target])
    try:
        answer = await complete(system, json.dumps(texts, ensure_ascii=False))
    except Exception as error:  # the client's errors: network, HTTP status, timeout
        raise TranslationFailed(f"the model could not be reached: {error}") from error
    try:
        translated = json.loads(_unfenced(answer))
    except ValueError as error:
        raise TranslationFailed("the model's answer is not JSON") from error
    if _shape(translated) != _shape(texts):
        raise TranslationFailed("the model's answer is not shaped like the text it was given")
    return translated


def _unfenced(answer: str) -> str:
    """The JSON in an answer the model may have wrapped in a ```json fence."""
    text = answer.strip()
    if text.startswith("```"):
        text = text.split("\n", 1)[1] if "\n" in text else ""
        text = text.rsplit("```", 1)[0]
    return text


def _shape(value: Any) -> Any:
    """The structure of a JSON value without its strings (an empty string stays empty)."""
    if isinstance(value, dict):
        return {key: _shape(item) for key, item in value.items()}
    if isinstance(value, list):
        return [_shape(item) for item in value]
    if isinstance(value, str):
        return "text" if value.strip() else ""
    return value


def lesson_json(lesson: LessonDraft) -> dict[str, Any]:
    return {
        "title": lesson.title,
        "summary": lesson.summary,
        "cards": [{"text": card.text, "image_text": card.image_text} for card in lesson.cards],
        "quiz": [
            {
                "question": question.text,
                "options": question.options,
                "explanation": question.explanation or "",
                "explanations": question.explanations or [],
            }
            for question in lesson.quiz
        ],
    }


def _lesson_from(original: LessonDraft, target: str, answer: dict[str, Any]) -> LessonDraft:
    cards = [
        CardDraft(text["text"], card.image, text["image_text"])
        for card, text in zip(original.cards, answer["cards"], strict=True)
    ]
    quiz = [
        QuestionDraft(
            text["question"],
            list(text["options"]),
            question.answer,
            text["explanation"] if question.explanation is not None else None,
            list(text["explanations"]) if question.explanations is not None else None,
        )
        for question, text in zip(original.quiz, answer["quiz"], strict=True)
    ]
    return LessonDraft(
        original.slug,
        target,
        answer["title"],
        answer["summary"],
        original.minutes,
        original.image,
        quiz,
        cards,
    )

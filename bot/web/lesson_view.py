"""What the lesson page shows for where a person is in a lesson: a card with Back and Next, a
question with its answers as big buttons (and the answer just given, explained), the result
with the next lesson, or the lock of a lesson not open yet. Words from the catalogs only.

Each form carries the lesson, the place it was drawn at (`place_of`) and the form key that signs
both with the token (bot/lessons/links.py), so a move counts only from where it was drawn.
"""

from __future__ import annotations

import re
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import datetime
from pathlib import Path

import jinja2
from markupsafe import Markup, escape
from sqlmodel.ext.asyncio.session import AsyncSession

from bot.db.models import LessonProgress, LessonStatus, Person
from bot.i18n import Translator
from bot.lessons.certificates import certificate_of
from bot.lessons.links import form_key
from bot.lessons.model import Course, Lesson
from bot.lessons.progress import (
    given_answer,
    lesson_progress,
    locking_class,
    missed_questions,
    next_lesson,
    right_to_pass,
)
from bot.lessons.quiz import fit_to_lesson, just_answered
from bot.scheduling.plans import opening_time, when_text

DEFAULT_LANGUAGE = "zh"  # who taps WeChat links, when nothing says otherwise
PAGES = jinja2.Environment(
    loader=jinja2.FileSystemLoader(Path(__file__).parent / "templates"),
    autoescape=True,
    undefined=jinja2.StrictUndefined,
)
_EMPHASIS = re.compile(r"\*\*(.+?)\*\*|__(.+?)__")


def place_of(row: LessonProgress | None) -> str:
    """Where a person is in a lesson, as a form names it: `r:<card>` reading, `q:<attempt>-
    <question>` in the quiz, `f:<attempt>` failed, `p:<attempt>` passed; `r:0` before the
    lesson is opened."""
    if row is None:
        return "r:0"
    if row.status == LessonStatus.quiz:
        return f"q:{row.attempt}-{row.question}"
    if row.status == LessonStatus.failed:
        return f"f:{row.attempt}"
    if row.status == LessonStatus.passed:
        return f"p:{row.attempt}"
    return f"r:{row.card}"


def question_at(place: str) -> tuple[int, int] | None:
    """(attempt, question) of a quiz place `q:<attempt>-<question>`; None for any other."""
    kind, _, numbers = place.partition(":")
    attempt, _, index = numbers.partition("-")
    if kind != "q" or not (attempt.isdigit() and index.isdigit()):
        return None
    return int(attempt), int(index)


def card_image_path(token: str, slug: str, card: int) -> str:
    """The address of a card's photo, relative to the page (`/lesson/<token>`)."""
    return f"{token}/image/{slug}/{card}"


def card_html(text: str) -> Markup:
    """A card's text with its Markdown emphasis as bold, everything else escaped."""
    escaped = str(escape(text.strip()))
    return Markup(_EMPHASIS.sub(lambda m: f"<strong>{m.group(1) or m.group(2)}</strong>", escaped))


@dataclass(frozen=True)
class Choice:
    name: str
    value: str
    label: str
    main: bool = False


@dataclass(frozen=True)
class Form:
    """One POST form: the move it makes (or "" when its buttons name it) and its buttons."""

    move: str
    choices: tuple[Choice, ...]


@dataclass
class Screen:
    heading: str
    title: str
    feedback: str = ""
    feedback_right: bool = False
    step: str = ""
    body: Markup | str = ""
    lines: list[str] = field(default_factory=list)
    forms: list[Form] = field(default_factory=list)
    link: tuple[str, str] | None = None  # (address, label): the next lesson
    image: tuple[str, str] | None = None  # (address, text): the certificate
    picture: str = ""  # the card's photo (address), above its text


async def render_position(
    session: AsyncSession,
    person: Person,
    course: Course,
    slug: str,
    *,
    token: str,
    secret: bytes,
    after: str,
    now: datetime,
    next_url: Callable[[str], str],
) -> tuple[str, str]:
    """The page of where `person` is in lesson `slug` (HTML, its language). `after` names the
    question answered just before ("<attempt>-<index>"), shown above when it still is."""
    language = person.language or DEFAULT_LANGUAGE
    t = Translator(language)
    lesson = course.lesson(slug, t.language)
    row = (await lesson_progress(session, person, course)).get(slug)
    if row is not None:
        fit_to_lesson(row, lesson, now)  # shown, not saved: the next move saves it
    screen = Screen(
        heading=t("lesson_page.heading", number=course.number(slug), total=len(course.lessons)),
        title=lesson.title,
    )
    if row is None and (cohort := await locking_class(session, person, course, slug)):
        opens = await opening_time(session, cohort, course.number(slug))
        if opens is None:
            screen.body = t("lesson.locked_soon", number=course.number(slug))
        else:
            day, at = when_text(opens, person.timezone, t.language)
            screen.body = t("lesson.locked", number=course.number(slug), date=day, time=at)
    elif row is None or row.status == LessonStatus.reading:
        card = row.card if row else 0
        _reading(screen, t, lesson, card)
        if lesson.cards[card].image is not None:
            screen.picture = card_image_path(token, slug, card)
    else:
        await _feedback(screen, t, session, person, course, lesson, row, after)
        if row.status == LessonStatus.quiz:
            _question(screen, t, lesson, row)
        else:
            await _result(screen, t, session, person, course, lesson, row, token, next_url)
    html = PAGES.get_template("lesson.html").render(
        language=t.language,
        title=screen.title,
        screen=screen,
        lesson=slug,
        at=place_of(row),
        key=form_key(secret, token, slug, place_of(row)),
        or_chat=t("lesson_page.or_chat", lesson=t("menu.lesson")),
    )
    return html, t.language


def _reading(screen: Screen, t: Translator, lesson: Lesson, card: int) -> None:
    last = card == len(lesson.cards) - 1
    screen.step = t("lesson_page.card", card=card + 1, cards=len(lesson.cards))
    screen.body = card_html(lesson.cards[card].text)
    forward = Choice("move", "next", t("lesson.start_quiz") if last else t("lesson.next"), True)
    back = (Choice("move", "back", t("lesson_page.back")),) if card > 0 else ()
    screen.forms.append(Form("", (forward, *back)))


def _question(screen: Screen, t: Translator, lesson: Lesson, row: LessonProgress) -> None:
    question = lesson.quiz[row.question]
    screen.body = t(
        "quiz.question", number=row.question + 1, total=len(lesson.quiz), question=question.text
    )
    options = tuple(Choice("chosen", str(i), text) for i, text in enumerate(question.options))
    screen.forms.append(Form("answer", options))


async def _feedback(
    screen: Screen,
    t: Translator,
    session: AsyncSession,
    person: Person,
    course: Course,
    lesson: Lesson,
    row: LessonProgress,
    after: str,
) -> None:
    """The answer just given, right or not, with its explanation (as the chat shows it)."""
    found = question_at(f"q:{after}")
    if found is None or not just_answered(row, lesson, *found):
        return
    attempt, index = found
    given = await given_answer(session, person, course, lesson.slug, attempt, index)
    if given is None or not 0 <= given.chosen < len(lesson.quiz[index].options):
        return
    question = lesson.quiz[index]
    explanation = question.explanation_for(given.chosen)
    verdict = (
        t("quiz.right", explanation=explanation)
        if given.correct
        else t("quiz.wrong", answer=question.options[question.answer], explanation=explanation)
    )
    your = t("quiz.your_answer", answer=question.options[given.chosen])
    screen.feedback, screen.feedback_right = f"{your}\n{verdict}", given.correct


async def _result(
    screen: Screen,
    t: Translator,
    session: AsyncSession,
    person: Person,
    course: Course,
    lesson: Lesson,
    row: LessonProgress,
    token: str,
    next_url: Callable[[str], str],
) -> None:
    total, number = len(lesson.quiz), course.number(row.lesson)
    if row.status == LessonStatus.passed:
        percent = round(100 * row.correct / total) if total else 0
        screen.body = t(
            "quiz.passed", number=number, right=row.correct, total=total, percent=percent
        )
        following = next_lesson(course, await lesson_progress(session, person, course))
        if following is not None:
            screen.link = (next_url(following), t("lesson.next_lesson"))
        elif await certificate_of(session, person, course) is not None:
            name = person.display_name or t("start.friend")
            title = course.text_in(course.title, t.language)
            screen.lines.append(t("course.completed", name=name, course=title))
            screen.image = (f"{token}/certificate.png", t("certificate.heading"))
        return
    need = right_to_pass(course, total)
    screen.body = t("quiz.failed", right=row.correct, total=total, need=need)
    for index in await missed_questions(session, person, course, row):
        if index < total:
            question = lesson.quiz[index]
            screen.lines.append(
                t("quiz.missed", question=question.text, answer=question.options[question.answer])
            )
    screen.lines.append(t("quiz.failed_next"))
    screen.forms.append(
        Form(
            "",
            (
                Choice("move", "retry", t("lesson.retry"), True),
                Choice("move", "reread", t("lesson.reread")),
            ),
        )
    )

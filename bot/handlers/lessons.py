"""The trainee's daily loop: a lesson card by card, then its quiz with instant feedback.

Every tap is saved. Buttons carry where they were pressed (lesson, card, attempt, question), so a
double tap or a button from an old message never counts twice: it only shows where the person is.
"""

from __future__ import annotations

import re

from bot.core.messages import Attachment, Button, Reply
from bot.core.payloads import (
    HelpTap,
    HelpTopic,
    NextCard,
    OpenLesson,
    QuizAnswerTap,
    RereadLesson,
    RetryQuiz,
    StaleButton,
)
from bot.db.models import LessonProgress, LessonStatus
from bot.handlers.certificates import completion_replies
from bot.handlers.menu import main_menu
from bot.i18n import Translator
from bot.lessons.certificates import complete_course
from bot.lessons.content import screen_limit
from bot.lessons.links import lesson_url
from bot.lessons.model import Course, Lesson, QuizQuestion
from bot.lessons.positions import Followed, follow_publish
from bot.lessons.progress import (
    QuizResult,
    lesson_progress,
    locking_class,
    missed_questions,
    next_lesson,
    open_lesson,
    record_activity,
    right_to_pass,
)
from bot.lessons.quiz import (
    answer,
    fit_to_lesson,
    grade,
    is_double_tap,
    reread,
    retry_quiz,
    turn_card,
)
from bot.pipeline.router import Context, HandlerResult, Router
from bot.scheduling.plans import opening_time, when_text

router = Router("lessons")
_EMPHASIS = re.compile(r"\*\*(.+?)\*\*|__(.+?)__")


def plain(text: str) -> str:
    """Card text for a chat: Markdown emphasis markers removed (chats show them literally)."""
    return _EMPHASIS.sub(lambda m: m.group(1) or m.group(2), text).strip()


def _lesson(ctx: Context, course: Course, slug: str) -> Lesson:
    return course.lesson(slug, ctx.person.language)


def card_reply(ctx: Context, course: Course, row: LessonProgress) -> Reply:
    lesson = _lesson(ctx, course, row.lesson)
    fit_to_lesson(row, lesson, ctx.now)
    card = lesson.cards[row.card]
    header = ctx.t(
        "lesson.header",
        number=course.number(row.lesson),
        total=len(course.lessons),
        title=lesson.title,
        card=row.card + 1,
        cards=len(lesson.cards),
    )
    last = row.card == len(lesson.cards) - 1
    label = ctx.t("lesson.start_quiz") if last else ctx.t("lesson.next")
    button = Button(label, NextCard(row.lesson, row.card).pack())
    image = Attachment(card.image.name, path=card.image) if card.image else None
    text = f"{header}\n\n{plain(card.text)}{page_line(ctx, course, row)}"
    return Reply(text, buttons=((button,),), image=image)


def page_line(ctx: Context, course: Course, row: LessonProgress) -> str:
    """On a lesson's first card, when the web server has a PUBLIC_URL: one line with the link to
    this lesson as a page (bot/web/lesson.py), for the person alone. Empty otherwise: one link
    per lesson is enough, and it costs no extra message or button on any channel."""
    public_url = ctx.services.settings.public_url
    if row.card != 0 or not public_url or ctx.person.id is None:
        return ""
    secret = ctx.services.settings.lesson_link_secret
    url = lesson_url(public_url, secret, ctx.person.id, course.id, row.lesson, ctx.now)
    return "\n\n" + ctx.t("lesson_page.open_page", url=url)


def question_text(ctx: Context, lesson: Lesson, index: int) -> str:
    question = lesson.quiz[index]
    return ctx.t("quiz.question", number=index + 1, total=len(lesson.quiz), question=question.text)


def answer_verdict(ctx: Context, question: QuizQuestion, chosen: int) -> tuple[bool, str]:
    """Whether option `chosen` is right, and the lines shown under the question: the answer
    given, ✅ or ❌ (with the right one) and the explanation. In a quiz and in a review alike."""
    correct = grade(question, chosen)
    explanation = question.explanation_for(chosen)
    verdict = (
        ctx.t("quiz.right", explanation=explanation)
        if correct
        else ctx.t("quiz.wrong", answer=question.options[question.answer], explanation=explanation)
    )
    return correct, f"{ctx.t('quiz.your_answer', answer=question.options[chosen])}\n{verdict}"


def question_reply(ctx: Context, course: Course, row: LessonProgress) -> Reply:
    lesson = _lesson(ctx, course, row.lesson)
    question = lesson.quiz[row.question]
    buttons = tuple(
        (Button(option, QuizAnswerTap(row.lesson, row.attempt, row.question, i).pack()),)
        for i, option in enumerate(question.options)
    )
    return Reply(question_text(ctx, lesson, row.question), buttons=buttons)


async def result_reply(
    ctx: Context, course: Course, row: LessonProgress, result: QuizResult
) -> Reply:
    """Passed: the score and the next lesson. Not yet: the score, each missed question with its
    right answer (so the retry is not a guess), then reread or retry."""
    if result.passed:
        text = ctx.t(
            "quiz.passed",
            number=course.number(row.lesson),
            right=result.right,
            total=result.total,
            percent=result.percent,
        )
        return Reply(text, buttons=((Button(ctx.t("lesson.next_lesson"), OpenLesson().pack()),),))
    lesson = _lesson(ctx, course, row.lesson)
    missed = await missed_questions(ctx.session, ctx.person, course, row)
    text = failure_text(ctx.t, course, lesson, missed, result.right)
    buttons = (
        (Button(ctx.t("lesson.reread"), RereadLesson(row.lesson).pack()),),
        (Button(ctx.t("lesson.retry"), RetryQuiz(row.lesson).pack()),),
    )
    return Reply(text, buttons=buttons)


def failure_text(
    t: Translator, course: Course, lesson: Lesson, missed: list[int], right: int
) -> str:
    """The score, each missed question with its right answer, and what to do next, within one
    phone screen: the right answers alone, by question number, when the questions would not
    fit."""
    total = len(lesson.quiz)
    head = t("quiz.failed", right=right, total=total, need=right_to_pass(course, total))
    shown = [(index, lesson.quiz[index]) for index in missed if index < total]
    lines = [t("quiz.missed", question=q.text, answer=q.options[q.answer]) for _, q in shown]
    text = "\n\n".join([head, *(["\n".join(lines)] if lines else []), t("quiz.failed_next")])
    if len(text) <= screen_limit(lesson.language):
        return text
    lines = [t("quiz.missed_short", number=i + 1, answer=q.options[q.answer]) for i, q in shown]
    return "\n\n".join([head, "\n".join(lines), t("quiz.failed_next")])


async def position_reply(ctx: Context, course: Course, row: LessonProgress) -> Reply:
    """Whatever the person should see now in this lesson."""
    lesson = _lesson(ctx, course, row.lesson)
    fit_to_lesson(row, lesson, ctx.now)
    if row.status == LessonStatus.quiz:
        return question_reply(ctx, course, row)
    if row.status in (LessonStatus.passed, LessonStatus.failed):
        total = len(lesson.quiz)
        right = round((row.last_score or 0.0) * total)
        return await result_reply(
            ctx, course, row, QuizResult(right, total, row.status == LessonStatus.passed)
        )
    return card_reply(ctx, course, row)


@router.command("lesson")
@router.menu("menu.lesson")
async def next_lesson_for_trainee(ctx: Context) -> HandlerResult:
    """Open the next lesson not passed yet, where the person left it."""
    course = ctx.services.course_for(ctx.person)
    progress = await lesson_progress(ctx.session, ctx.person, course)
    slug = next_lesson(course, progress)
    if slug is None:
        title = course.text_in(course.title, ctx.person.language)
        button = Button(ctx.t("help.certificate"), HelpTap(HelpTopic.certificate).pack())
        return Reply(ctx.t("lesson.all_done", course=title), buttons=((button,),))
    # A lesson plan may not have opened it yet (one already started stays open).
    locked = None if slug in progress else await locked_reply(ctx, course, slug)
    if locked is not None:
        return locked
    replies = []
    if not progress:
        language = ctx.person.language
        intro = ctx.t(
            "lesson.course_intro",
            course=course.text_in(course.title, language),
            welcome=course.text_in(course.welcome, language),
        )
        replies.append(Reply(intro, menu=await main_menu(ctx)))
    row = progress.get(slug) or await open_lesson(ctx.session, ctx.person, course, slug, ctx.now)
    _, note = caught_up(ctx, course, row)
    if note is not None:
        replies.append(note)
    await record_activity(ctx.session, ctx.person, ctx.now)
    replies.append(await position_reply(ctx, course, row))
    return replies


async def locked_reply(ctx: Context, course: Course, slug: str) -> Reply | None:
    """When the person's class has not unlocked lesson `slug` yet (a lesson plan): the day it
    opens, or "soon" without a running plan. None when the lesson is open."""
    cohort = await locking_class(ctx.session, ctx.person, course, slug)
    if cohort is None:
        return None
    number = course.number(slug)
    opens = await opening_time(ctx.session, cohort, number)
    if opens is None:
        text = ctx.t("lesson.locked_soon", number=number)
    else:
        day, at = when_text(opens, ctx.person.timezone, ctx.person.language)
        text = ctx.t("lesson.locked", number=number, date=day, time=at)
    return Reply(text, menu=await main_menu(ctx))


async def where_you_are(ctx: Context, course: Course, row: LessonProgress) -> HandlerResult:
    """An old or repeated button: silence for a double tap, else where the person is. A button
    of a lesson already passed says only that, then shows the lesson they are on now."""
    if is_double_tap(row, ctx.now):
        return None
    if row.status == LessonStatus.passed:
        old = Reply(ctx.t("lesson.old_button", number=course.number(row.lesson)))
        progress = await lesson_progress(ctx.session, ctx.person, course)
        slug = next_lesson(course, progress)
        current = progress.get(slug) if slug is not None else None
        if current is not None:
            return [old, await position_reply(ctx, course, current)]
        if slug is None:
            return old
        label = ctx.t("start.lesson", number=course.number(slug))
        return Reply(old.text, buttons=((Button(label, OpenLesson().pack()),),))
    return [Reply(ctx.t("lesson.where_you_were")), await position_reply(ctx, course, row)]


@router.button(OpenLesson)
async def open_lesson_tap(ctx: Context, _: OpenLesson) -> HandlerResult:
    return await next_lesson_for_trainee(ctx)


def caught_up(ctx: Context, course: Course, row: LessonProgress) -> tuple[bool, Reply | None]:
    """The row moved into the version of the course served now (bot.lessons.positions):
    whether the person's place moved, and a note when the quiz they were in starts again."""
    followed = follow_publish(ctx.settings, course, row, ctx.person.language, ctx.now)
    note = Reply(ctx.t("quiz.changed")) if followed is Followed.quiz_restarted else None
    return followed is not Followed.same, note


class PlaceMoved(Exception):
    """A new version of the course moved the person's place: a tap from before is not on it."""

    def __init__(self, course: Course, row: LessonProgress, note: Reply | None) -> None:
        self.course, self.row, self.note = course, row, note


async def tapped_row(ctx: Context, slug: str) -> tuple[Course, LessonProgress]:
    """The person's row of the lesson a button names, moved into the version served now;
    StaleButton when they never opened it or the course no longer has it, PlaceMoved when a
    new version moved their place."""
    course = ctx.services.course_for(ctx.person)
    row = (await lesson_progress(ctx.session, ctx.person, course)).get(slug)
    if row is None or row.lesson not in course.lessons:
        raise StaleButton(slug)
    moved, note = caught_up(ctx, course, row)
    if moved:
        raise PlaceMoved(course, row, note)
    return course, row


async def new_place(ctx: Context, moved: PlaceMoved) -> HandlerResult:
    """Where the person is now, after the note (if any) that their quiz starts again."""
    shown = await position_reply(ctx, moved.course, moved.row)
    return [moved.note, shown] if moved.note is not None else shown


@router.button(NextCard)
async def next_card(ctx: Context, tap: NextCard) -> HandlerResult:
    try:
        course, row = await tapped_row(ctx, tap.lesson)
    except PlaceMoved as moved:
        return await new_place(ctx, moved)
    lesson = _lesson(ctx, course, row.lesson)
    if not await turn_card(ctx.session, ctx.person, row, lesson, tap.card, ctx.now):
        return await where_you_are(ctx, course, row)
    return (
        question_reply(ctx, course, row)
        if row.status == LessonStatus.quiz
        else card_reply(ctx, course, row)
    )


@router.button(RetryQuiz)
async def retry(ctx: Context, tap: RetryQuiz) -> HandlerResult:
    try:
        course, row = await tapped_row(ctx, tap.lesson)
    except PlaceMoved as moved:
        return await new_place(ctx, moved)
    if not await retry_quiz(ctx.session, ctx.person, row, ctx.now):
        return await where_you_are(ctx, course, row)
    return question_reply(ctx, course, row)


@router.button(RereadLesson)
async def read_again(ctx: Context, tap: RereadLesson) -> HandlerResult:
    try:
        course, row = await tapped_row(ctx, tap.lesson)
    except PlaceMoved as moved:
        return await new_place(ctx, moved)
    if not await reread(ctx.session, ctx.person, row, ctx.now):
        return await where_you_are(ctx, course, row)
    return card_reply(ctx, course, row)


@router.button(QuizAnswerTap)
async def quiz_answer(ctx: Context, tap: QuizAnswerTap) -> HandlerResult:
    try:
        course, row = await tapped_row(ctx, tap.lesson)
    except PlaceMoved as moved:
        return await new_place(ctx, moved)
    lesson = _lesson(ctx, course, row.lesson)
    counted = await answer(
        ctx.session,
        ctx.person,
        course,
        row,
        lesson,
        attempt=tap.attempt,
        index=tap.question,
        chosen=tap.chosen,
        now=ctx.now,
    )
    if counted is None:
        return await where_you_are(ctx, course, row)
    _, verdict = answer_verdict(ctx, counted.question, tap.chosen)
    feedback = Reply(f"{question_text(ctx, lesson, tap.question)}\n\n{verdict}", edit=True)
    if counted.result is None:
        return [feedback, question_reply(ctx, course, row)]
    replies = [feedback, await result_reply(ctx, course, row, counted.result)]
    if counted.result.passed:
        certificate = await complete_course(ctx.session, ctx.person, course, ctx.now)
        if certificate is not None:
            replies += await completion_replies(ctx, course, certificate)
    return replies

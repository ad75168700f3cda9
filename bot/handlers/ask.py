"""Questions in the trainee's own words: an answer from the course that names its lesson, or an
honest "not covered" and a button that passes the question to their lecturer."""

from __future__ import annotations

import asyncio
import logging
import re
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager, nullcontext

from bot.cohorts.service import at_least, cohort_for, cohorts_visible_to
from bot.core.messages import Button, Kind, Reply
from bot.core.payloads import (
    AddEntry,
    HandToLecturer,
    OpenLesson,
    ReadLesson,
    StaleButton,
    whole_number,
)
from bot.db.models import Role, TraineeQuestion
from bot.handlers.join import open_bare_code
from bot.handlers.menu import asks_for_menu, main_menu, show_menu
from bot.handlers.talk import class_of, pass_to_lecturer, reply_to_talk
from bot.pipeline.router import AccessDenied, Context, HandlerResult, Router
from bot.qa import lecturer
from bot.qa.audio import MAX_SECONDS, AudioRefused, Refusal, for_transcription
from bot.qa.entries import times_asked
from bot.qa.service import QuotaReached

router = Router("ask")
log = logging.getLogger(__name__)
TYPING_EVERY = 4.0  # seconds; a chat action shows for about five
# The lecturer's copy of a question ends with "/answer N ..." in every language: replying to it
# answers question N.
QUOTED_QUESTION = re.compile(r"/answer\s+([0-9]+)")


@asynccontextmanager
async def typing(ctx: Context) -> AsyncIterator[None]:
    """Show "typing…" to the person until the block ends, where the channel can."""
    if ctx.offers.show_typing is None:
        yield
        return

    async def keep_showing() -> None:
        while True:
            try:
                await ctx.show_typing()
            except Exception as error:  # a chat action is a courtesy: never fail the answer
                log.info("could not show typing: %s", error)
            await asyncio.sleep(TYPING_EVERY)

    task = asyncio.create_task(keep_showing())
    try:
        yield
    finally:
        task.cancel()


async def answer_question(ctx: Context, text: str) -> HandlerResult:
    talk = await reply_to_talk(ctx, text)
    if talk is not None:  # small talk, the class itself or a personal matter: not the course
        return talk
    asker = ctx.services.asker
    if asker is None or not any(ch.isalpha() for ch in text):
        # no words at all ("3" with no choices on screen, "??", "👍"): not a question to search
        return Reply(ctx.t("fallback.text"), menu=await main_menu(ctx))
    if len(text) > ctx.settings.qa_max_length:
        return Reply(ctx.t("qa.too_long", limit=ctx.settings.qa_max_length))
    course = ctx.services.course_for(ctx.person)
    try:
        # An LLM may take seconds: say we are on it. Retrieval alone answers at once.
        async with typing(ctx) if asker.llm is not None else nullcontext():
            question, answer = await asker.ask(ctx.session, ctx.person, course, text, ctx.now)
    except QuotaReached:
        cohort = await class_of(ctx)
        key = "qa.quota" if cohort is not None and cohort.lecturer_id else "qa.quota_alone"
        return Reply(ctx.t(key, quota=ctx.settings.qa_daily_quota), menu=await main_menu(ctx))
    rows = []
    for source in answer.sources[:2]:
        lesson = course.lesson(source.lesson, ctx.person.language)
        rows.append((Button(f"📖 {lesson.title}"[:60], ReadLesson(source.lesson).pack()),))
    if answer.answered:
        return Reply(answer.text, buttons=tuple(rows))
    cohort = await class_of(ctx)
    if cohort is None or cohort.lecturer_id is None:  # no lecturer to offer: say what we can do
        return Reply(ctx.t("qa.not_covered_alone"), buttons=tuple(rows), menu=await main_menu(ctx))
    hand = HandToLecturer(question.id or 0)
    rows.append((Button(ctx.t("qa.ask_lecturer"), hand.pack()),))
    return Reply(answer.text, buttons=tuple(rows))


@router.command("ask")
async def ask_command(ctx: Context) -> HandlerResult:
    if not ctx.incoming.text.strip():
        return Reply(ctx.t("qa.usage"), menu=await main_menu(ctx))
    return await answer_question(ctx, ctx.incoming.text.strip())


async def free_text(ctx: Context) -> HandlerResult:
    """A question; a class or link code on its own (bot.handlers.join.open_bare_code); or, from
    a lecturer replying to a passed-on question, the answer to it."""
    quoted = QUOTED_QUESTION.search(ctx.incoming.reply_to_text)
    if quoted is not None and at_least(ctx.person, Role.lecturer):
        number = whole_number(quoted.group(1))
        if number is None:
            return Reply(ctx.t("qa.answer_usage"))
        return await send_lecturer_answer(ctx, number, ctx.incoming.text.strip())
    if not ctx.incoming.text.strip():  # only spaces (or control characters, taken out)
        return Reply(ctx.t("qa.usage"), menu=await main_menu(ctx))
    if asks_for_menu(ctx.incoming.text):  # "menú", "0": not a question for the course
        return await show_menu(ctx)
    opened = await open_bare_code(ctx, ctx.incoming.text)  # a code typed off a poster
    if opened is not None:
        return opened
    return await answer_question(ctx, ctx.incoming.text.strip())


router.fallback_text = free_text


@router.on(Kind.voice)
async def voice_question(ctx: Context) -> HandlerResult:
    """A voice note: transcribed by the provider's audio endpoint when one is configured. A
    format the endpoint does not take (WeChat's AMR) is converted to WAV first."""
    asker = ctx.services.asker
    llm = asker.llm if asker is not None else None
    model = ctx.settings.transcription_model
    fetches = ctx.offers.fetch_file is not None  # from the channel the voice note came by
    if llm is None or not fetches or not model or not ctx.incoming.file_ref:
        return Reply(ctx.t("error.voice"), menu=await main_menu(ctx))
    from bot.qa.llm import transcribe

    try:
        audio = await ctx.fetch_file(ctx.incoming.file_ref)
    except Exception:  # the platform would not give us the file: ask them to type
        return Reply(ctx.t("error.voice"), menu=await main_menu(ctx))
    try:
        filename, audio = await for_transcription(audio, ctx.incoming.file_format)
    except AudioRefused as refused:
        log.info("voice message not transcribed: %s", refused)
        if refused.refusal in (Refusal.too_long, Refusal.too_large):
            words = ctx.t("error.voice_too_long", minutes=MAX_SECONDS // 60)
            return Reply(words, menu=await main_menu(ctx))
        return Reply(ctx.t("error.voice"), menu=await main_menu(ctx))
    text = await transcribe(
        llm.client,
        audio,
        filename,
        model,
        language=ctx.person.language,
    )
    if not text:
        return Reply(ctx.t("error.voice"), menu=await main_menu(ctx))
    return await answer_question(ctx, text)


@router.button(ReadLesson)
async def read_lesson(ctx: Context, tap: ReadLesson) -> HandlerResult:
    """The lesson an answer came from: its summary and first card."""
    course = ctx.services.course_for(ctx.person)
    if tap.lesson not in course.lessons:
        raise StaleButton(tap.lesson)
    lesson = course.lesson(tap.lesson, ctx.person.language)
    text = "\n\n".join([f"📖 {lesson.title}", lesson.summary, lesson.cards[0].text.strip()])
    return Reply(text, buttons=((Button(ctx.t("menu.lesson"), OpenLesson().pack()),),))


@router.button(HandToLecturer)
async def hand_to_lecturer(ctx: Context, tap: HandToLecturer) -> HandlerResult:
    question = await ctx.session.get(TraineeQuestion, tap.question)
    if question is None or question.person_id != ctx.person.id:
        raise StaleButton(tap.question)
    if question.handed_off:
        return None  # a second tap
    cohort = await class_of(ctx)
    if cohort is None or cohort.lecturer_id is None:
        return Reply(ctx.t("qa.no_lecturer"), menu=await main_menu(ctx))
    await pass_to_lecturer(ctx, question, cohort.lecturer_id)
    return Reply(ctx.t("qa.handed_off"), edit=False)


@router.command("answer", role=Role.lecturer)
async def lecturer_answers(ctx: Context) -> HandlerResult:
    """`/answer ID text`: the lecturer's answer goes to the trainee who asked."""
    typed, _, text = ctx.incoming.text.strip().partition(" ")
    number = whole_number(typed)
    if number is None:
        return Reply(ctx.t("qa.answer_usage"))
    return await send_lecturer_answer(ctx, number, text)


async def send_lecturer_answer(ctx: Context, number: int, text: str) -> HandlerResult:
    """Keep a lecturer's answer to question `number` and send it to the trainee who asked (the
    caller checked that this person is a lecturer; here: that the question is theirs to answer)."""
    question = await ctx.session.get(TraineeQuestion, number)
    if question is None or not text.strip():
        return Reply(ctx.t("qa.answer_usage"))
    cohort = (
        await cohort_for(ctx.session, ctx.person, question.cohort_id)
        if question.cohort_id
        else None
    )
    if cohort is None and not at_least(ctx.person, Role.coordinator):
        raise AccessDenied(number)
    await lecturer.send_answer(ctx.session, question, text, ctx.now)
    sent = ctx.t("qa.answer_sent", number=question.id)
    if not question.normalised:  # a personal matter: never one of the answers
        return Reply(sent)
    keep = ((Button(ctx.t("answers.add"), AddEntry(question.id or 0).pack()),),)
    times = await times_asked(ctx.session, question, ctx.now)
    if times >= 2:  # the same question again: propose keeping the answer
        return Reply(ctx.t("answers.propose", number=question.id, times=times), buttons=keep)
    return Reply(sent, buttons=keep)


@router.command("questions", role=Role.lecturer)
async def open_questions(ctx: Context) -> HandlerResult:
    """The questions passed to this lecturer that wait for an answer."""
    cohorts = [c.id or 0 for c in await cohorts_visible_to(ctx.session, ctx.person)]
    rows = await lecturer.open_questions(ctx.session, cohorts)
    lines = [
        ctx.t("qa.open_line", number=q.id, name=name or "—", question=q.text[:200])
        for q, name in rows
    ]
    if not lines:
        return Reply(ctx.t("qa.none_open"))
    return Reply("\n\n".join([ctx.t("qa.open_title"), *lines]))

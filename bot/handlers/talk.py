"""Messages that are not questions for the course (bot.qa.intents): a warm word for small talk,
the class's own dates and names for questions about the class, and personal matters straight to
the lecturer. None of them is searched in the course or kept in the answer cache."""

from __future__ import annotations

from bot.core.messages import Button, Reply
from bot.core.payloads import HandToLecturer
from bot.db.models import Cohort, DeliveryKind, Person, TraineeQuestion
from bot.handlers.menu import main_menu
from bot.handlers.start import welcome
from bot.pipeline.router import Context, HandlerResult
from bot.qa.intents import ABOUT_THE_CLASS, SMALL_TALK, Intent, read_intent
from bot.scheduling import store
from bot.scheduling.plans import when_text
from bot.scheduling.timetable import coming_up


async def reply_to_talk(ctx: Context, text: str) -> HandlerResult | None:
    """The reply when `text` is small talk, about the class or personal; None for a question
    the course should answer."""
    intent = read_intent(text)
    if intent is None:
        return None
    if intent in SMALL_TALK:
        return await _small_talk(ctx, intent)
    cohort = await class_of(ctx)
    if intent is Intent.personal:
        return await _personal(ctx, cohort, text)
    assert intent in ABOUT_THE_CLASS
    if cohort is None:
        return Reply(ctx.t("talk.no_class"), menu=await main_menu(ctx))
    if intent is Intent.next_class:
        return await _next_class(ctx, cohort, text)
    lecturer = await ctx.session.get(Person, cohort.lecturer_id) if cohort.lecturer_id else None
    if lecturer is None:
        said = ctx.t("talk.your_class_no_lecturer", cohort=cohort.name)
    else:
        name = lecturer.display_name or ctx.t("start.friend")
        said = ctx.t("talk.your_class", cohort=cohort.name, name=name)
    return Reply(said, menu=await main_menu(ctx))


async def class_of(ctx: Context) -> Cohort | None:
    """The class the person studies with now, if any."""
    if ctx.person.cohort_id is None:
        return None
    return await ctx.session.get(Cohort, ctx.person.cohort_id)


async def pass_to_lecturer(ctx: Context, question: TraineeQuestion, lecturer_id: int) -> None:
    """Mark the question passed on and queue it for the lecturer, now."""
    question.handed_off = True
    ctx.session.add(question)
    await store.enqueue(
        ctx.session,
        [lecturer_id],
        kind=DeliveryKind.question,
        ref=f"q:{question.id}",
        due_at=ctx.now,
    )


async def _small_talk(ctx: Context, intent: Intent) -> HandlerResult:
    if intent is Intent.hello and not ctx.person.language_chosen:
        return await welcome(ctx)  # a first "hola" before /start: the welcome itself
    return Reply(ctx.t(f"talk.{intent.value}"), menu=await main_menu(ctx))


async def _personal(ctx: Context, cohort: Cohort | None, text: str) -> HandlerResult:
    asker = ctx.services.asker
    if cohort is None or cohort.lecturer_id is None or asker is None:
        # Nobody to read it: keep nothing of it (it may hold a phone number or an address).
        return Reply(ctx.t("qa.personal_alone"), menu=await main_menu(ctx))
    course = ctx.services.course_for(ctx.person)
    question = await asker.keep_for_lecturer(ctx.session, ctx.person, course, text, ctx.now)
    await pass_to_lecturer(ctx, question, cohort.lecturer_id)
    return Reply(ctx.t("qa.personal_sent"), menu=await main_menu(ctx))


async def _next_class(ctx: Context, cohort: Cohort, text: str) -> HandlerResult:
    coming = await coming_up(ctx.session, cohort, ctx.now)
    language = ctx.person.language
    lines = []
    if coming.lesson_at is not None:
        day, at = when_text(coming.lesson_at, cohort.timezone, language)
        lines.append(ctx.t("talk.next_lesson", date=day, time=at))
    if coming.announcement_at is not None:
        day, at = when_text(coming.announcement_at, cohort.timezone, language)
        lines.append(ctx.t("talk.next_message", date=day, time=at))
    if lines:
        return Reply("\n".join(lines), menu=await main_menu(ctx))
    asker = ctx.services.asker
    if cohort.lecturer_id is None or asker is None:
        return Reply(ctx.t("qa.no_lecturer"), menu=await main_menu(ctx))
    course = ctx.services.course_for(ctx.person)
    question = await asker.keep_for_lecturer(ctx.session, ctx.person, course, text, ctx.now)
    button = Button(ctx.t("qa.ask_lecturer"), HandToLecturer(question.id or 0).pack())
    return Reply(ctx.t("talk.class_unknown"), buttons=((button,),))

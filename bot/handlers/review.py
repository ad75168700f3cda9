"""Review: questions answered wrongly come back after 1, 3 and 7 days until they are learned."""

from __future__ import annotations

from bot.core.messages import Button, Reply
from bot.core.payloads import button_fields, button_number
from bot.db.models import ReviewItem
from bot.handlers.lessons import answer_verdict
from bot.handlers.menu import main_menu
from bot.lessons.progress import next_review, record_activity, refresh_review_due, reschedule
from bot.pipeline.router import Context, HandlerResult, Router

router = Router("review")


def review_text(ctx: Context, item: ReviewItem) -> str | None:
    """The question of a review item, or None when the lesson no longer has it."""
    course = ctx.services.course_for(ctx.person)
    if item.lesson not in course.lessons:
        return None
    lesson = course.lesson(item.lesson, ctx.person.language)
    if item.question >= len(lesson.quiz):
        return None
    return ctx.t("review.question", lesson=lesson.title, question=lesson.quiz[item.question].text)


async def next_review_reply(ctx: Context, *, none_key: str) -> Reply:
    """The next due question with its options, or `none_key`'s text and the menu."""
    course = ctx.services.course_for(ctx.person)
    while (item := await next_review(ctx.session, ctx.person, course, ctx.now)) is not None:
        text = review_text(ctx, item)
        if text is not None:
            break
        await ctx.session.delete(item)  # its question left the course
        await refresh_review_due(ctx.session, ctx.person)
    if item is None:
        return Reply(ctx.t(none_key), menu=await main_menu(ctx))
    assert text is not None  # the loop stops at an item only once it has a text
    question = course.lesson(item.lesson, ctx.person.language).quiz[item.question]
    buttons = tuple(
        (Button(option, f"rev:{item.id}:{item.step}:{i}"),)
        for i, option in enumerate(question.options)
    )
    return Reply(text, buttons=buttons)


@router.command("review")
@router.menu("menu.review")
async def start_review(ctx: Context) -> HandlerResult:
    return await next_review_reply(ctx, none_key="review.none")


@router.button("rev")
async def review_answer(ctx: Context) -> HandlerResult:
    item_id, step, chosen = map(button_number, button_fields(ctx.incoming.payload, 3))
    item = await ctx.session.get(ReviewItem, item_id)
    if (
        item is None
        or item.person_id != ctx.person.id
        or item.step != step
        or item.due_at > ctx.now
    ):
        return None  # answered already (a double tap, or an old message): nothing counts twice
    text = review_text(ctx, item)
    if text is None:
        return await next_review_reply(ctx, none_key="review.done")
    course = ctx.services.course_for(ctx.person)
    question = course.lesson(item.lesson, ctx.person.language).quiz[item.question]
    if not 0 <= chosen < len(question.options):
        return Reply(ctx.t("error.stale_button"), menu=await main_menu(ctx))
    correct, verdict = answer_verdict(ctx, question, chosen)
    if reschedule(item, correct, ctx.now):
        await ctx.session.delete(item)
    else:
        ctx.session.add(item)
    await refresh_review_due(ctx.session, ctx.person)
    await record_activity(ctx.session, ctx.person, ctx.now)
    feedback = Reply(f"{text}\n\n{verdict}", edit=True)
    return [feedback, await next_review_reply(ctx, none_key="review.done")]

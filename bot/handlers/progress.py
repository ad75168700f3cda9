"""📊 My progress: lessons done as a bar, quiz average, days in a row."""

from __future__ import annotations

from bot.core.messages import Reply
from bot.handlers.menu import main_menu
from bot.lessons.progress import lesson_progress, streak, summarise
from bot.pipeline.router import Context, HandlerResult, Router

router = Router("progress")
BAR = 10


def bar(share: float) -> str:
    filled = round(share * BAR)
    return "▰" * filled + "▱" * (BAR - filled)


@router.command("progress")
@router.menu("menu.progress")
async def my_progress(ctx: Context) -> HandlerResult:
    course = ctx.services.course_for(ctx.person)
    summary = summarise(course, await lesson_progress(ctx.session, ctx.person, course))
    share = summary.passed / summary.total if summary.total else 0.0
    average = (
        f"{round(summary.average * 100)}%"
        if summary.average is not None
        else ctx.t("progress.no_quiz_yet")
    )
    text = ctx.t(
        "progress.text",
        course=course.text_in(course.title, ctx.person.language),
        done=summary.passed,
        total=summary.total,
        bar=bar(share),
        percent=round(share * 100),
        average=average,
        streak=await streak(ctx.session, ctx.person, ctx.now),
    )
    return Reply(text, menu=await main_menu(ctx))

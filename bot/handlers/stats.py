"""Coordinators' statistics in the chat: a short summary, a chart for the phone, and the
spreadsheet for the laptop."""

from __future__ import annotations

from bot.cohorts.service import at_least
from bot.core.messages import Attachment, Button, Reply
from bot.core.payloads import StaleButton, button_fields, button_number
from bot.db.models import Cohort, Role
from bot.handlers.menu import main_menu
from bot.pipeline.router import Context, HandlerResult, Router
from bot.stats.labels import chart_labels, export_labels
from bot.stats.model import AskedQuestions, CohortStats
from bot.stats.queries import all_cohort_stats, cohort_stats, main_course, trainee_rows

router = Router("stats")
MISSED_SHOWN = 3
TOPICS_SHOWN = 3  # a phone screen; the spreadsheet lists five


def percent(share: float | None, ctx: Context) -> str:
    return ctx.t("stats.no_score") if share is None else f"{round(share * 100)}%"


def summary_text(ctx: Context, stats: CohortStats) -> str:
    text = ctx.t(
        "stats.summary",
        name=stats.name,
        enrolled=stats.enrolled,
        active=stats.active_7d,
        completed=stats.completed,
        completion=percent(stats.completion_rate, ctx),
        average=percent(stats.average_score, ctx),
    )
    if stats.most_missed:
        lines = [ctx.t("stats.missed_title")]
        for missed in stats.most_missed[:MISSED_SHOWN]:
            lines.append(
                ctx.t(
                    "stats.missed_line",
                    lesson=missed.lesson_title,
                    number=missed.index + 1,
                    share=percent(missed.share, ctx),
                )
            )
        text += "\n\n" + "\n".join(lines)
    return text + "\n\n" + questions_text(ctx, stats.asked)


def questions_text(ctx: Context, asked: AskedQuestions) -> str:
    """What trainees asked the bot: how many, the share it could not answer, the questions
    waiting for a lecturer, and the lessons asked about most."""
    if not asked.total:
        return ctx.t("stats.no_questions")
    lines = [
        ctx.t(
            "stats.questions",
            asked=asked.total,
            unanswered=percent(asked.unanswered_share, ctx),
            waiting=asked.waiting,
        )
    ]
    if asked.topics or asked.not_covered:
        lines.append(ctx.t("stats.topics_title"))
        for topic in asked.topics[:TOPICS_SHOWN]:
            lines.append(ctx.t("stats.topic_line", lesson=topic.title, count=topic.questions))
        if asked.not_covered:
            lines.append(ctx.t("stats.not_covered_line", count=asked.not_covered))
    return "\n".join(lines)


def chart_reply(ctx: Context, stats: CohortStats, buttons: tuple[tuple[Button, ...], ...]) -> Reply:
    from bot.stats.chart import completion_chart  # matplotlib loads on the first chart only

    png = completion_chart(stats, chart_labels(ctx.t))
    name = f"stats-{stats.cohort_id or 'all'}.png"
    return Reply(summary_text(ctx, stats), image=Attachment(name, data=png), buttons=buttons)


def export_button(ctx: Context, cohort_id: int | None) -> Button:
    return Button(ctx.t("stats.export"), f"stats:export:{cohort_id or 'all'}")


async def refuse(ctx: Context) -> Reply:
    return Reply(ctx.t("access.denied"), menu=await main_menu(ctx))


@router.command("stats")
@router.menu("menu.stats")
async def overall(ctx: Context) -> HandlerResult:
    """Every cohort's trainees together, then a button per cohort and the spreadsheet."""
    if not at_least(ctx.person, Role.coordinator):
        return await refuse(ctx)
    course_id = await main_course(ctx.session)
    if course_id is None or course_id not in ctx.services.courses:
        return Reply(ctx.t("stats.nobody"), menu=await main_menu(ctx))
    language = ctx.person.language
    stats = await cohort_stats(
        ctx.session, ctx.services.courses, None, ctx.now, language, course_id=course_id
    )
    cohorts = await all_cohort_stats(ctx.session, ctx.services.courses, ctx.now, language)
    per_cohort = tuple(
        (Button(f"👥 {c.name} · {c.enrolled}", f"stats:cohort:{c.cohort_id}"),)
        for c in cohorts[:30]
    )
    replies = [chart_reply(ctx, stats, ((export_button(ctx, None),),))]
    if per_cohort:
        replies.append(Reply(ctx.t("stats.pick_cohort"), buttons=per_cohort))
    return replies


@router.button("stats")
async def stats_button(ctx: Context) -> HandlerResult:
    if not at_least(ctx.person, Role.coordinator):
        return await refuse(ctx)
    action, *target = button_fields(ctx.incoming.payload, 1, 2)
    if (action == "all") != (not target):
        raise StaleButton(ctx.incoming.payload)
    cohort_id = button_number(target[0]) if target and target[0] != "all" else None
    if cohort_id is not None and await ctx.session.get(Cohort, cohort_id) is None:
        return Reply(ctx.t("error.stale_button"), menu=await main_menu(ctx))
    language = ctx.person.language
    if action == "cohort" and cohort_id is not None:
        stats = await cohort_stats(ctx.session, ctx.services.courses, cohort_id, ctx.now, language)
        return chart_reply(ctx, stats, ((export_button(ctx, cohort_id),),))
    if action == "export":
        return await spreadsheet(ctx, cohort_id)
    if action == "all":
        return await overall(ctx)
    return Reply(ctx.t("error.stale_button"), menu=await main_menu(ctx))


async def spreadsheet(ctx: Context, cohort_id: int | None) -> Reply:
    from bot.stats.export import trainees_xlsx

    language = ctx.person.language
    if cohort_id is None:
        course_id = await main_course(ctx.session)
        if course_id is None or course_id not in ctx.services.courses:
            return Reply(ctx.t("stats.nobody"), menu=await main_menu(ctx))
        stats = await cohort_stats(
            ctx.session, ctx.services.courses, None, ctx.now, language, course_id=course_id
        )
    else:
        stats = await cohort_stats(ctx.session, ctx.services.courses, cohort_id, ctx.now, language)
    course = ctx.services.courses[stats.course_id]
    rows = await trainee_rows(ctx.session, course, cohort_id)
    data = trainees_xlsx(course, rows, export_labels(ctx.t), stats, language)
    name = f"trainees-{cohort_id or 'all'}.xlsx"
    caption = ctx.t("stats.export_caption", name=stats.name)
    return Reply(caption, document=Attachment(name, data=data))

"""Coordinators' statistics in the chat: a short summary, a chart for the phone, and the
spreadsheet for the laptop."""

from __future__ import annotations

from datetime import timedelta

from bot.core.messages import Attachment, Button, Reply
from bot.core.payloads import (
    AllStats,
    CohortStatsTap,
    ExportAll,
    ExportCohort,
    StaleButton,
)
from bot.db.models import Cohort, Role
from bot.handlers.menu import main_menu
from bot.pipeline.router import Context, HandlerResult, Router
from bot.stats.labels import chart_labels, export_labels
from bot.stats.model import AskedQuestions, CohortStats, MessageReach
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
    reach = reach_text(ctx, stats.reach)
    if reach:
        text += "\n\n" + reach
    return text + "\n\n" + questions_text(ctx, stats.asked)


def reach_text(ctx: Context, reach: MessageReach) -> str:
    """How many tracked messages (WhatsApp, WeChat templates) reached the phone and were read,
    and who has not been reached for days; "" for a group with no receipts (Telegram reports
    none)."""
    if not reach.messages:
        return ""
    lines = [
        ctx.t(
            "stats.reach",
            messages=reach.messages,
            delivered=reach.delivered,
            delivered_share=percent(reach.delivered_share, ctx),
            read=reach.read,
            read_share=percent(reach.read_share, ctx),
        ),
        ctx.t(
            "stats.unreachable",
            days=ctx.settings.unreachable_after_days,
            count=reach.unreachable,
        ),
    ]
    return "\n".join(lines)


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


def unreachable_after(ctx: Context) -> timedelta:
    return timedelta(days=ctx.settings.unreachable_after_days)


def chart_reply(ctx: Context, stats: CohortStats, buttons: tuple[tuple[Button, ...], ...]) -> Reply:
    from bot.stats.chart import completion_chart  # matplotlib loads on the first chart only

    png = completion_chart(stats, chart_labels(ctx.t))
    name = f"stats-{stats.cohort_id or 'all'}.png"
    return Reply(summary_text(ctx, stats), image=Attachment(name, data=png), buttons=buttons)


def export_button(ctx: Context, cohort_id: int | None) -> Button:
    payload = ExportAll() if cohort_id is None else ExportCohort(cohort_id)
    return Button(ctx.t("stats.export"), payload.pack())


@router.command("stats", role=Role.coordinator)
@router.menu("menu.stats", role=Role.coordinator)
async def overall(ctx: Context) -> HandlerResult:
    """Every cohort's trainees together, then a button per cohort and the spreadsheet."""
    course_id = await main_course(ctx.session)
    if course_id is None or course_id not in ctx.services.courses:
        return Reply(ctx.t("stats.nobody"), menu=await main_menu(ctx))
    language = ctx.person.language
    window = unreachable_after(ctx)
    stats = await cohort_stats(
        ctx.session,
        ctx.services.courses,
        None,
        ctx.now,
        language,
        course_id=course_id,
        unreachable_after=window,
    )
    cohorts = await all_cohort_stats(
        ctx.session, ctx.services.courses, ctx.now, language, unreachable_after=window
    )
    per_cohort = tuple(
        (Button(f"👥 {c.name} · {c.enrolled}", CohortStatsTap(c.cohort_id or 0).pack()),)
        for c in cohorts[:30]
    )
    replies = [chart_reply(ctx, stats, ((export_button(ctx, None),),))]
    if per_cohort:
        replies.append(Reply(ctx.t("stats.pick_cohort"), buttons=per_cohort))
    return replies


@router.button(AllStats, role=Role.coordinator)
async def all_stats(ctx: Context, _: AllStats) -> HandlerResult:
    return await overall(ctx)


async def existing_cohort(ctx: Context, cohort_id: int) -> int:
    if await ctx.session.get(Cohort, cohort_id) is None:
        raise StaleButton(cohort_id)
    return cohort_id


@router.button(CohortStatsTap, role=Role.coordinator)
async def one_cohort(ctx: Context, tap: CohortStatsTap) -> HandlerResult:
    cohort_id = await existing_cohort(ctx, tap.cohort)
    language = ctx.person.language
    stats = await cohort_stats(
        ctx.session,
        ctx.services.courses,
        cohort_id,
        ctx.now,
        language,
        unreachable_after=unreachable_after(ctx),
    )
    return chart_reply(ctx, stats, ((export_button(ctx, cohort_id),),))


@router.button(ExportCohort, role=Role.coordinator)
async def export_cohort(ctx: Context, tap: ExportCohort) -> HandlerResult:
    return await spreadsheet(ctx, await existing_cohort(ctx, tap.cohort))


@router.button(ExportAll, role=Role.coordinator)
async def export_all(ctx: Context, _: ExportAll) -> HandlerResult:
    return await spreadsheet(ctx, None)


async def spreadsheet(ctx: Context, cohort_id: int | None) -> Reply:
    from bot.stats.export import trainees_xlsx

    language, window = ctx.person.language, unreachable_after(ctx)
    course_id = None
    if cohort_id is None:
        course_id = await main_course(ctx.session)
        if course_id is None or course_id not in ctx.services.courses:
            return Reply(ctx.t("stats.nobody"), menu=await main_menu(ctx))
    stats = await cohort_stats(
        ctx.session,
        ctx.services.courses,
        cohort_id,
        ctx.now,
        language,
        course_id=course_id,
        unreachable_after=window,
    )
    course = ctx.services.courses[stats.course_id]
    rows = await trainee_rows(ctx.session, course, cohort_id, ctx.now, unreachable_after=window)
    data = trainees_xlsx(course, rows, export_labels(ctx.t), stats, language)
    name = f"trainees-{cohort_id or 'all'}.xlsx"
    caption = ctx.t("stats.export_caption", name=stats.name)
    return Reply(caption, document=Attachment(name, data=data))

"""A course workbook through the chat: a lecturer sends it, reads the check and a preview, taps
Publish; `/course` sends them the workbook of their class's course to edit.

The checked files wait on the server (bot.lessons.staging); the Publish button carries only
their staging id. Anyone but a lecturer who sends a file gets the answer to anything the bot
cannot read.
"""

from __future__ import annotations

import asyncio

from bot.cohorts.service import cohorts_visible_to
from bot.core.messages import Attachment, Button, Kind, Reply
from bot.core.payloads import CancelSheet, PublishSheet, StaleButton
from bot.db.models import Role
from bot.db.roles import at_least
from bot.handlers.fallback import unsupported
from bot.handlers.lessons import plain
from bot.lessons.content import ContentError
from bot.lessons.publishing import PublishRefused, Refusal, refusal
from bot.lessons.staging import (
    Staged,
    Upload,
    changed_lesson,
    check_upload,
    claim,
    discard,
    find,
    is_stage_id,
    stage,
)
from bot.lessons.versions import PersonRef
from bot.lessons.workbook import Finding, export_course, too_big
from bot.pipeline.router import Context, HandlerResult, Router

router = Router("course_sheet")
SHOWN_ERRORS = 3  # errors written in the message; the rest in the report file
REPORT_FILE = "workbook-report.txt"
REFUSALS = {
    Refusal.not_lecturer: "sheet.refused.not_lecturer",
    Refusal.starter: "sheet.refused.starter",
    Refusal.not_author: "sheet.refused.not_author",
}


@router.on(Kind.document)
async def workbook_sent(ctx: Context) -> HandlerResult:
    """Check a workbook a lecturer sent; with no error, a preview and Publish / Cancel."""
    if not at_least(ctx.person, Role.lecturer):
        return await unsupported(ctx)
    language = ctx.person.language
    refused = too_big(ctx.incoming.file_size, language)  # before a byte is downloaded
    if refused is not None:
        return report(ctx, Upload(refused))
    if not ctx.offers.receives_documents or ctx.offers.fetch_file is None:
        return Reply(ctx.t("sheet.not_here"))
    try:
        data = await ctx.fetch_file(ctx.incoming.file_ref)
    except Exception:  # the channel's error: the file can be sent again
        return Reply(ctx.t("sheet.download_failed"))
    upload = await asyncio.to_thread(check_upload, ctx.settings, data, language)
    replies = [report(ctx, upload)]
    if not upload.result.ok or upload.course_id is None:
        return replies
    why = refusal(ctx.settings, upload.course_id, PersonRef.of(ctx.person))
    if why is not None:
        replies.append(Reply(ctx.t(REFUSALS[why], course=upload.course_id)))
        return replies
    assert ctx.person.id is not None
    staged = await asyncio.to_thread(stage, ctx.settings, upload, ctx.person.id, ctx.now)
    replies.append(preview(ctx, staged))
    return replies


def report(ctx: Context, upload: Upload) -> Reply:
    """The check in one phone screen; every finding in a text file when there are more."""
    result = upload.result
    if result.errors:
        lines = [ctx.t("sheet.errors", count=len(result.errors))]
        lines += [f"• {error}" for error in result.errors[:SHOWN_ERRORS]]
        if len(result.errors) > SHOWN_ERRORS:
            lines.append(ctx.t("sheet.more_in_file", count=len(result.errors) - SHOWN_ERRORS))
    else:
        lines = [ctx.t("sheet.ok", course=upload.course_id or "")]
    if result.warnings:
        lines.append(ctx.t("sheet.warnings", count=len(result.warnings)))
    long = len(result.errors) > SHOWN_ERRORS or bool(result.warnings)
    document = Attachment(REPORT_FILE, data=report_file(ctx, upload).encode()) if long else None
    return Reply("\n".join(lines), document=document)


def report_file(ctx: Context, upload: Upload) -> str:
    """Every error, then every warning, one a line."""

    def block(title: str, findings: list[Finding]) -> list[str]:
        return [title, *(str(finding) for finding in findings), ""] if findings else []

    result = upload.result
    lines = block(ctx.t("sheet.errors", count=len(result.errors)), result.errors)
    lines += block(ctx.t("sheet.warnings", count=len(result.warnings)), result.warnings)
    return "\n".join(lines)


def preview(ctx: Context, staged: Staged) -> Reply:
    """The first card of the first lesson that changed, as a trainee sees it, and the choice."""
    buttons = (
        (
            Button(ctx.t("sheet.publish"), PublishSheet(staged.id).pack()),
            Button(ctx.t("sheet.cancel"), CancelSheet(staged.id).pack()),
        ),
    )
    course = staged.course
    if course is None or not course.lessons:  # checked by the loader: not expected
        return Reply(ctx.t("sheet.ask_publish"), buttons=buttons)
    slug = changed_lesson(course, ctx.services.courses.get(course.id), ctx.person.language)
    lesson = course.lesson(slug, ctx.person.language)
    card = lesson.cards[0]
    header = ctx.t(
        "lesson.header",
        number=course.number(slug),
        total=len(course.lessons),
        title=lesson.title,
        card=1,
        cards=len(lesson.cards),
    )
    text = "\n\n".join(
        (ctx.t("sheet.preview"), header, plain(card.text), ctx.t("sheet.ask_publish"))
    )
    image = Attachment(card.image.name, path=card.image) if card.image else None
    return Reply(text, buttons=buttons, image=image)


@router.button(PublishSheet, role=Role.lecturer)
async def publish_tap(ctx: Context, tap: PublishSheet) -> HandlerResult:
    """Publish once: the first tap takes the files; a second finds them gone."""
    if not is_stage_id(tap.stage):
        raise StaleButton(tap.stage)  # no button of ours carries it
    waiting = find(ctx.settings, tap.stage)
    if waiting is None or waiting.person_id != ctx.person.id:
        return Reply(ctx.t("sheet.gone"))
    staged = await asyncio.to_thread(claim, ctx.settings, tap.stage)
    if staged is None:
        return Reply(ctx.t("sheet.gone"))
    author = PersonRef.of(ctx.person)
    try:
        version = await ctx.services.publish(staged.course_id, staged.files, author=author)
    except PublishRefused as refused:
        return Reply(ctx.t(REFUSALS[refused.why], course=staged.course_id))
    except ContentError:
        return Reply(ctx.t("sheet.publish_failed"))
    course = ctx.services.courses.get(staged.course_id)
    title = course.text_in(course.title, ctx.person.language) if course else staged.course_id
    return Reply(ctx.t("sheet.published", course=title, version=version.number))


@router.button(CancelSheet, role=Role.lecturer)
async def cancel_tap(ctx: Context, tap: CancelSheet) -> HandlerResult:
    if not is_stage_id(tap.stage):
        raise StaleButton(tap.stage)
    waiting = find(ctx.settings, tap.stage)
    if waiting is None or waiting.person_id != ctx.person.id:
        return Reply(ctx.t("sheet.gone"))
    await asyncio.to_thread(discard, ctx.settings, tap.stage)
    return Reply(ctx.t("sheet.cancelled"))


@router.command("course", role=Role.lecturer)
async def get_workbook(ctx: Context) -> HandlerResult:
    """`/course [id]`: the workbook of that course, else of the lecturer's newest class's."""
    courses = ctx.services.courses
    wanted = ctx.incoming.text.strip().lower()
    if wanted and wanted not in courses:
        return Reply(ctx.t("sheet.unknown_course", course=wanted, courses=", ".join(courses)))
    if not wanted:
        classes = await cohorts_visible_to(ctx.session, ctx.person)
        own = [c for c in classes if c.lecturer_id == ctx.person.id and c.course_id in courses]
        wanted = own[-1].course_id if own else ctx.services.course_for(ctx.person).id
    course = courses[wanted]
    assert course.root is not None
    language = ctx.person.language if ctx.person.language in course.languages else None
    data = await asyncio.to_thread(export_course, course.root, language or course.languages[0])
    key = "sheet.workbook" if ctx.offers.receives_documents else "sheet.workbook_web"
    title = course.text_in(course.title, ctx.person.language)
    return Reply(ctx.t(key, course=title), document=Attachment(f"{course.id}.xlsx", data=data))

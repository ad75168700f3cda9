"""Lecturers' answers kept as entries: "add to the answers" under the confirmation of an answer,
and /answers to read, change and remove them. The bot gives an entry at once to whoever asks the
same question (bot.qa.entries); a lecturer manages the entries of the courses their classes
take, a coordinator every entry."""

from __future__ import annotations

from sqlalchemy import func
from sqlmodel import col, select

from bot.cohorts.service import at_least, cohort_for, cohorts_visible_to
from bot.core.messages import Button, Reply
from bot.core.payloads import AddEntry, EntryAction, EntryPage, EntryTap, StaleButton
from bot.db.models import AnswerEntry, Role, TraineeQuestion
from bot.handlers.menu import main_menu
from bot.i18n import Translator
from bot.pipeline.router import AccessDenied, Context, HandlerResult, Router
from bot.qa import lecturer

router = Router("answers")
AWAITING = "entry"  # person.awaiting while the new text of entry N is awaited: "entry:N"
PAGE = 2  # entries per page of /answers: with "more", at most three buttons
LIMIT = lecturer.ANSWER_LIMIT
SHOWN = 120  # characters of a question or an answer in the list


async def _courses(ctx: Context) -> set[str] | None:
    """The courses whose entries this person manages; None: every course (coordinators)."""
    if at_least(ctx.person, Role.coordinator):
        return None
    return {c.course_id for c in await cohorts_visible_to(ctx.session, ctx.person)}


async def managed_entry(ctx: Context, entry_id: int) -> AnswerEntry:
    """The entry (StaleButton when it is gone), AccessDenied when it is not theirs to manage."""
    entry = await ctx.session.get(AnswerEntry, entry_id)
    if entry is None:
        raise StaleButton(entry_id)
    courses = await _courses(ctx)
    if courses is not None and entry.course_id not in courses:
        raise AccessDenied(entry_id)
    return entry


def _cut(text: str) -> str:
    text = " ".join(text.split())
    return text if len(text) <= SHOWN else text[: SHOWN - 1] + "…"


def _course_title(ctx: Context, course_id: str) -> str:
    course = ctx.services.courses.get(course_id)
    return course.text_in(course.title, ctx.person.language) if course else course_id


def entry_buttons(ctx: Context, entry: AnswerEntry) -> tuple[tuple[Button, ...], ...]:
    number = entry.id or 0
    return (
        (
            Button(ctx.t("answers.edit"), EntryTap(EntryAction.edit, number).pack()),
            Button(ctx.t("answers.remove"), EntryTap(EntryAction.remove, number).pack()),
        ),
    )


@router.button(AddEntry, role=Role.lecturer)
async def add_entry(ctx: Context, tap: AddEntry) -> HandlerResult:
    """The lecturer's answer to a passed-on question becomes an entry of its course and
    language; a second tap says it is there already."""
    question = await ctx.session.get(TraineeQuestion, tap.question)
    if question is None or not question.lecturer_answer or not question.normalised:
        raise StaleButton(tap.question)
    cohort = await cohort_for(ctx.session, ctx.person, question.cohort_id or 0)
    if cohort is None and not at_least(ctx.person, Role.coordinator):
        raise AccessDenied(tap.question)
    entry = await lecturer.keep_as_entry(ctx.session, question, ctx.person.id, ctx.now)
    if entry is None:
        return Reply(ctx.t("answers.already"))
    text = ctx.t("answers.added", question=_cut(question.text))
    return Reply(text, buttons=entry_buttons(ctx, entry))


@router.command("answers", role=Role.lecturer)
async def list_entries(ctx: Context) -> HandlerResult:
    """The first page of the entries this person manages."""
    return await _page(ctx, 0)


@router.button(EntryPage, role=Role.lecturer)
async def entry_page(ctx: Context, tap: EntryPage) -> HandlerResult:
    return await _page(ctx, tap.page)


async def _page(ctx: Context, page: int) -> Reply:
    courses = await _courses(ctx)
    query = select(AnswerEntry)
    counting = select(func.count()).select_from(AnswerEntry)
    if courses is not None:
        query = query.where(col(AnswerEntry.course_id).in_(courses))
        counting = counting.where(col(AnswerEntry.course_id).in_(courses))
    count = (await ctx.session.exec(counting)).one()
    if not count:
        return Reply(ctx.t("answers.none"), menu=await main_menu(ctx))
    kinds = select(func.count(func.distinct(AnswerEntry.course_id)))
    if courses is not None:
        kinds = kinds.where(col(AnswerEntry.course_id).in_(courses))
    several = (await ctx.session.exec(kinds)).one() > 1  # name each entry's course
    page = page if page * PAGE < count else 0  # past the end (entries were removed): the first
    order = (col(AnswerEntry.course_id), col(AnswerEntry.language), col(AnswerEntry.id))
    shown = list(await ctx.session.exec(query.order_by(*order).offset(page * PAGE).limit(PAGE)))
    lines, rows = [ctx.t("answers.title", count=count)], []
    course_shown = None
    for number, entry in enumerate(shown, start=page * PAGE + 1):
        if several and entry.course_id != course_shown:
            course_shown = entry.course_id
            lines.append(ctx.t("answers.course", course=_course_title(ctx, entry.course_id)))
        lines.append(
            ctx.t(
                "answers.line",
                number=number,
                language=Translator(entry.language)("language.name"),
                question=_cut(entry.question),
                answer=_cut(entry.answer),
            )
        )
        label = f"{number}. {' '.join(entry.question.split())}"[:40]
        rows.append((Button(label, EntryTap(EntryAction.view, entry.id or 0).pack()),))
    if (page + 1) * PAGE < count:
        rows.append((Button(ctx.t("answers.more"), EntryPage(page + 1).pack()),))
    return Reply("\n\n".join(lines), buttons=tuple(rows))


@router.button(EntryTap, role=Role.lecturer)
async def entry_tap(ctx: Context, tap: EntryTap) -> HandlerResult:
    entry = await managed_entry(ctx, tap.entry)
    match tap.action:
        case EntryAction.view:
            text = ctx.t("answers.entry", question=entry.question, answer=entry.answer)
            return Reply(text, buttons=entry_buttons(ctx, entry))
        case EntryAction.edit:
            ctx.person.awaiting = f"{AWAITING}:{entry.id}"
            ctx.session.add(ctx.person)
            return Reply(ctx.t("answers.send_new", question=_cut(entry.question)))
        case EntryAction.remove:
            sure = Button(
                ctx.t("answers.yes_remove"), EntryTap(EntryAction.confirm, tap.entry).pack()
            )
            keep = Button(ctx.t("answers.keep"), EntryTap(EntryAction.view, tap.entry).pack())
            text = ctx.t("answers.confirm_remove", question=_cut(entry.question))
            return Reply(text, buttons=((sure, keep),))
        case EntryAction.confirm:
            await ctx.session.delete(entry)
            return Reply(ctx.t("answers.removed"), menu=await main_menu(ctx))


@router.answer_to(AWAITING)
async def new_answer(ctx: Context) -> HandlerResult:
    """The new text of an entry the lecturer chose to change. Refusals are replies, not
    exceptions: those would roll back clearing `awaiting` and catch every later message."""
    _, _, number = (ctx.person.awaiting or "").partition(":")
    ctx.person.awaiting = None
    ctx.session.add(ctx.person)
    entry = await ctx.session.get(AnswerEntry, int(number)) if number.isdigit() else None
    if entry is None:
        return Reply(ctx.t("error.stale_button"), menu=await main_menu(ctx))
    courses = await _courses(ctx)
    if not at_least(ctx.person, Role.lecturer) or (
        courses is not None and entry.course_id not in courses
    ):
        return Reply(ctx.t("access.denied"), menu=await main_menu(ctx))
    text = ctx.incoming.text.strip()
    if not text or len(text) > LIMIT:
        ctx.person.awaiting = f"{AWAITING}:{entry.id}"  # still waiting for a usable answer
        if not text:
            return Reply(ctx.t("answers.send_new", question=_cut(entry.question)))
        return Reply(ctx.t("answers.too_long", limit=LIMIT))
    lecturer.change_entry(ctx.session, entry, text, ctx.now)
    return Reply(ctx.t("answers.edited"), buttons=entry_buttons(ctx, entry))

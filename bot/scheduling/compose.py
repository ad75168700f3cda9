"""The words of a scheduled message, written when it is sent, in the person's language now."""

from __future__ import annotations

from dataclasses import replace

from sqlmodel.ext.asyncio.session import AsyncSession

from bot.core.messages import Attachment, Button, Detail, Purpose, Reply, Topic
from bot.core.payloads import OpenLesson, OpenScheduled
from bot.db.models import (
    Announcement,
    Cohort,
    Delivery,
    DeliveryKind,
    LessonPlan,
    Person,
    TraineeQuestion,
)
from bot.i18n import Translator
from bot.scheduling import announcements, outbox
from bot.scheduling.reminders import reminder_reply
from bot.scheduling.services import SchedulerServices

# What each kind of scheduled message is, for a channel that needs a template for it outside
# its window (a reminder says itself whether it is a nudge).
PURPOSES = {
    DeliveryKind.announcement: Purpose.announcement,
    DeliveryKind.lesson: Purpose.lesson,
    DeliveryKind.reminder: Purpose.reminder,
    DeliveryKind.nudge: Purpose.nudge,
    DeliveryKind.report: Purpose.announcement_report,
    DeliveryKind.question: Purpose.question_for_lecturer,
    DeliveryKind.answer: Purpose.lecturer_answer,
}


async def compose(
    session: AsyncSession, services: SchedulerServices, delivery: Delivery, person: Person
) -> Reply | None:
    """The message for a delivery, saying what it is (`Reply.purpose`) and what it is about
    (`Reply.topic`, for a template sent in its place); None when there is nothing to say any
    more."""
    reply = await _compose(session, services, delivery, person)
    purpose = PURPOSES.get(delivery.kind)
    if reply is None or purpose is None:
        return reply
    if reply.topic is not None and not reply.topic.opens:  # a tap on the template shows it
        reply = replace(reply, topic=replace(reply.topic, opens=_opens(delivery)))
    if reply.purpose is not Purpose.answer:
        return reply
    return replace(reply, purpose=purpose)


def addressed(reply: Reply, delivery: Delivery, person: Person) -> Reply:
    """`reply`, composed for another delivery of the same message in the same language (one
    announcement to a whole class is composed once), made this one's: its topic greets `person`
    and its template's button opens `delivery` (only its own person may open one)."""
    if reply.topic is None:
        return reply
    name = recipient_name(person, Translator(person.language))
    details = tuple(
        (detail, name if detail is Detail.name else text) for detail, text in reply.topic.details
    )
    return replace(reply, topic=replace(reply.topic, details=details, opens=_opens(delivery)))


def _opens(delivery: Delivery) -> str:
    if delivery.kind in (DeliveryKind.lesson, DeliveryKind.reminder, DeliveryKind.nudge):
        return OpenLesson().pack()
    return OpenScheduled(delivery.id or 0).pack()


def first_line(text: str) -> str:
    """The first line of `text` that says something."""
    return next((line.strip() for line in text.splitlines() if line.strip()), "")


def recipient_name(person: Person, t: Translator) -> str:
    """How a message greets `person`: their name, else the catalog's word for a friend."""
    return person.display_name or t("start.friend")


async def _compose(
    session: AsyncSession, services: SchedulerServices, delivery: Delivery, person: Person
) -> Reply | None:
    if delivery.kind == DeliveryKind.reply:
        return outbox.unpack(delivery.body, delivery.attachment) if delivery.body else None
    t = Translator(person.language)
    open_lesson = ((Button(t("menu.lesson"), OpenLesson().pack()),),)
    if delivery.kind in (DeliveryKind.reminder, DeliveryKind.nudge):
        return await reminder_reply(session, services, delivery, person, services.clock())
    if delivery.kind == DeliveryKind.lesson:
        course = services.course_for(person)
        number = int(delivery.occurrence) + 1
        if number > len(course.lessons):
            return None
        lesson = course.lesson(course.lessons[number - 1], person.language)
        ready = t("plan.lesson_ready", number=number, title=lesson.title)
        plan = await session.get(LessonPlan, int(delivery.ref.removeprefix("plan:") or 0))
        cohort = await session.get(Cohort, plan.cohort_id) if plan else None
        if cohort is not None:
            ready = f"{t('plan.header', cohort=cohort.name)}\n{ready}"
        topic = Topic(
            (
                (Detail.name, recipient_name(person, t)),
                (Detail.number, str(number)),
                (Detail.lesson, lesson.title),
                (Detail.cohort, cohort.name if cohort else ""),
            )
        )
        return Reply(ready, buttons=open_lesson, topic=topic)
    if delivery.kind in (DeliveryKind.question, DeliveryKind.answer):
        question = await session.get(TraineeQuestion, int(delivery.ref.removeprefix("q:")))
        if question is None:
            return None
        about = ((Detail.name, recipient_name(person, t)), (Detail.first_line, question.text))
        if delivery.kind == DeliveryKind.answer:
            return Reply(
                t("qa.lecturer_answer", question=question.text, answer=question.lecturer_answer),
                topic=Topic(about),
            )
        asker = await session.get(Person, question.person_id)
        name = (asker.display_name if asker else "") or "—"
        return Reply(
            t("qa.to_lecturer", name=name, question=question.text, number=question.id),
            topic=Topic((*about, (Detail.asker, name))),
        )
    if delivery.kind in (DeliveryKind.announcement, DeliveryKind.report):
        announcement = await session.get(Announcement, int(delivery.ref.removeprefix("ann:")))
        if announcement is None:
            return None
        cohort = await session.get(Cohort, announcement.cohort_id)
        topic = Topic(
            (
                (Detail.name, recipient_name(person, t)),
                (Detail.cohort, cohort.name if cohort else ""),
                # (a photo alone: its camera, so the template still says what came)
                (Detail.first_line, first_line(announcement.text) or "📷"),
            )
        )
        if delivery.kind == DeliveryKind.report:
            report = await announcements.report(session, t, announcement)
            return replace(report, topic=topic)
        image = (
            Attachment("announcement.jpg", ref=announcement.photo_ref)
            if announcement.photo_ref
            else None
        )
        header = await announcement_header(session, t, announcement)
        text = f"{header}\n{announcement.text}" if announcement.text else header
        return Reply(text, image=image, topic=topic)
    return None


async def announcement_header(
    session: AsyncSession, t: Translator, announcement: Announcement
) -> str:
    """One line saying who wrote the announcement and to which class ("📣 Li Na · Peaches
    class"); the class alone when its author is gone or has no name."""
    cohort = await session.get(Cohort, announcement.cohort_id)
    name = cohort.name if cohort else ""
    author = await session.get(Person, announcement.author_id) if announcement.author_id else None
    if author is not None and author.display_name:
        return t("announce.header", lecturer=author.display_name, cohort=name)
    return t("announce.header_class", cohort=name)

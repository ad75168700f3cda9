"""The words of a scheduled message, written when it is sent, in the person's language now."""

from __future__ import annotations

from sqlmodel.ext.asyncio.session import AsyncSession

from bot.core.messages import Attachment, Button, Reply
from bot.core.router import Services
from bot.db.models import Announcement, Delivery, Person, Question
from bot.i18n import Translator
from bot.scheduling import outbox, store
from bot.scheduling.reminders import reminder_reply

ANNOUNCEMENT, LESSON, REMINDER, NUDGE, REPORT = (
    "announcement",
    "lesson",
    "reminder",
    "nudge",
    "report",
)
QUESTION, ANSWER = "question", "answer"  # a trainee's question to the lecturer, and the reply


async def compose(
    session: AsyncSession, services: Services, delivery: Delivery, person: Person
) -> Reply | None:
    """The message for a delivery; None when there is nothing to say any more."""
    if delivery.kind == outbox.REPLY:
        return outbox.unpack(delivery.body, delivery.attachment) if delivery.body else None
    t = Translator(person.language)
    open_lesson = ((Button(t("menu.lesson"), "les:go"),),)
    if delivery.kind in (REMINDER, NUDGE):
        return await reminder_reply(session, services, delivery, person, services.clock())
    if delivery.kind == LESSON:
        course = services.course_for(person)
        number = int(delivery.occurrence) + 1
        if number > len(course.lessons):
            return None
        lesson = course.lesson(course.lessons[number - 1], person.language)
        return Reply(t("plan.lesson_ready", number=number, title=lesson.title), buttons=open_lesson)
    if delivery.kind in (QUESTION, ANSWER):
        question = await session.get(Question, int(delivery.ref.removeprefix("q:")))
        if question is None:
            return None
        if delivery.kind == ANSWER:
            return Reply(
                t("qa.lecturer_answer", question=question.text, answer=question.lecturer_answer)
            )
        asker = await session.get(Person, question.person_id)
        name = (asker.display_name if asker else "") or "—"
        return Reply(t("qa.to_lecturer", name=name, question=question.text, number=question.id))
    if delivery.kind in (ANNOUNCEMENT, REPORT):
        announcement = await session.get(Announcement, int(delivery.ref.removeprefix("ann:")))
        if announcement is None:
            return None
        if delivery.kind == REPORT:
            numbers = await store.counts(session, kind=ANNOUNCEMENT, ref=delivery.ref)
            return Reply(
                t(
                    "announce.report",
                    sent=numbers.get("sent", 0),
                    failed=numbers.get("failed", 0),
                    blocked=numbers.get("blocked", 0),
                )
            )
        image = (
            Attachment("announcement.jpg", ref=announcement.photo_ref)
            if announcement.photo_ref
            else None
        )
        return Reply(announcement.text, image=image)
    return None

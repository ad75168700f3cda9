"""What a lecturer does with the questions passed to them, wherever they do it (the chat's
/answer and /answers, the dashboard): answer one, keep an answer as an entry, list, change and
remove the entries. Who may do it is the caller's to check."""

from __future__ import annotations

from collections.abc import Iterable
from datetime import datetime

from sqlmodel import col, select
from sqlmodel.ext.asyncio.session import AsyncSession

from bot.db.models import AnswerEntry, DeliveryKind, Person, TraineeQuestion
from bot.scheduling import store

ANSWER_LIMIT = 4000  # TraineeQuestion.lecturer_answer and AnswerEntry.answer


async def send_answer(
    session: AsyncSession, question: TraineeQuestion, text: str, now: datetime
) -> None:
    """Keep the lecturer's answer to `question` and send it to the trainee who asked, on their
    channel, by the delivery engine (kind `answer`)."""
    question.lecturer_answer, question.answered_at = text.strip()[:ANSWER_LIMIT], now
    session.add(question)
    await store.enqueue(
        session,
        [question.person_id],
        kind=DeliveryKind.answer,
        ref=f"q:{question.id}",
        due_at=now,
    )


def may_become_entry(question: TraineeQuestion) -> bool:
    """Whether the answer to `question` may be kept as an entry (a personal matter never is)."""
    return bool(question.lecturer_answer) and bool(question.normalised)


async def keep_as_entry(
    session: AsyncSession, question: TraineeQuestion, author_id: int | None, now: datetime
) -> AnswerEntry | None:
    """The lecturer's answer to `question` as an entry of its course and language; None when
    the same entry is there already."""
    assert question.lecturer_answer is not None
    same = await session.exec(
        select(AnswerEntry.id).where(
            AnswerEntry.course_id == question.course_id,
            AnswerEntry.language == question.language,
            AnswerEntry.question == question.text,
            AnswerEntry.answer == question.lecturer_answer,
        )
    )
    if same.first() is not None:
        return None
    entry = AnswerEntry(
        course_id=question.course_id,
        language=question.language,
        question=question.text,
        answer=question.lecturer_answer,
        lecturer_id=author_id,
        created_at=now,
        updated_at=now,
    )
    session.add(entry)
    await session.flush()
    return entry


async def open_questions(
    session: AsyncSession, cohort_ids: Iterable[int], limit: int = 30
) -> list[tuple[TraineeQuestion, str]]:
    """The questions passed to the lecturers of these classes that wait for an answer, oldest
    first, each with the asker's name."""
    rows = await session.exec(
        select(TraineeQuestion, Person.display_name)
        .join(Person, col(Person.id) == col(TraineeQuestion.person_id))
        .where(
            col(TraineeQuestion.cohort_id).in_(list(cohort_ids)),
            col(TraineeQuestion.handed_off).is_(True),
            col(TraineeQuestion.lecturer_answer).is_(None),
        )
        .order_by(col(TraineeQuestion.asked_at), col(TraineeQuestion.id))
        .limit(limit)
    )
    return [(question, name or "") for question, name in rows]


async def entries_of(session: AsyncSession, courses: set[str] | None) -> list[AnswerEntry]:
    """The entries of `courses` (None: every course), by course, language and age."""
    query = select(AnswerEntry)
    if courses is not None:
        query = query.where(col(AnswerEntry.course_id).in_(courses))
    order = (col(AnswerEntry.course_id), col(AnswerEntry.language), col(AnswerEntry.id))
    return list(await session.exec(query.order_by(*order)))


def change_entry(session: AsyncSession, entry: AnswerEntry, answer: str, now: datetime) -> None:
    """A new answer for the entry (the caller checked it is 1 to ANSWER_LIMIT characters)."""
    entry.answer, entry.updated_at = answer, now
    session.add(entry)

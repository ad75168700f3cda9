"""A small programme with known figures, written through the real models on a migrated database.

Course `sample` (2 lessons, 2 questions each, pass mark 50 %). Today is 2026-03-10 (UTC).

    Alpha (sample): Ana, Ben, Cai, Dora, Eva, and Leo (a lecturer: never counted)
    Beta  (sample): Eva (also in Alpha), Fay, Gus
    Gamma (retired course, not in the content): Hal

    who   first-steps (best)   good-photos (best)   studied on
    Ana   passed 1.0           passed 0.5           03-10
    Ben   passed 0.5           failed 0.0           03-04 (the first day of the 7)
    Cai   quiz                 -                    03-03 (one day too early)
    Dora  reading              -                    -
    Eva   passed 1.0           passed 1.0           03-08, 03-09
    Fay   failed 0.0           -                    03-05
    Gus   -                    -                    -
    Leo   passed 1.0           passed 1.0           03-10
    Hal   passed 1.0           -                    03-10

WhatsApp receipts (RECEIPTS below; the `reached` fixture adds them; unreachable after 7 days):

    who    messages sent (day: what came of it)                         unreachable
    Ana    03-09 read, 03-10 delivered                                   no
    Ben    02-20 delivered, 03-01 never, 03-09 never                     yes: nothing since 03-01
    Cai    03-08 never                                                   no: not 7 days yet
    Dora   03-01 never, 03-05 delivered                                  no: delivered since
    Eva    02-25 failed (131026)                                         yes (Alpha and Beta)
    Fay, Gus (on Telegram: no receipts)                                  no
    Leo    02-01 never (a lecturer: not counted)
    Hal    02-01 never (Gamma: another course)

Questions asked to the bot (QUESTIONS below): Alpha 7 (2 not answered, 1 waiting for Leo),
Beta 2, one of Eva's before she joined a class (overall only), and some that never count.
"""

from __future__ import annotations

from collections.abc import AsyncIterator
from dataclasses import dataclass
from datetime import UTC, date, datetime, timedelta

import pytest

from bot.db.models import (
    ActivityDay,
    Cohort,
    LessonProgress,
    Membership,
    MessageReceipt,
    Person,
    QuizAnswer,
    Role,
    TraineeQuestion,
)
from bot.db.models import ReceiptStatus as S
from bot.runtime import Runtime
from tests.conftest import make_settings, migrated_runtime

NOW = datetime(2026, 3, 10, 15, 0, tzinfo=UTC)
F, G = "first-steps", "good-photos"

PEOPLE = {  # name: (role, cohorts)
    "Ana": (Role.trainee, ["Alpha"]),
    "Ben": (Role.trainee, ["Alpha"]),
    "Cai": (Role.trainee, ["Alpha"]),
    "Dora": (Role.trainee, ["Alpha"]),
    "Eva": (Role.trainee, ["Alpha", "Beta"]),
    "Fay": (Role.trainee, ["Beta"]),
    "Gus": (Role.trainee, ["Beta"]),
    "Leo": (Role.lecturer, ["Alpha"]),
    "Hal": (Role.trainee, ["Gamma"]),
}
PROGRESS = {  # name: {lesson: (status, best score)}
    "Ana": {F: ("passed", 1.0), G: ("passed", 0.5)},
    "Ben": {F: ("passed", 0.5), G: ("failed", 0.0)},
    "Cai": {F: ("quiz", None)},
    "Dora": {F: ("reading", None)},
    "Eva": {F: ("passed", 1.0), G: ("passed", 1.0)},
    "Fay": {F: ("failed", 0.0)},
    "Leo": {F: ("passed", 1.0), G: ("passed", 1.0)},
    "Hal": {F: ("passed", 1.0)},
}
ANSWERS = {  # name: [(lesson, attempt, question, correct)]
    "Ana": [(F, 1, 0, True), (F, 1, 1, True), (G, 1, 0, True), (G, 1, 1, False)],
    "Ben": [
        (F, 1, 0, False),
        (F, 1, 1, False),
        (F, 2, 0, True),
        (F, 2, 1, False),
        (G, 1, 0, False),
        (G, 1, 1, False),
    ],
    "Cai": [(F, 1, 0, False)],
    "Eva": [(F, 1, 0, True), (F, 1, 1, True), (G, 1, 0, True), (G, 1, 1, True)],
    "Fay": [(F, 1, 0, False), (F, 1, 1, False)],
    "Leo": [(F, 1, 0, False), (F, 1, 1, False), (F, 2, 0, True), (F, 2, 1, True)],
    "Hal": [(F, 1, 1, False)],
}
# Five wrong answers to a question since removed from the lesson: must not be listed.
REMOVED_QUESTION = 7
STUDIED = {
    "Ana": [date(2026, 3, 10)],
    "Ben": [date(2026, 3, 4)],
    "Cai": [date(2026, 3, 3)],
    "Eva": [date(2026, 3, 8), date(2026, 3, 9)],
    "Fay": [date(2026, 3, 5)],
    "Leo": [date(2026, 3, 10)],
    "Hal": [date(2026, 3, 10)],
}
OLD = "old-lesson"  # a lesson since removed from the course
# name: [(cohort asked from, course, sources, answered, handed off, lecturer's answer)]
QUESTIONS: dict[str, list[tuple[str | None, str, str, bool, bool, str | None]]] = {
    "Ana": [
        ("Alpha", "sample", f"{F},{G}", True, False, None),
        ("Alpha", "sample", F, True, False, None),
        ("Alpha", "retired", "", False, False, None),  # another course: never counted
    ],
    "Ben": [
        ("Alpha", "sample", f"{G},{F}", True, False, None),
        ("Alpha", "sample", "", False, True, None),  # waits for the lecturer
    ],
    "Cai": [
        ("Alpha", "sample", "", False, True, "Ask at the market."),  # answered by the lecturer
        ("Alpha", "sample", f"{OLD},{F}", True, False, None),  # first source gone: no topic
    ],
    "Dora": [("Alpha", "sample", f"{F}-draft,{G}", True, False, None)],  # not first-steps
    "Eva": [
        ("Beta", "sample", G, True, False, None),  # in Alpha too, but asked from Beta
        (None, "sample", F, True, False, None),  # before joining: overall only
    ],
    "Fay": [("Beta", "sample", "", False, True, None)],
    "Leo": [("Alpha", "sample", F, True, False, None)],  # a lecturer trying the bot
    "Hal": [("Gamma", "sample", F, True, False, None)],  # not a trainee of a sample class
}
JOINED = {"Alpha": datetime(2026, 3, 1, 9, tzinfo=UTC), "Beta": datetime(2026, 3, 3, 9, tzinfo=UTC)}
COURSES = {"Alpha": "sample", "Beta": "sample", "Gamma": "retired"}


@dataclass
class Programme:
    runtime: Runtime
    people: dict[str, int]
    cohorts: dict[str, int]


async def build_programme(runtime: Runtime) -> Programme:
    """Write the table above; returns the ids by name."""
    people: dict[str, int] = {}
    cohorts: dict[str, int] = {}
    async with runtime.sessions() as session:
        for name, course_id in COURSES.items():
            cohort = Cohort(
                name=name, course_id=course_id, timezone="UTC", invite_code=f"INV-{name}"
            )
            session.add(cohort)
            await session.flush()
            assert cohort.id is not None
            cohorts[name] = cohort.id
        for n, (name, (role, member_of)) in enumerate(PEOPLE.items()):
            person = Person(
                channel="test",
                channel_user_id=str(n),
                display_name=name,
                role=role.value,
                last_seen_at=datetime(2026, 3, 9, 20, n, tzinfo=UTC),
            )
            session.add(person)
            await session.flush()
            assert person.id is not None
            people[name] = person.id
            for cohort_name in member_of:
                at = JOINED.get(cohort_name, NOW)
                session.add(
                    Membership(cohort_id=cohorts[cohort_name], person_id=person.id, joined_at=at)
                )
        for name, lessons in PROGRESS.items():
            for slug, (status, best) in lessons.items():
                session.add(
                    LessonProgress(
                        person_id=people[name],
                        course_id="sample",
                        lesson=slug,
                        status=status,
                        best_score=best,
                        last_score=best,
                    )
                )
        for name, answers in ANSWERS.items():
            for slug, attempt, question, correct in answers:
                session.add(
                    QuizAnswer(
                        person_id=people[name],
                        course_id="sample",
                        lesson=slug,
                        attempt=attempt,
                        question=question,
                        chosen=0,
                        correct=correct,
                    )
                )
        for name in ("Ana", "Ben", "Cai", "Dora", "Eva"):
            session.add(
                QuizAnswer(
                    person_id=people[name],
                    course_id="sample",
                    lesson=F,
                    attempt=9,
                    question=REMOVED_QUESTION,
                    chosen=0,
                    correct=False,
                )
            )
        for name, asked in QUESTIONS.items():
            for n, (cohort_name, course_id, sources, answered, handed, reply) in enumerate(asked):
                session.add(
                    TraineeQuestion(
                        person_id=people[name],
                        cohort_id=cohorts[cohort_name] if cohort_name else None,
                        course_id=course_id,
                        language="en",
                        text=f"{name}'s question {n + 1}",
                        sources=sources,
                        answered=answered,
                        mode="retrieval" if answered else "none",
                        handed_off=handed,
                        lecturer_answer=reply,
                        asked_at=NOW - timedelta(days=1, minutes=n),
                    )
                )
        for name, days in STUDIED.items():
            for day in days:
                session.add(ActivityDay(person_id=people[name], day=day))
        await session.commit()
    return Programme(runtime, people, cohorts)


@pytest.fixture
async def programme(database_url: str) -> AsyncIterator[Programme]:
    """The programme above, on the database under test (SQLite, or PostgreSQL in its pass)."""
    runtime = await migrated_runtime(make_settings(database_url))
    try:
        yield await build_programme(runtime)
    finally:
        await runtime.close()


def day(month: int, dom: int) -> datetime:
    return datetime(2026, month, dom, 12, 0, tzinfo=UTC)


RECEIPTS = {  # name: [(sent, status)]
    "Ana": [(day(3, 9), S.read), (day(3, 10), S.delivered)],
    "Ben": [(day(2, 20), S.delivered), (day(3, 1), S.sent), (day(3, 9), S.sent)],
    "Cai": [(day(3, 8), S.sent)],
    "Dora": [(day(3, 1), S.sent), (day(3, 5), S.delivered)],
    "Eva": [(day(2, 25), S.failed)],
    "Leo": [(day(2, 1), S.sent)],
    "Hal": [(day(2, 1), S.sent)],
}


@pytest.fixture
async def reached(programme: Programme) -> Programme:
    """The programme with the WhatsApp receipts of RECEIPTS."""
    async with programme.runtime.sessions() as session:
        for name, messages in RECEIPTS.items():
            for n, (sent, status) in enumerate(messages):
                arrived = sent + timedelta(minutes=1)
                session.add(
                    MessageReceipt(
                        channel="whatsapp",
                        message_ref=f"wamid.{name}.{n}",
                        person_id=programme.people[name],
                        status=status,
                        sent_at=sent,
                        delivered_at=arrived if status in (S.delivered, S.read) else None,
                        read_at=arrived if status is S.read else None,
                        failed_at=arrived if status is S.failed else None,
                        error_code=131026 if status is S.failed else None,
                    )
                )
        await session.commit()
    return programme

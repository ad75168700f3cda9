"""/mydata gives a person every row that mentions them; /forgetme leaves none, on both
databases. Both walk every table of the metadata, so a table added later is covered too."""

from __future__ import annotations

import json
from dataclasses import dataclass
from datetime import UTC, date, datetime, timedelta
from typing import Any

import pytest
import sqlmodel
from sqlalchemy import Table, select
from sqlmodel import SQLModel

from bot.cohorts.privacy import HIDDEN, SECRET_COLUMNS
from bot.db.models import (
    Announcement,
    Certificate,
    Delivery,
    LessonPlan,
    LinkCode,
    MessageReceipt,
    Person,
    TraineeQuestion,
    WebSession,
)
from bot.i18n import Translator
from bot.runtime import Runtime
from tests.conftest import Trainee
from tests.handlers.test_cohorts import make_lecturer, new_class

en = Translator("en")
LECTURER = ("lec-8841", "Zelda Quarrington")
TRAINEE = ("tr-5527", "Yusuf Oyelaran")
QUESTION = "Mi tel es +52 951 555 0199, vivo en Calle Hidalgo 12: ¿cómo vendo miel?"
BOT_ANSWER = "Empiece con un solo producto (lección 1)."
LECTURER_ANSWER = "Véame el martes en la plaza."
ANNOUNCEMENT = "Clase en Calle Morelos 7, tel 951 555 0142, el sábado."


@dataclass
class Life:
    """A lecturer and a trainee who have done a bit of everything."""

    lecturer: Trainee
    trainee: Trainee
    lecturer_id: int
    trainee_id: int
    cohort_id: int


async def person_id(runtime: Runtime, user_id: str) -> int:
    async with runtime.sessions() as session:
        found = (await session.exec(select(Person).where(Person.channel_user_id == user_id))).one()
    return int(found[0].id)


async def a_full_life(school: Runtime) -> Life:
    lecturer = await make_lecturer(school, *LECTURER)
    cohort = await new_class(lecturer, "Peaches")
    assert cohort.id is not None
    trainee = Trainee(school, *TRAINEE, "en")
    await trainee.send(f"/join {cohort.invite_code}")
    clock = school.academy.services.clock
    lesson = school.academy.services.courses["sample"].lesson("first-steps", "en")
    await trainee.send("/lesson")
    for _ in range(len(lesson.cards)):
        clock.now += timedelta(seconds=10)
        await trainee.press(trainee.last[-1].buttons[0][0].label)
    clock.now += timedelta(seconds=10)
    wrong = (lesson.quiz[0].answer + 1) % len(lesson.quiz[0].options)
    await trainee.press(lesson.quiz[0].options[wrong])  # a review item comes back later
    await trainee.send("/reminders")

    lid, tid = await person_id(school, LECTURER[0]), await person_id(school, TRAINEE[0])
    now = clock.now
    async with school.sessions() as session:
        question = TraineeQuestion(
            person_id=tid,
            cohort_id=cohort.id,
            course_id="sample",
            language="es",
            text=QUESTION,
            normalised=QUESTION.casefold(),
            answer=BOT_ANSWER,
            sources="first-steps",
            answered=True,
            handed_off=True,
            lecturer_answer=LECTURER_ANSWER,
            asked_at=now,
            answered_at=now,
        )
        announcement = Announcement(
            cohort_id=cohort.id, author_id=lid, text=ANNOUNCEMENT, status="scheduled", send_at=now
        )
        session.add_all([question, announcement])
        await session.flush()
        session.add_all(
            [
                Certificate(person_id=tid, course_id="sample", code="C0DE-7788", name=TRAINEE[1]),
                Delivery(person_id=tid, kind="reminder", occurrence="2026-05-04", due_at=now),
                Delivery(person_id=tid, kind="answer", ref=f"q:{question.id}", due_at=now),
                Delivery(person_id=lid, kind="question", ref=f"q:{question.id}", due_at=now),
                Delivery(
                    person_id=tid, kind="announcement", ref=f"ann:{announcement.id}", due_at=now
                ),
                Delivery(person_id=lid, kind="report", ref=f"ann:{announcement.id}", due_at=now),
                LessonPlan(cohort_id=cohort.id, start_date=date(2026, 5, 4), created_by=lid),
                LinkCode(code="K7P2Q9", person_id=tid, created_at=now),
                LinkCode(code="M3X8W4", person_id=lid, created_at=now),
            ]
        )
        await session.flush()
        kinds = {"announcement": 0, "report": 0}
        for (delivery,) in await session.exec(select(Delivery)):
            if delivery.kind in kinds:
                kinds[delivery.kind] = delivery.id
        session.add_all(  # on WhatsApp: the trainee read their copy; the report never arrived
            [
                MessageReceipt(
                    channel="whatsapp",
                    message_ref="wamid.HBgLMTIzNDU2Nzg5MBUCABEYEjA=",
                    person_id=tid,
                    delivery_id=kinds["announcement"],
                    status="read",
                    sent_at=now,
                    delivered_at=now,
                    read_at=now,
                ),
                MessageReceipt(
                    channel="whatsapp",
                    message_ref="wamid.HBgLOTg3NjU0MzIxMBUCABEYEjA=",
                    person_id=lid,
                    delivery_id=kinds["report"],
                    status="failed",
                    sent_at=now,
                    failed_at=now,
                    error_code=131026,
                ),
            ]
        )
        await session.commit()
    return Life(lecturer, trainee, lid, tid, cohort.id)


def person_columns(table: Table) -> list[str]:
    """The columns of `table` that hold a person's id."""
    found = [
        c.name for c in table.columns for fk in c.foreign_keys if fk.column.table.name == "people"
    ]
    return ["id", *found] if table.name == "people" else found


async def every_row(runtime: Runtime) -> dict[str, list[dict[str, Any]]]:
    async with runtime.sessions() as session:
        connection = await session.connection()
        return {
            table.name: [dict(row._mapping) for row in await connection.execute(select(table))]
            for table in SQLModel.metadata.sorted_tables
        }


async def forget_me(who: Trainee) -> None:
    await who.send("/forgetme")
    await who.press(en("privacy.forget_yes"))
    assert who.texts == [en("privacy.forgotten")]


@pytest.mark.parametrize("who", ["trainee", "lecturer"])
async def test_forgetme_leaves_nothing_that_points_back(school: Runtime, who: str) -> None:
    life = await a_full_life(school)
    forgotten, kept = (
        (life.trainee, life.lecturer) if who == "trainee" else (life.lecturer, life.trainee)
    )
    pid = life.trainee_id if who == "trainee" else life.lecturer_id
    user_id, name = TRAINEE if who == "trainee" else LECTURER
    words = (
        [QUESTION, BOT_ANSWER, "951 555 0199", "Hidalgo"]
        if who == "trainee"
        else [ANNOUNCEMENT, "Morelos"]
    )
    before = await every_row(school)
    assert any(user_id in str(row.values()) for row in before["people"])
    for table in ("message_receipts", "link_codes"):  # new tables of the WhatsApp issue
        assert [r for r in before[table] if r["person_id"] == pid], table

    await forget_me(forgotten)

    after = await every_row(school)
    assert len(SQLModel.metadata.sorted_tables) == len(after)
    for table in SQLModel.metadata.sorted_tables:
        for row in after[table.name]:
            for column in person_columns(table):
                assert row[column] != pid, (table.name, column, row)
            for value in row.values():
                if isinstance(value, str):
                    for secret in (user_id, name, *words):
                        assert secret.casefold() not in value.casefold(), (table.name, row)
    # The other person and the class are still there.
    kept_id = life.lecturer_id if who == "trainee" else life.trainee_id
    assert [p["id"] for p in after["people"]] == sorted(
        p["id"] for p in before["people"] if p["id"] != pid
    )
    assert kept_id in [p["id"] for p in after["people"]]
    (cohort,) = after["cohorts"]
    # The other person's receipt and link code stay; their receipt keeps its delivery, but for
    # the trainee's copy of the forgotten lecturer's announcement (deleted with it).
    (receipt,) = after["message_receipts"]
    assert receipt["person_id"] == kept_id
    assert (receipt["delivery_id"] is None) == (who == "lecturer")
    assert [c["person_id"] for c in after["link_codes"]] == [kept_id]
    if who == "lecturer":
        assert cohort["lecturer_id"] is None  # the class stays, without its lecturer
        assert len(after["memberships"]) == 1 and len(after["lesson_progress"]) == 1
        assert [q["text"] for q in after["questions"]] == [QUESTION]
    else:
        assert cohort["lecturer_id"] == life.lecturer_id
        assert [a["text"] for a in after["announcements"]] == [ANNOUNCEMENT]
        assert after["lesson_progress"] == after["quiz_answers"] == after["questions"] == []
        # What they added to the class's figures lives on, with nothing but numbers.
        (whole,) = [
            t
            for t in after["anonymous_totals"]
            if t["cohort_id"] == life.cohort_id and t["lesson"] == ""
        ]
        assert (whole["trainees"], whole["asked"]) == (1, 1)
    await kept.send("/start")  # the other person carries on


async def test_a_forgotten_question_leaves_the_lecturers_list(school: Runtime) -> None:
    life = await a_full_life(school)
    async with school.sessions() as session:  # still waiting for the lecturer's answer
        question = (await session.exec(select(TraineeQuestion))).one()[0]
        question.lecturer_answer = None
        session.add(question)
        await session.commit()
    assert QUESTION[:40] in (await life.lecturer.send("/questions"))[0].text
    await forget_me(life.trainee)
    assert (await life.lecturer.send("/questions"))[0].text == en("qa.none_open")


def as_json(value: object) -> object:
    return value.isoformat() if isinstance(value, datetime | date) else value


@pytest.mark.parametrize("who", ["trainee", "lecturer"])
async def test_mydata_holds_every_row_that_mentions_the_person(school: Runtime, who: str) -> None:
    life = await a_full_life(school)
    asker, pid = (
        (life.trainee, life.trainee_id) if who == "trainee" else (life.lecturer, life.lecturer_id)
    )
    (reply,) = await asker.send("/mydata")
    assert reply.text == en("privacy.mydata") and reply.document is not None
    document = json.loads(reply.document.read())

    rows = await every_row(school)
    mentioned = 0
    for table in SQLModel.metadata.sorted_tables:
        columns = person_columns(table)
        for row in rows[table.name]:
            if not any(row[c] == pid for c in columns):
                continue
            mentioned += 1
            expected = {
                k: HIDDEN if (table.name, k) in SECRET_COLUMNS else as_json(v)
                for k, v in row.items()
            }
            given = [document["person"]] if table.name == "people" else document.get(table.name, [])
            assert any(expected.items() <= entry.items() for entry in given), (table.name, expected)
    assert mentioned >= (10 if who == "trainee" else 6)
    if who == "trainee":
        (membership,) = document["memberships"]
        assert membership["cohort"] == "Peaches"
        (question,) = document["questions"]
        assert (question["text"], question["answer"], question["lecturer_answer"]) == (
            QUESTION,
            BOT_ANSWER,
            LECTURER_ANSWER,
        )
        assert document["person"]["reminder_time"] is not None
    else:
        assert [a["text"] for a in document["announcements"]] == [ANNOUNCEMENT]
        assert [c["name"] for c in document["cohorts"]] == ["Peaches"]


async def test_mydata_names_a_signed_in_browser_but_not_its_secret(school: Runtime) -> None:
    ana = Trainee(school, "ana", "Ana", "en")
    await ana.send("/start")
    now = datetime(2026, 5, 4, 9, 0, tzinfo=UTC)
    async with school.sessions() as session:
        person = (await session.exec(sqlmodel.select(Person))).one()
        session.add(
            WebSession(
                id_hash="a" * 64,
                person_id=person.id,
                csrf_token="the-csrf-token-of-ana",
                created_at=now,
                expires_at=now + timedelta(days=7),
                last_seen_at=now,
            )
        )
        await session.commit()
    (reply,) = await ana.send("/mydata")
    assert reply.document is not None
    document = json.loads(reply.document.read())
    (browser,) = document["web_sessions"]
    assert browser["csrf_token"] == HIDDEN and browser["id_hash"] == "a" * 64
    assert "the-csrf-token-of-ana" not in reply.document.read().decode()

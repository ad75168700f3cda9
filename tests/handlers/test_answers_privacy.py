"""A lecturer's entry made from a trainee's question, and that trainee's /mydata and /forgetme:
the entry lists in their data; forgotten, it stays in the answers with the question reworded
(nothing that may point to them, no person id) and still answers the next trainee."""

from __future__ import annotations

import json

from sqlmodel import select

from bot.db.models import AnswerEntry
from bot.i18n import Translator
from bot.runtime import Runtime
from tests.cohorts.test_privacy import every_row, forget_me
from tests.conftest import Trainee
from tests.handlers.test_answers import ANSWER, in_class, passed_on, school  # noqa: F401

en = Translator("en")
# How a trainee may type it: their name, village and number around the question (a phone
# number or an e-mail makes it a personal matter, never an entry: bot/handlers/talk.py).
ASKED = (
    "Good evening, Rosalind Quayle here from Upper Dunmore, stall 17. "
    "Who won the football match last night?? 😀"
)
PERSONAL = ("Rosalind", "Quayle", "Dunmore", "17", "😀", "??")


async def test_forgetting_the_asker_rewords_the_entry_and_keeps_it(school: Runtime) -> None:  # noqa: F811
    ana, ben = Trainee(school, "ana", "Ana", "en"), Trainee(school, "ben", "Ben", "en")
    li = await in_class(school, ana, ben)
    number = await passed_on(ana, ASKED)
    await li.send(f"/answer {number} {ANSWER}")
    await li.press(en("answers.add"))

    (mine,) = await ana.send("/mydata")
    assert mine.document is not None
    kept = json.loads(mine.document.read())["answer_entries_from_your_questions"]
    assert kept == [{"course_id": "sample", "language": "en", "question": ASKED}]
    (theirs,) = await ben.send("/mydata")  # not Ben's question
    assert theirs.document is not None
    assert json.loads(theirs.document.read())["answer_entries_from_your_questions"] == []

    await forget_me(ana)
    async with school.sessions() as session:
        entry = (await session.exec(select(AnswerEntry))).one()
    assert entry.answer == ANSWER and entry.lecturer_id is not None  # the lecturer's, signed
    assert entry.question == "good evening here from stall who won the football match last night"
    rows = await every_row(school)
    for table_rows in rows.values():
        for row in table_rows:
            for value in row.values():
                if isinstance(value, str):
                    for word in PERSONAL:
                        assert word.casefold() not in value.casefold(), row
    (answer,) = await ben.send("who won last night's football match")
    assert answer.text == en("qa.from_lecturer") + "\n\n" + ANSWER
    (listed,) = await li.send("/answers")
    assert "good evening here from stall who won" in listed.text


async def test_an_entry_worded_by_nobody_else_is_left_alone(school: Runtime) -> None:  # noqa: F811
    """Only entries holding the forgotten trainee's own words change; an entry whose question a
    lecturer typed, or another trainee asked, stays as it is."""
    ana, ben = Trainee(school, "ana", "Ana", "en"), Trainee(school, "ben", "Ben", "en")
    li = await in_class(school, ana, ben)
    number = await passed_on(ben, "Who won the football match last night?")
    await li.send(f"/answer {number} {ANSWER}")
    await li.press(en("answers.add"))
    await ana.send("Who won the football match last night?!")  # not word for word
    await forget_me(ana)
    async with school.sessions() as session:
        entry = (await session.exec(select(AnswerEntry))).one()
    assert entry.question == "Who won the football match last night?"

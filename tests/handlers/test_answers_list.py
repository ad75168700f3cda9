"""/answers for a lecturer of two courses, in zh/es/en, with long entries and many pages: each
entry once, grouped by course and language, the course named when there are several, the
language by its name, long texts cut in the list and whole when the entry is opened."""

from __future__ import annotations

from dataclasses import replace
from datetime import UTC, datetime

import pytest
from sqlmodel import select

from bot.core.messages import Reply
from bot.core.payloads import EntryAction, EntryTap
from bot.db.models import AnswerEntry, Cohort, Person
from bot.handlers.answers import PAGE, SHOWN
from bot.i18n import Translator
from bot.runtime import Runtime
from tests.conftest import Trainee
from tests.handlers.test_answers import school, tap  # noqa: F401

NOW = datetime(2026, 11, 30, 12, tzinfo=UTC)
HONEY = {"en": "Selling honey", "es": "Vender miel", "zh": "卖蜂蜜"}
LONG_QUESTION = "¿Puedo " + "vender miel de mis abejas en el tianguis del domingo " * 35 + "?"
LONG_ANSWER = "Sí. " + "Lleve la miel en frascos limpios con etiqueta y precio. " * 70
# (course, language, question, answer), added in a mixed order.
ENTRIES = [
    ("honey", "es", LONG_QUESTION[:2000], LONG_ANSWER[:4000]),
    ("sample", "en", "Who won the football match last night?", "Ask at the shop."),
    ("sample", "zh", "昨晚的足球比赛谁赢了？", "去小卖部问问。"),
    ("other", "en", "Not this lecturer's course?", "Hidden."),
    ("honey", "en", "Can I sell honey at the Sunday market?", "Yes, in clean jars."),
    ("sample", "en", "Is there lunch at the workshop?", "Yes, at noon."),
    ("honey", "zh", "蜂蜜可以在集市上卖吗？", "可以，用干净的瓶子装。"),
]


async def two_courses(runtime: Runtime, language: str) -> Trainee:
    """Li, lecturer of a class of the sample course and one of "honey" (a copy of it)."""
    courses = runtime.academy.services.courses
    courses["honey"] = replace(courses["sample"], id="honey", title=HONEY)
    li = Trainee(runtime, "lec", "Li", language)
    await li.send("/start")
    async with runtime.sessions() as session:
        me = (await session.exec(select(Person).where(Person.channel_user_id == "lec"))).one()
        me.role = "lecturer"
        session.add(me)
        for n, course in enumerate(("sample", "honey")):
            code = f"ABCD-EFG{n}"
            session.add(
                Cohort(
                    name=course,
                    course_id=course,
                    timezone="UTC",
                    lecturer_id=me.id,
                    invite_code=code,
                )
            )
        for course, lang, question, answer in ENTRIES:
            session.add(
                AnswerEntry(
                    course_id=course,
                    language=lang,
                    question=question,
                    answer=answer,
                    created_at=NOW,
                    updated_at=NOW,
                )
            )
        await session.commit()
    return li


def entry_lines(reply: Reply) -> list[str]:
    return reply.text.split("\n\n")[1:]  # after the title


@pytest.mark.parametrize("language", ["zh", "es", "en"])
async def test_every_entry_once_grouped_by_course_and_language(
    school: Runtime,  # noqa: F811
    language: str,
) -> None:
    t = Translator(language)
    li = await two_courses(school, language)
    (reply,) = await li.send("/answers")
    assert reply.text.startswith(t("answers.title", count=6))  # not the other course's
    pages = [reply]
    while t("answers.more") in [b.label for row in pages[-1].buttons for b in row]:
        pages.append((await li.press(t("answers.more")))[0])
        assert len(pages) < 10
    assert len(pages) == 3 == -(-6 // PAGE)
    lines = [line for page in pages for line in entry_lines(page)]
    sample_title = school.academy.services.courses["sample"].title[language]
    headings = [line for line in lines if line.startswith("📘")]
    # Each page names the course of its first entry, and again where the course changes.
    assert headings == [
        t("answers.course", course=HONEY[language]),
        t("answers.course", course=HONEY[language]),
        t("answers.course", course=sample_title),
        t("answers.course", course=sample_title),
    ]
    listed = [line for line in lines if not line.startswith("📘")]
    assert [line.split(".", 1)[0] for line in listed] == ["1", "2", "3", "4", "5", "6"]
    names = [Translator(code)("language.name") for code in ("en", "es", "zh", "en", "en", "zh")]
    for line, name in zip(listed, names, strict=True):
        assert f"[{name}]" in line
    assert "Hidden." not in " ".join(lines)
    long_line = listed[1]  # honey, es: cut in the list
    assert len(long_line) < 2 * SHOWN + 40 and "…" in long_line
    for page in pages:  # at most three buttons: two entries and "more"
        assert sum(len(row) for row in page.buttons) <= 3

    async with school.sessions() as session:
        honey_es = (
            await session.exec(select(AnswerEntry).where(AnswerEntry.language == "es"))
        ).one()
    view = EntryTap(EntryAction.view, honey_es.id or 0).pack()
    assert pages[0].buttons[1][0].payload == view  # its button on the first page
    (opened,) = await tap(li, view)  # the long entry, whole
    assert LONG_ANSWER[:4000].strip() in opened.text and LONG_QUESTION[:2000] in opened.text


async def test_one_course_is_not_named(school: Runtime) -> None:  # noqa: F811
    li = await two_courses(school, "en")
    async with school.sessions() as session:
        for entry in await session.exec(
            select(AnswerEntry).where(AnswerEntry.course_id == "honey")
        ):
            await session.delete(entry)
        await session.commit()
    (reply,) = await li.send("/answers")
    assert not any(line.startswith("📘") for line in entry_lines(reply))
    assert "[English]" in reply.text

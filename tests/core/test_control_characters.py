"""NUL and other control characters are taken out at the edge: PostgreSQL refuses U+0000 in a text
column, and no handler or channel should have to know."""

from __future__ import annotations

from sqlmodel import select

from bot.core.messages import Incoming, Kind, Sender, without_control_characters
from bot.db.models import Announcement, Cohort, Person, TraineeQuestion
from bot.i18n import Translator
from bot.runtime import Runtime
from tests.conftest import Trainee

en = Translator("en")


def test_only_newline_and_tab_survive_among_the_c0_controls() -> None:
    assert without_control_characters("a\x00b\x01c\x1bd\x7fe\r\n\tf") == "abcd\x7fe\n\tf"
    assert without_control_characters("桃子 ½ ١") == "桃子 ½ ١"


def test_every_text_field_of_an_incoming_is_cleaned() -> None:
    sender = Sender("test", "1", display_name="A\x00na")
    dirty = Incoming(
        sender,
        Kind.command,
        text="x\x00y",
        command="a\x00sk",
        payload="p\x00q",
        reply_to_text="r\x00s",
    )
    clean = dirty.cleaned()
    assert (clean.sender.display_name, clean.text, clean.command) == ("Ana", "xy", "ask")
    assert (clean.payload, clean.reply_to_text) == ("pq", "rs")
    plain = Incoming.from_text(Sender("test", "1", display_name="Ana"), "hello")
    assert plain.cleaned() is plain  # nothing to clean: the same object


def no_apology(replies: list) -> None:
    assert replies, "silence"
    assert en("error.internal") not in [reply.text for reply in replies]


async def test_nul_never_reaches_the_database(school: Runtime) -> None:
    boss = Trainee(school, "boss", "Boss", "en")
    (invite,) = await boss.send("/invite_lecturer")
    lecturer = Trainee(school, "lec", "Li\x00 Na", "en")
    no_apology(await lecturer.send(f"/start {invite.text.rsplit(' ', 1)[-1]}"))
    no_apology(await lecturer.send("/newcohort Pea\x00ches"))
    async with school.sessions() as session:
        cohort = (await session.exec(select(Cohort))).one()
    assert cohort.name == "Peaches"

    ana = Trainee(school, "ana", "A\x00na", "en")
    no_apology(await ana.send(f"/join {cohort.invite_code}"))
    no_apology(await ana.send("How do I\x00 take a good photo?"))
    no_apology(await ana.send("/ask price\x00 of my eggs"))
    # Nothing left: how to ask, not a question asked.
    assert [r.text for r in await ana.send("\x00\x00")] == [en("qa.usage")]
    no_apology(await press(ana, "rem:20:00\x00"))
    no_apology(await press(lecturer, f"ann:new:{cohort.id}"))
    no_apology(await lecturer.send("Class\x00 at six\x1b tonight"))

    async with school.sessions() as session:
        people = {p.channel_user_id: p for p in await session.exec(select(Person))}
        questions = [q.text for q in await session.exec(select(TraineeQuestion))]
        (announcement,) = await session.exec(select(Announcement))
    assert (people["lec"].display_name, people["ana"].display_name) == ("Li Na", "Ana")
    assert people["ana"].reminder_time == "20:00"
    assert sorted(questions) == ["How do I take a good photo?", "price of my eggs"]
    assert announcement.text == "Class at six tonight"


async def press(who: Trainee, payload: str) -> list:
    async with who.runtime.sessions() as session:
        who.last = await who.runtime.academy.handle(Incoming.button(who.sender, payload), session)
    return who.last

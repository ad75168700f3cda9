"""Time zones in the chat: a new person's and a new class's first zone follow the language and
country the client tells; a class's zone change moves the members who did not choose their own
(and re-plans their next reminder there, DST-correct); zones are shown by name, never as IANA."""

from __future__ import annotations

from datetime import UTC, datetime

from bot.db.models import Cohort, Person
from bot.i18n import Translator
from bot.runtime import Runtime
from bot.zones import zone_name
from tests.conftest import Trainee
from tests.handlers.test_cohorts import fetch, make_lecturer, new_class, person

en, es = Translator("en"), Translator("es")


def utc(*args: int) -> datetime:
    return datetime(*args, tzinfo=UTC)


async def stored(runtime: Runtime, user_id: str) -> Person:
    (found,) = await fetch(runtime, Person, Person.channel_user_id == user_id)
    return found


def no_iana(text: str) -> bool:
    return not any(part in text for part in ("Asia/", "America/", "UTC"))


async def test_a_spanish_speaking_lecturers_new_class_starts_on_mexico_city_time(
    school: Runtime,
) -> None:
    boss = person(school, "boss", "Boss")
    (invite,) = await boss.send("/invite_lecturer")
    lupe = Trainee(school, "lupe", "Lupe", "es-MX")
    await lupe.send(f"/start {invite.text.rsplit(' ', 1)[-1]}")
    assert (await stored(school, "lupe")).timezone == "America/Mexico_City"
    _, _, card = await lupe.send("/newcohort Duraznos")
    (cohort,) = await fetch(school, Cohort)
    assert cohort.timezone == "America/Mexico_City"
    assert "Hora de la Ciudad de México" in card.text and no_iana(card.text)

    # New people: Chinese -> Beijing time, English -> DEFAULT_TIMEZONE (here Asia/Shanghai too).
    for user_id, hint, zone in (("mei", "zh-hans", "Asia/Shanghai"), ("al", "en", "Asia/Shanghai")):
        await Trainee(school, user_id, user_id, hint).send("/help")
        assert (await stored(school, user_id)).timezone == zone


async def test_a_class_zone_change_moves_members_who_did_not_choose_their_own(
    school: Runtime,
) -> None:
    lecturer = await make_lecturer(school, "lec", "Li Na")
    cohort = await new_class(lecturer, "Peaches")
    assert cohort.timezone == "Asia/Shanghai"
    ana, ben = person(school, "ana", "Ana"), person(school, "ben", "Ben")
    for trainee in (ana, ben):
        await trainee.send(f"/join {cohort.invite_code}")

    # Ben picks his own zone under /reminders, by its name.
    await ben.send("/reminders")
    await ben.press(en("reminders.zone_button", zone=en("zone.asia.shanghai")))
    labels = [b.label for row in ben.last[0].buttons for b in row]
    assert en("zone.america.cancun") in labels and all(no_iana(label) for label in labels)
    await ben.press(en("zone.america.cancun"))
    assert ben.texts == [en("reminders.zone_set", zone=en("zone.america.cancun"))]
    mine = await stored(school, "ben")
    assert (mine.timezone, mine.timezone_chosen) == ("America/Cancun", True)
    assert mine.next_reminder_at == utc(2026, 5, 5, 0)  # 19:00 in Cancún (UTC-5 all year)
    await ben.send(f"/join {cohort.invite_code}")  # joining again keeps his choice
    assert (await stored(school, "ben")).timezone == "America/Cancun"

    # The lecturer moves the class to Tijuana, choosing among names, never IANA ids.
    await lecturer.send("/cohorts")
    await lecturer.press("👥 Peaches")
    assert en("zone.asia.shanghai") in lecturer.texts[0] and no_iana(lecturer.texts[0])
    await lecturer.press(en("cohort.timezone"))
    labels = [b.label for row in lecturer.last[0].buttons for b in row]
    assert all(no_iana(label) for label in labels) and f"✓ {en('zone.asia.shanghai')}" in labels
    await lecturer.press(en("zone.america.tijuana"))
    tijuana = en("zone.america.tijuana")
    assert lecturer.texts == [en("cohort.timezone_set", name="Peaches", timezone=tijuana, moved=1)]

    moved = await stored(school, "ana")
    assert moved.timezone == "America/Tijuana"
    # Her next reminder: 19:00 in Tijuana on Monday, under summer time (UTC-7), not 05:00.
    assert moved.next_reminder_at == utc(2026, 5, 5, 2)
    assert (await stored(school, "ben")).timezone == "America/Cancun"
    carol = person(school, "carol", "Carol")
    await carol.send(f"/join {cohort.invite_code}")
    assert (await stored(school, "carol")).timezone == "America/Tijuana"


def test_the_zone_names_in_the_chat_are_the_catalogs() -> None:
    assert zone_name("America/Tijuana", "en") == en("zone.america.tijuana")
    assert zone_name("America/Mexico_City", "es") == es("zone.america.mexico_city")

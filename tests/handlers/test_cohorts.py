"""Roles, classes and privacy on a real database: invites, joining, who is stuck, refusals."""

from __future__ import annotations

import json
from datetime import timedelta

from sqlalchemy import func
from sqlmodel import select

from bot.core.messages import Incoming
from bot.db.models import (
    Certificate,
    Cohort,
    LessonProgress,
    Membership,
    Person,
    QuizAnswer,
    RoleInvite,
)
from bot.i18n import Translator
from bot.runtime import Runtime
from tests.conftest import Trainee, make_settings, migrated_runtime

en = Translator("en")


def person(runtime: Runtime, user_id: str, name: str, language: str = "en") -> Trainee:
    return Trainee(runtime, user_id, name, language)


async def fetch(runtime: Runtime, model, *where):
    async with runtime.sessions() as session:
        return list(await session.exec(select(model).where(*where)))


async def make_lecturer(runtime: Runtime, user_id: str, name: str) -> Trainee:
    boss = person(runtime, "boss", "Boss")
    (invite,) = await boss.send("/invite_lecturer")
    code = invite.text.rsplit(" ", 1)[-1]
    lecturer = person(runtime, user_id, name)
    replies = await lecturer.send(f"/start {code}")
    assert en("role.granted", role=en("role.lecturer")) in [r.text for r in replies]
    return lecturer


async def new_class(lecturer: Trainee, name: str) -> Cohort:
    created, qr, card = await lecturer.send(f"/newcohort {name}")
    assert created.text == en("cohort.created", name=name)
    assert qr.image is not None and qr.image.read().startswith(b"\x89PNG")
    (cohort,) = await fetch(lecturer.runtime, Cohort, Cohort.name == name)
    assert cohort.invite_code in card.text and f"/join {cohort.invite_code}" in card.text
    return cohort


async def a_class(school: Runtime) -> tuple[Trainee, Cohort, list[Trainee]]:
    """Li Na's class with Ana, Ben and Eva; Eva has blocked the bot."""
    lecturer = await make_lecturer(school, "lec", "Li Na")
    cohort = await new_class(lecturer, "Peaches")
    trainees = [person(school, name, name.title()) for name in ("ana", "ben", "eva")]
    for trainee in trainees:
        await trainee.send(f"/join {cohort.invite_code}")
    async with school.sessions() as session:
        eva = (await session.exec(select(Person).where(Person.channel_user_id == "eva"))).one()
        eva.blocked = True
        session.add(eva)
        await session.commit()
    return lecturer, cohort, trainees


async def test_an_admin_invites_a_lecturer_once(school: Runtime) -> None:
    lecturer = await make_lecturer(school, "lec", "Li Na")
    (stored,) = await fetch(school, Person, Person.channel_user_id == "lec")
    assert stored.role == "lecturer"
    (invite,) = await fetch(school, RoleInvite)
    second = person(school, "other", "Other")
    assert en("role.used") in [r.text for r in await second.send(f"/join {invite.code}")]
    (other,) = await fetch(school, Person, Person.channel_user_id == "other")
    assert other.role == "trainee"
    assert (en("menu.cohorts"),) in (await lecturer.send("/progress"))[0].menu


async def test_trainees_join_by_code_and_take_the_class_course_and_zone(school: Runtime) -> None:
    lecturer = await make_lecturer(school, "lec", "Li Na")
    await lecturer.send("/newcohort")  # no name: how to do it
    assert lecturer.texts == [en("cohort.usage_new")]
    cohort = await new_class(lecturer, "Pinggu peaches 2026")
    ana = person(school, "ana", "Ana", "es")
    replies = await ana.send(f"/start {cohort.invite_code.lower().replace('-', ' ')}")
    es = Translator("es")
    assert any(
        r.text.startswith(es("join.welcome", cohort=cohort.name, course="x")[:20]) for r in replies
    )
    (stored,) = await fetch(school, Person, Person.channel_user_id == "ana")
    assert (stored.cohort_id, stored.course_id, stored.timezone) == (
        cohort.id,
        cohort.course_id,
        cohort.timezone,
    )
    await ana.send(f"/join {cohort.invite_code}")
    assert ana.texts[0].startswith(es("join.already", cohort=cohort.name, course="")[:15])
    assert len(await fetch(school, Membership)) == 1

    # Closing the code, then a new code: the old one stops working.
    await lecturer.send("/cohorts")
    await lecturer.press(f"👥 {cohort.name}")
    await lecturer.press(en("cohort.close"))
    ben = person(school, "ben", "Ben")
    assert (await ben.send(f"/join {cohort.invite_code}"))[0].text == en("join.closed")
    await lecturer.press(en("cohort.open"))
    await lecturer.press(en("cohort.rotate"))
    (rotated,) = await fetch(school, Cohort)
    assert rotated.invite_code != cohort.invite_code
    assert (await ben.send(f"/join {cohort.invite_code}"))[0].text == en("join.bad_code")
    assert (await ben.send(f"/join {rotated.invite_code}"))[0].text.startswith("✅")
    assert (await ben.send("/join nonsense"))[0].text == en("join.bad_code")


async def test_members_and_who_is_stuck(school: Runtime) -> None:
    clock = school.academy.services.clock
    lecturer = await make_lecturer(school, "lec", "Li Na")
    cohort = await new_class(lecturer, "Barley")
    course = school.academy.services.courses["sample"]
    lesson = course.lesson("first-steps", "en")
    people = {name: person(school, name, name.title()) for name in ("ana", "ben", "eva")}
    for trainee in people.values():
        await trainee.send(f"/join {cohort.invite_code}")
    # Ana fails the first quiz; Ben studies today; Eva does nothing for 8 days.
    ana = people["ana"]
    await ana.send("/lesson")
    for _ in range(len(lesson.cards)):
        clock.now += timedelta(seconds=10)
        await ana.press(ana.last[-1].buttons[0][0].label)
    for question in lesson.quiz:
        clock.now += timedelta(seconds=10)
        await ana.press(question.options[(question.answer + 1) % len(question.options)])
    clock.now += timedelta(days=8)
    await people["ben"].send("/lesson")
    await ana.send("/progress")  # seen, but no study: activity is studying, not opening the menu

    await lecturer.send("/cohorts")
    await lecturer.press("👥 Barley")
    assert "3" in lecturer.last[0].text and "2" in lecturer.last[0].text.split("·")[1]
    await lecturer.press(en("cohort.stuck"))
    text = lecturer.last[0].text
    assert "Ana: " in text and en("cohort.stuck_failed") in text
    assert "Eva: " in text and en("cohort.stuck_idle", days=7) in text
    assert "Ben" not in text
    await lecturer.send("/cohorts")
    await lecturer.press("👥 Barley")
    await lecturer.press(en("cohort.members"))
    assert all(name in lecturer.last[0].text for name in ("Ana", "Ben", "Eva"))


async def test_mydata_and_forgetme_delete_everything(school: Runtime) -> None:
    ana = person(school, "ana", "Ana María")
    course = school.academy.services.courses["sample"]
    lesson = course.lesson("first-steps", "en")
    await ana.send("/lesson")
    clock = school.academy.services.clock
    for _ in range(len(lesson.cards)):
        clock.now += timedelta(seconds=10)
        await ana.press(ana.last[-1].buttons[0][0].label)
    clock.now += timedelta(seconds=10)
    await ana.press(lesson.quiz[0].options[lesson.quiz[0].answer])
    (data,) = await ana.send("/mydata")
    document = json.loads(data.document.read())
    assert document["person"]["display_name"] == "Ana María"
    assert document["quiz_answers"][0]["correct"] is True
    assert document["lesson_progress"][0]["lesson"] == "first-steps"

    (question,) = await ana.send("/forgetme")
    assert question.text == en("privacy.forget_confirm")
    await ana.press(en("privacy.forget_no"))
    assert ana.texts == [en("privacy.kept")]
    assert len(await fetch(school, Person, Person.display_name == "Ana María")) == 1
    await ana.send("/forgetme")
    await ana.press(en("privacy.forget_yes"))
    assert ana.texts == [en("privacy.forgotten")]
    assert await fetch(school, Person) == []  # no placeholder either
    assert await fetch(school, QuizAnswer) == []  # the counts live on in anonymous totals
    assert await fetch(school, LessonProgress) == []
    assert await fetch(school, Certificate) == []
    await ana.send("/start")  # coming back is a fresh start
    (again,) = await fetch(school, Person)
    assert again.display_name == "Ana María" and again.created_at == clock.now
    assert await fetch(school, LessonProgress) == []  # nothing of the old Ana comes back


async def snapshot(runtime: Runtime) -> dict[str, object]:
    """Everything a refused command could have changed."""
    async with runtime.sessions() as session:
        counts = {}
        for model in (Person, Cohort, Membership, RoleInvite, Certificate):
            counts[model.__tablename__] = (
                await session.exec(select(func.count()).select_from(model))
            ).one()
        cohorts = [
            (c.invite_code, c.invite_open, c.timezone, c.name)
            for c in await session.exec(select(Cohort))
        ]
        roles = sorted((p.channel_user_id, p.role) for p in await session.exec(select(Person)))
    return {"counts": counts, "cohorts": cohorts, "roles": roles}


async def test_every_privileged_action_is_refused_to_trainees_and_other_lecturers(
    school: Runtime,
) -> None:
    lecturer = await make_lecturer(school, "lec", "Li Na")
    rival = await make_lecturer(school, "rival", "Rival")
    cohort = await new_class(lecturer, "Mine")
    trainee = person(school, "ana", "Ana")
    await trainee.send(f"/join {cohort.invite_code}")
    cid = cohort.id
    commands = ["/newcohort Sneaky", "/invite_lecturer", "/invite_coordinator", "/cohorts"]
    buttons = [
        f"coh:{action}:{cid}"
        for action in ("view", "members", "stuck", "qr", "rotate", "close", "open", "tz")
    ] + [
        f"coh:tz:{cid}:UTC",
        f"coh:course:{cid}",
        f"coh:course:{cid}:sample",
        f"stats:cohort:{cid}",
        "stats:all",
        "stats:export:all",
        f"stats:export:{cid}",
    ]
    table = [
        (trainee, commands + buttons),
        (rival, ["/invite_lecturer", "/invite_coordinator", *buttons]),
    ]
    for who, actions in table:
        for action in actions:
            before = await snapshot(school)
            if action.startswith("/"):
                replies = await who.send(action)
            else:
                async with school.sessions() as session:
                    replies = await school.academy.handle(
                        Incoming.button(who.sender, action), session
                    )
            refused = [r.text for r in replies]
            assert en("access.denied") in refused, (who.sender.user_id, action, refused)
            assert await snapshot(school) == before, (who.sender.user_id, action)
    # The rival's own /cohorts lists only their classes (none), not Li Na's.
    assert (await rival.send("/cohorts"))[0].text == en("cohort.none")


async def test_a_button_of_a_class_that_is_gone_is_stale(school: Runtime) -> None:
    lecturer = await make_lecturer(school, "lec", "Li Na")
    cohort = await new_class(lecturer, "Mine")
    gone = (cohort.id or 0) + 1000
    for payload in (f"coh:view:{gone}", f"plan:view:{gone}", f"ann:new:{gone}"):
        async with school.sessions() as session:
            replies = await school.academy.handle(
                Incoming.button(lecturer.sender, payload), session
            )
        assert [r.text for r in replies] == [en("error.stale_button")], payload
        assert replies[0].menu


async def test_a_class_can_switch_course_and_its_members_follow(
    database_url: str, tmp_path
) -> None:
    import shutil

    from tests.conftest import SAMPLE_CONTENT

    content = tmp_path / "content"
    shutil.copytree(SAMPLE_CONTENT, content)
    shutil.copytree(content / "courses/sample", content / "courses/second")
    course_file = content / "courses/second/course.yaml"
    course_file.write_text(course_file.read_text().replace("id: sample", "id: second"))
    runtime = await migrated_runtime(
        make_settings(database_url, admin_ids="test:boss", content_dir=content)
    )
    try:
        boss = person(runtime, "boss", "Boss")
        await boss.send("/newcohort Two courses")
        (cohort,) = await fetch(runtime, Cohort)
        ana = person(runtime, "ana", "Ana")
        await ana.send(f"/join {cohort.invite_code}")
        await boss.press(en("cohort.course"))
        choices = [b.payload for row in boss.last[0].buttons for b in row]
        assert choices == [f"coh:course:{cohort.id}:sample", f"coh:course:{cohort.id}:second"]
        async with runtime.sessions() as session:
            await runtime.academy.handle(Incoming.button(boss.sender, choices[1]), session)
        (moved,) = await fetch(runtime, Cohort)
        (member,) = await fetch(runtime, Person, Person.channel_user_id == "ana")
        assert (moved.course_id, member.course_id) == ("second", "second")
    finally:
        await runtime.close()


async def test_the_course_picker_shows_three_buttons_at_most(database_url: str, tmp_path) -> None:
    import shutil

    from tests.conftest import SAMPLE_CONTENT

    content = tmp_path / "content"
    shutil.copytree(SAMPLE_CONTENT, content)
    for course_id in ("b-course", "c-course", "d-course", "e-course"):
        shutil.copytree(content / "courses/sample", content / "courses" / course_id)
        course_file = content / "courses" / course_id / "course.yaml"
        text = course_file.read_text().replace("id: sample", f"id: {course_id}")
        course_file.write_text(text.replace("Try it: sell peaches online", course_id.upper()))
    runtime = await migrated_runtime(
        make_settings(database_url, admin_ids="test:boss", content_dir=content)
    )
    try:
        boss = person(runtime, "boss", "Boss")
        await boss.send("/newcohort Five courses")
        await boss.press(en("cohort.course"))
        labels = [b.label for row in boss.last[0].buttons for b in row]
        assert labels == ["B-COURSE", "C-COURSE", en("cohort.more_courses")]
        await boss.press(en("cohort.more_courses"))
        labels = [b.label for row in boss.last[0].buttons for b in row]
        assert labels == ["D-COURSE", "E-COURSE", "✓ Try it: sell peaches online"]
        await boss.press("D-COURSE")
        (cohort,) = await fetch(runtime, Cohort)
        assert cohort.course_id == "d-course"
        async with runtime.sessions() as session:
            replies = await runtime.academy.handle(
                Incoming.button(boss.sender, f"coh:course:{cohort.id}:+9"), session
            )
        assert [r.text for r in replies] == [en("error.stale_button")]
    finally:
        await runtime.close()

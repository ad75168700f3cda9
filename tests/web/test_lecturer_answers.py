"""Answer entries on the web: the viewer's entries (the courses of their classes), changed and
removed with the chat's functions (the chat's /answers shows the change), and another course's
entries out of reach."""

from __future__ import annotations

from sqlmodel import select

from bot.db.models import AnswerEntry, Role
from bot.i18n import Translator
from bot.runtime import Runtime
from tests.web.conftest import DashboardSite, add_person
from tests.web.lecturer import lecturer_with_class

en = Translator("en")


async def add_entry(runtime: Runtime, course: str, question: str, answer: str) -> int:
    async with runtime.sessions() as session:
        now = runtime.academy.services.clock()
        entry = AnswerEntry(
            course_id=course,
            language="es",
            question=question,
            answer=answer,
            created_at=now,
            updated_at=now,
        )
        session.add(entry)
        await session.commit()
        assert entry.id is not None
        return entry.id


async def entries(runtime: Runtime) -> dict[int, str]:
    async with runtime.sessions() as session:
        return {e.id or 0: e.answer for e in await session.exec(select(AnswerEntry))}


async def test_a_lecturer_changes_and_removes_their_entries(dashboard: DashboardSite) -> None:
    runtime = dashboard.runtime
    lecturer = await lecturer_with_class(dashboard)
    mine = await add_entry(runtime, "sample", "¿Cuánto cobro <por kilo>?", "Lo del mercado")
    other = await add_entry(runtime, "other-course", "¿Y la miel?", "Dulce")
    page = await lecturer.browser.get("/web/answers")
    assert page.status == 200
    assert page.shows("¿Cuánto cobro <por kilo>?") and "<por kilo>" not in page.text
    assert page.shows("Español") and not page.shows("¿Y la miel?")

    changed = await lecturer.browser.post(
        f"/web/answers/{mine}", {"action": "edit", "answer": "El doble del pueblo"}
    )
    assert changed.status == 303
    assert (await entries(runtime))[mine] == "El doble del pueblo"
    assert (await lecturer.browser.get(changed.location)).shows(en("answers.edited"))
    await lecturer.chat.send("/answers")
    assert "El doble del pueblo" in lecturer.chat.texts[0]

    too_long = await lecturer.browser.post(
        f"/web/answers/{mine}", {"action": "edit", "answer": "x" * 4001}
    )
    assert too_long.location.endswith(f"?problem={mine}#e{mine}")
    assert (await entries(runtime))[mine] == "El doble del pueblo"
    no_csrf = await lecturer.browser.post(
        f"/web/answers/{mine}", {"action": "remove_confirmed"}, csrf=""
    )
    assert no_csrf.status == 403
    sure = await lecturer.browser.post(f"/web/answers/{mine}", {"action": "remove"})
    assert sure.status == 200 and sure.shows(en("answers.yes_remove"))
    assert mine in await entries(runtime)
    removed = await lecturer.browser.post(f"/web/answers/{mine}", {"action": "remove_confirmed"})
    assert removed.status == 303
    assert set(await entries(runtime)) == {other}
    # Another course's entry is not theirs.
    for action in ("edit", "remove_confirmed"):
        refused = await lecturer.browser.post(
            f"/web/answers/{other}", {"action": action, "answer": "Mine now"}
        )
        assert refused.status == 404
    assert (await entries(runtime))[other] == "Dulce"
    await lecturer.close()


async def test_a_coordinator_manages_every_entry(dashboard: DashboardSite) -> None:
    runtime = dashboard.runtime
    other = await add_entry(runtime, "other-course", "¿Y la miel?", "Dulce")
    coordinator = await add_person(runtime, Role.coordinator, name="Coco")
    async with await dashboard.signed_in(coordinator) as browser:
        assert (await browser.get("/web/answers")).shows("¿Y la miel?")
        await browser.post(f"/web/answers/{other}", {"action": "edit", "answer": "Muy dulce"})
    assert (await entries(runtime))[other] == "Muy dulce"

"""The class page and the trainee page over real HTTP, on the programme of tests/stats/conftest.py:
who is where and who is stuck, sorting and filters, each question right or wrong, who may see
which trainee, the class's spreadsheet, and names typed by people shown as text, never run."""

from __future__ import annotations

import io
import re
from collections.abc import AsyncIterator

import pytest
from openpyxl import load_workbook

from bot.db.models import Cohort, Membership, Person, Role
from tests.stats.conftest import NOW, build_programme
from tests.web.conftest import DashboardSite, Page, add_person
from tests.web.test_programme import Site


@pytest.fixture
async def site(dashboard: DashboardSite) -> AsyncIterator[Site]:
    programme = await build_programme(dashboard.runtime)
    dashboard.clock[0] = NOW
    coordinator = await add_person(dashboard.runtime, Role.coordinator, name="Coco")
    yield Site(dashboard, programme, coordinator)


def members(page: Page) -> list[str]:
    """The names in the members table, in order."""
    body = page.text.split('id="members-table"', 1)[1].split("</table>", 1)[0]
    return re.findall(r'<th scope="row"><a href="/web/trainees/\d+">([^<]*)</a>', body)


def row_of(page: Page, name: str) -> str:
    found = re.search(
        rf"<tr[^>]*>\s*<th scope=\"row\"><a [^>]*>{re.escape(name)}</a>.*?</tr>", page.text, re.S
    )
    assert found, name
    return found.group(0)


async def teach(site: Site, cohort: str, lecturer: int) -> int:
    async with site.dashboard.runtime.sessions() as session:
        found = await session.get(Cohort, site.programme.cohorts[cohort])
        assert found is not None and found.id is not None
        found.lecturer_id = lecturer
        await session.commit()
        return found.id


async def test_a_class_page_lists_its_trainees(site: Site) -> None:
    alpha, beta = site.programme.cohorts["Alpha"], site.programme.cohorts["Beta"]
    async with await site.as_coordinator() as browser:
        page = await browser.get(f"/web/classes/{alpha}")
        other = await browser.get(f"/web/classes/{beta}")
    assert page.status == 200, page.text
    assert members(page) == ["Ana", "Ben", "Cai", "Dora", "Eva"]  # Leo is a lecturer
    ben = row_of(page, "Ben")
    assert "2. Take photos people trust" in ben or "(failed)" in ben
    assert "(failed)" in ben and ">50%<" in ben and ">0%<" in ben and "2026-03-04" in ben
    assert "on, at 19:00" in ben
    assert "not started" not in row_of(page, "Dora") and "(reading)" in row_of(page, "Dora")
    assert "finished" in row_of(page, "Eva")
    # Gus joined Beta on 03-03 and never began: stuck at NOW, his row marked in words too.
    gus = row_of(other, "Gus")
    assert gus.startswith('<tr class="stuck">') and ">stuck<" in gus and "not started" in gus
    assert 'id="fig-stuck">1<' in other.text
    assert 'class="stuck"' not in row_of(other, "Fay")


async def test_the_class_table_sorts_and_filters(site: Site) -> None:
    alpha, beta = site.programme.cohorts["Alpha"], site.programme.cohorts["Beta"]
    async with await site.as_coordinator() as browser:
        by_passed = await browser.get(f"/web/classes/{alpha}?sort=passed&dir=desc")
        by_active = await browser.get(f"/web/classes/{alpha}?sort=last_active&dir=desc")
        typed = await browser.get(f"/web/classes/{alpha}?q=A")
        stuck = await browser.get(f"/web/classes/{beta}?show=stuck")
    assert members(by_passed) == ["Ana", "Eva", "Ben", "Cai", "Dora"]
    assert members(by_active) == ["Ana", "Eva", "Ben", "Cai", "Dora"]  # Dora never studied
    assert members(typed) == ["Ana", "Cai", "Dora", "Eva"]
    assert members(stuck) == ["Gus"]
    assert (
        f'href="/web/classes/{beta}?show=stuck&amp;sort=passed&amp;dir=desc#members"' in stuck.text
    )


async def test_a_class_page_in_chinese_with_its_charts(site: Site) -> None:
    chinese = await add_person(site.dashboard.runtime, Role.admin, name="Wang", language="zh")
    alpha = site.programme.cohorts["Alpha"]
    async with await site.dashboard.signed_in(chinese) as browser:
        page = await browser.get(f"/web/classes/{alpha}")
    assert page.status == 200 and '<html lang="zh">' in page.text
    assert "学到第几课" in page.text and "先挑一样产品开始卖" in page.text
    assert page.text.count("<svg") == 2 and 'role="img"' in page.text


async def test_a_trainee_page_shows_each_question(site: Site) -> None:
    ben = site.programme.people["Ben"]
    async with await site.as_coordinator() as browser:
        page = await browser.get(f"/web/trainees/{ben}")
        missing = await browser.get("/web/trainees/99999")
    assert page.status == 200, page.text
    assert 'id="last-active">2026-03-04<' in page.text
    assert 'id="reminders">on, at 19:00<' in page.text and 'id="channel">test<' in page.text
    answers = re.findall(r'<li class="(right|wrong|unanswered)">', page.text)
    assert answers == ["right", "wrong", "wrong", "wrong"]  # conftest.py: latest attempts
    assert "answered in 2 attempts" in page.text
    assert f'href="/web/classes/{site.programme.cohorts["Alpha"]}">Alpha</a>' in page.text
    assert missing.status == 404


async def test_a_lecturer_sees_the_trainees_of_their_classes_only(site: Site) -> None:
    lecturer = await add_person(site.dashboard.runtime, Role.lecturer, name="Lin")
    beta = await teach(site, "Beta", lecturer)
    people = site.programme.people
    async with await site.dashboard.signed_in(lecturer) as browser:
        fay = await browser.get(f"/web/trainees/{people['Fay']}")
        eva = await browser.get(f"/web/trainees/{people['Eva']}")  # Alpha and Beta
        ana = await browser.get(f"/web/trainees/{people['Ana']}")  # Alpha only
        alpha = await browser.get(f"/web/classes/{site.programme.cohorts['Alpha']}")
        own = await browser.get(f"/web/classes/{beta}")
    assert fay.status == 200 and eva.status == 200
    assert ">Beta</a>" in eva.text and ">Alpha</a>" not in eva.text
    assert ana.status == 404 and alpha.status == 404
    assert own.status == 200 and "trainees.xlsx" not in own.text


async def test_the_class_spreadsheet(site: Site) -> None:
    beta = site.programme.cohorts["Beta"]
    async with await site.as_coordinator() as browser:
        page = await browser.get(f"/web/classes/{beta}")
        assert f'href="/web/classes/{beta}/trainees.xlsx"' in page.text
        async with browser.http.get(browser.url(f"/web/classes/{beta}/trainees.xlsx")) as r:
            assert r.status == 200
            body = await r.read()
    book = load_workbook(io.BytesIO(body), read_only=True)
    rows = book[book.sheetnames[0]].iter_rows(min_row=2, values_only=True)
    assert sorted(str(row[0]) for row in rows) == ["Eva", "Fay", "Gus"]


async def test_a_name_with_a_script_is_shown_as_text(site: Site) -> None:
    name = "<script>alert('x')</script> Mallory"
    alpha = site.programme.cohorts["Alpha"]
    async with site.dashboard.runtime.sessions() as session:
        person = Person(channel="test", channel_user_id="mallory", display_name=name)
        session.add(person)
        await session.flush()
        assert person.id is not None
        session.add(Membership(cohort_id=alpha, person_id=person.id))
        cohort = await session.get(Cohort, alpha)
        assert cohort is not None
        cohort.name = "<b>Alpha</b>"
        await session.commit()
        mallory = person.id
    async with await site.as_coordinator() as browser:
        pages = [
            await browser.get(f"/web/classes/{alpha}"),
            await browser.get(f"/web/trainees/{mallory}"),
            await browser.get("/web/programme"),
        ]
    for page in pages:
        assert page.status == 200
        assert "<script>alert" not in page.text and "<b>Alpha" not in page.text
    assert pages[0].shows(name) and pages[1].shows(name) and pages[2].shows("<b>Alpha</b>")

"""The programme page over real HTTP on the programme of tests/stats/conftest.py: its numbers are
`academy stats`'s, its tables sort and filter through links, it speaks the viewer's language,
downloads the chat's spreadsheet, and greets an empty programme kindly."""

from __future__ import annotations

import io
import re
from collections.abc import AsyncIterator
from dataclasses import dataclass, replace
from datetime import timedelta
from itertools import pairwise
from pathlib import Path

import pytest
from openpyxl import load_workbook

import bot.web
from bot.cli.stats import percent
from bot.config import LANGUAGES
from bot.db.models import Cohort, LessonStatus, Membership, Person, Role
from bot.i18n import catalog
from bot.stats import all_cohort_stats, cohort_stats
from bot.stats.asked import AskedFilter
from bot.stats.model import CohortStats
from bot.web.people import MEMBER_SORTS
from bot.web.programme import CLASS_COLUMNS
from tests.stats.conftest import NOW, Programme, build_programme
from tests.web.conftest import Browser, DashboardSite, Page, add_person


@dataclass
class Site:
    dashboard: DashboardSite
    programme: Programme
    coordinator: int

    async def as_coordinator(self, language: str = "en") -> Browser:
        return await self.dashboard.signed_in(self.coordinator, language)


@pytest.fixture
async def site(dashboard: DashboardSite) -> AsyncIterator[Site]:
    """The stats programme on the dashboard's database, the clock at its NOW, a coordinator."""
    programme = await build_programme(dashboard.runtime)
    dashboard.clock[0] = NOW
    coordinator = await add_person(dashboard.runtime, Role.coordinator, name="Coco")
    yield Site(dashboard, programme, coordinator)


def figure(page: Page, name: str) -> str:
    found = re.search(rf'id="fig-{name}">([^<]*)<', page.text)
    assert found, f"no figure {name}"
    return found.group(1)


def figures_of(page: Page) -> tuple[str, ...]:
    names = ("enrolled", "active", "finished", "completion", "average", "not-answered")
    return tuple(figure(page, name) for name in names)


def as_printed(stats: CohortStats) -> tuple[str, ...]:
    """What `academy stats` prints for the same figures."""
    asked = stats.asked
    return (
        str(stats.enrolled),
        str(stats.active_7d),
        str(stats.completed),
        percent(stats.completion_rate),
        percent(stats.average_score),
        str(asked.unanswered + asked.waiting),
    )


def class_table(page: Page) -> list[tuple[str, ...]]:
    """The classes table's rows: name, lecturer, then the figures as shown."""
    body = page.text.split('id="classes-table"', 1)[1].split("</table>", 1)[0]
    rows = []
    for row in re.findall(r"<tr>(.*?)</tr>", body.split("<tbody>", 1)[1], re.S):
        cells = [
            re.sub(r"<[^>]+>", "", c).strip()
            for c in re.findall(r"<t[hd][^>]*>(.*?)</t[hd]>", row, re.S)
        ]
        rows.append(tuple(cells))
    return rows


async def test_the_programme_shows_the_numbers_of_academy_stats(site: Site) -> None:
    runtime = site.dashboard.runtime
    courses = runtime.academy.services.courses
    async with runtime.sessions() as session:
        overall = await cohort_stats(session, courses, None, NOW, "en")
        each = await all_cohort_stats(session, courses, NOW, "en")
        alpha = await cohort_stats(session, courses, site.programme.cohorts["Alpha"], NOW, "en")
    async with await site.as_coordinator() as browser:
        page = await browser.get("/web/programme")
        class_view = await browser.get(f"/web/classes/{site.programme.cohorts['Alpha']}")
    assert page.status == 200, page.text
    assert figures_of(page) == as_printed(overall)
    assert figures_of(page) == ("7", "4", "2", "29%", "57%", "5")  # by hand: conftest.py
    assert figure(page, "classes") == "2"
    shown = class_table(page)
    assert [row[0] for row in shown] == [s.name for s in each]  # Gamma's course is retired
    for row, stats in zip(shown, each, strict=True):
        assert row[2:] == (
            str(stats.enrolled),
            str(stats.active_7d),
            str(stats.completed),
            percent(stats.completion_rate),
            percent(stats.average_score),
            str(stats.asked.waiting),
        )
    for lesson in overall.lessons:
        assert f"{lesson.passed}</td>" in page.text and page.shows(lesson.title)
    assert class_view.status == 200, class_view.text
    assert figures_of(class_view) == as_printed(alpha)


async def test_the_classes_sort_and_filter_through_links(site: Site) -> None:
    async with await site.as_coordinator() as browser:
        by_name = await browser.get("/web/programme")
        by_members = await browser.get("/web/programme?sort=members&dir=desc")
        backwards = await browser.get("/web/programme?sort=name&dir=desc")
        filtered = await browser.get("/web/programme?q=bet&sort=members")
        nonsense = await browser.get("/web/programme?sort=%3Cx%3E&dir=up")
    assert [r[0] for r in class_table(by_name)] == ["Alpha", "Beta"]
    assert [r[0] for r in class_table(by_members)] == ["Alpha", "Beta"]  # 5 and 3 trainees
    assert [r[0] for r in class_table(backwards)] == ["Beta", "Alpha"]
    assert [r[0] for r in class_table(filtered)] == ["Beta"]
    assert [r[0] for r in class_table(nonsense)] == ["Alpha", "Beta"]
    # The sorted column says so, and its link turns the order round, keeping the filter.
    assert 'aria-sort="descending"' in by_members.text
    assert 'href="/web/programme?sort=members&amp;dir=asc#classes"' in by_members.text
    assert 'href="/web/programme?q=bet&amp;sort=members&amp;dir=desc#classes"' in filtered.text
    assert 'value="bet"' in filtered.text and "Classes shown: 1 of 2" in filtered.text


async def test_the_questions_asked_filter(site: Site) -> None:
    async with await site.as_coordinator() as browser:
        every = await browser.get("/web/programme")
        declined = await browser.get("/web/programme?asked=declined")
        waiting = await browser.get("/web/programme?asked=open")
    # conftest.py: Ben's 2nd and Fay's 1st wait; Cai's 1st was answered by the lecturer.
    assert every.shows("Ana's question 1") and every.shows("Cai's question 1")
    assert not declined.shows("Ana's question 1")
    assert declined.shows("Ben's question 2") and declined.shows("Cai's question 1")
    assert waiting.shows("Ben's question 2") and waiting.shows("Fay's question 1")
    assert not waiting.shows("Cai's question 1")
    assert "Questions still waiting for a lecturer: 2" in waiting.text
    assert 'aria-current="true">Still waiting' in waiting.text


async def test_the_most_missed_questions(site: Site) -> None:
    async with await site.as_coordinator() as browser:
        page = await browser.get("/web/programme")
    missed = page.text.split('id="missed"', 1)[1].split("</section>", 1)[0]
    assert "<table>" in missed and "of" in missed


async def test_the_page_speaks_the_viewers_language(site: Site) -> None:
    runtime = site.dashboard.runtime
    chinese = await add_person(runtime, Role.coordinator, name="Wang", language="zh")
    spanish = await add_person(runtime, Role.admin, name="Lupe", language="es")
    async with await site.dashboard.signed_in(chinese) as browser:
        zh = await browser.get("/web/programme")
    async with await site.dashboard.signed_in(spanish) as browser:
        es = await browser.get("/web/programme")
    assert '<html lang="zh">' in zh.text and "各班对比" in zh.text and "本周学习过" in zh.text
    assert '<html lang="es">' in es.text and "Los grupos lado a lado" in es.text
    assert "Classes side by side" not in zh.text + es.text


async def test_the_spreadsheet_download(site: Site) -> None:
    async with await site.as_coordinator() as browser:
        page = await browser.get("/web/programme")
        assert 'href="/web/programme/trainees.xlsx?course=sample"' in page.text
        async with browser.http.get(browser.url("/web/programme/trainees.xlsx?course=sample")) as r:
            status, kind, body = r.status, r.headers["Content-Type"], await r.read()
            disposition = r.headers["Content-Disposition"]
        unknown = await browser.get("/web/programme/trainees.xlsx?course=nope")
    assert status == 200 and kind.startswith("application/vnd.openxmlformats")
    assert 'filename="trainees-sample.xlsx"' in disposition
    book = load_workbook(io.BytesIO(body), read_only=True)
    trainees = book[book.sheetnames[0]]
    names = sorted(str(row[0]) for row in trainees.iter_rows(min_row=2, values_only=True))
    assert names == ["Ana", "Ben", "Cai", "Dora", "Eva", "Fay", "Gus"]
    assert unknown.status == 404


async def test_a_lecturer_sees_their_own_classes_only(site: Site) -> None:
    runtime = site.dashboard.runtime
    lecturer = await add_person(runtime, Role.lecturer, name="Lin")
    async with runtime.sessions() as session:
        beta = await session.get(Cohort, site.programme.cohorts["Beta"])
        assert beta is not None
        beta.lecturer_id = lecturer
        await session.commit()
        beta_stats = await cohort_stats(
            session, runtime.academy.services.courses, beta.id, NOW, "en"
        )
    async with await site.dashboard.signed_in(lecturer) as browser:
        page = await browser.get("/web/programme")
    assert [r[0] for r in class_table(page)] == ["Beta"]
    assert figures_of(page) == as_printed(beta_stats)
    assert "trainees.xlsx" not in page.text  # the download is a coordinator's, as in chat
    assert not page.shows("Ana's question 1")


async def test_an_empty_programme_is_a_friendly_page(dashboard: DashboardSite) -> None:
    coordinator = await add_person(dashboard.runtime, Role.coordinator)
    async with await dashboard.signed_in(coordinator) as browser:
        page = await browser.get("/web/programme")
    assert page.status == 200
    assert "No classes yet, so there is nothing to count." in page.text
    assert "<table" not in page.text


async def test_headings_come_in_order_and_tables_are_labelled(site: Site) -> None:
    async with await site.as_coordinator() as browser:
        page = await browser.get("/web/programme")
    levels = [int(n) for n in re.findall(r"<h([1-6])[ >]", page.text)]
    assert levels[0] == 1 and levels.count(1) == 1
    assert all(b - a <= 1 for a, b in pairwise(levels))
    assert page.text.count("<table") == page.text.count("<caption")
    assert '<th scope="col"' in page.text and '<th scope="row"' in page.text
    assert '<label for="classes-filter">' in page.text and 'id="classes-filter"' in page.text
    assert 'class="table-wrap"' in page.text


async def test_the_figures_are_counted_again_after_a_minute(site: Site) -> None:
    runtime = site.dashboard.runtime
    async with await site.as_coordinator() as browser:
        before = await browser.get("/web/programme")
        async with runtime.sessions() as session:
            newcomer = Person(channel="test", channel_user_id="newcomer", display_name="Nia")
            session.add(newcomer)
            await session.flush()
            assert newcomer.id is not None
            beta = site.programme.cohorts["Beta"]
            session.add(Membership(cohort_id=beta, person_id=newcomer.id))
            await session.commit()
        same = await browser.get("/web/programme?sort=members")
        site.dashboard.later(timedelta(seconds=59))
        still = await browser.get("/web/programme")
        site.dashboard.later(timedelta(seconds=1))
        after = await browser.get("/web/programme")
    assert figure(before, "enrolled") == figure(same, "enrolled") == figure(still, "enrolled")
    assert (figure(before, "enrolled"), figure(after, "enrolled")) == ("7", "8")
    assert "Counted at 2026-03-10 15:00 (UTC)" in before.text
    assert "Counted at 2026-03-10 15:01 (UTC)" in after.text


async def test_a_course_picker_when_classes_follow_several_courses(site: Site) -> None:
    runtime = site.dashboard.runtime
    courses = runtime.academy.services.courses
    courses["second"] = replace(courses["sample"], id="second", title={"en": "Beekeeping"})
    async with runtime.sessions() as session:
        session.add(Cohort(name="Bees", course_id="second", timezone="UTC", invite_code="BEES"))
        await session.commit()
    async with await site.as_coordinator() as browser:
        default = await browser.get("/web/programme")
        second = await browser.get("/web/programme?course=second")
    assert '<label for="course">Course</label>' in default.text
    assert '<option value="second">Beekeeping</option>' in default.text
    assert [r[0] for r in class_table(default)] == ["Alpha", "Beta"]
    assert [r[0] for r in class_table(second)] == ["Bees"]
    assert '<option value="second" selected>' in second.text
    assert figure(second, "enrolled") == "0"
    assert 'href="/web/programme/trainees.xlsx?course=second"' in second.text


def test_every_word_the_templates_ask_for_is_in_the_catalogs() -> None:
    templates = Path(bot.web.__file__).parent / "templates"
    used: set[str] = set()
    for path in templates.glob("*.html"):
        found = re.findall(r"""\bt\(\s*["']([a-z_]+\.[a-z_.]+)["']""", path.read_text())
        used |= {key for key in found if not key.endswith((".", "_"))}  # built: see below
    # Keys the pages build from a value: every value they can take.
    used |= {f"web.programme.col_{c}" for c in CLASS_COLUMNS}
    used |= {f"web.class_page.col_{c}" for c in MEMBER_SORTS}
    used |= {f"web.programme.asked_{f}" for f in AskedFilter}
    used |= {f"web.programme.asked_caption_{f}" for f in AskedFilter}
    used |= {f"stats.status.{s}" for s in LessonStatus}
    assert len(used) > 50
    for language in LANGUAGES:
        assert sorted(used - set(catalog(language))) == [], language

"""Who may see which dashboard page: one table of role × page × own/other class → shown or
refused, over real HTTP (both backends). A new page adds its rows to ACCESS (and its classes'
rows to LISTED when it lists classes); `may_see_class` is the one rule behind every one."""

from __future__ import annotations

from dataclasses import dataclass

import pytest
from sqlmodel import select

from bot.db.models import Cohort, Membership, Role
from bot.web.viewer import Viewer, class_for, may_see_class
from tests.web.conftest import DashboardSite, add_class, add_person

STAFF = (Role.lecturer, Role.coordinator, Role.admin)
EVERYONE = (None, Role.trainee, *STAFF)  # None: nobody signed in


@dataclass(frozen=True)
class Access:
    """`role` asks for `page` ({own}: a class they teach, {other}: one they do not): `status`
    (200 shown, 403 refused, 404 hidden, 303 sent to sign in)."""

    page: str
    role: Role | None
    status: int
    method: str = "GET"

    def __str__(self) -> str:
        return f"{self.method} {self.page} as {self.role.value if self.role else 'nobody'}"


def rows(
    page: str,
    shown: tuple[Role | None, ...],
    method: str = "GET",
    *,
    hidden: tuple[Role, ...] = (),
) -> list[Access]:
    """`page` shown to the roles in `shown`, hidden (404: as if it did not exist) from those in
    `hidden`; nobody signed in is sent to sign in (GET) or refused (POST); every other role
    refused."""
    made = []
    for role in EVERYONE:
        if role in shown:
            status = 200
        elif role in hidden:
            status = 404
        elif role is None:
            status = 303 if method == "GET" else 403
        else:
            status = 403
        made.append(Access(page, role, status, method))
    return made


def class_rows(page: str, method: str = "GET", done: int = 200) -> list[Access]:
    """`page` of a class (`{which}`): the viewer's own class as `rows` gives it to staff (answered
    `done`: 303 for a form that sends them on); another's: hidden (404) from a lecturer."""
    own = [
        Access(row.page, row.role, done if row.status == 200 else row.status, method)
        for row in rows(page.format(which="{own}"), STAFF, method)
    ]
    other = page.format(which="{other}")
    return own + [
        Access(other, role, 404 if role is Role.lecturer else done, method) for role in STAFF
    ]


ACCESS: list[Access] = [
    *rows("/web", STAFF),
    *rows("/web/login", EVERYONE),
    *rows("/web/app", EVERYONE),
    *rows("/web/logout", (Role.trainee, *STAFF), method="POST"),
    # Issue 17, coordinator pages: {own_trainee}/{other_trainee} are in the own/other class.
    *rows("/web/programme", STAFF),
    *rows("/web/programme/trainees.xlsx?course=sample", (Role.coordinator, Role.admin)),
    *rows("/web/classes/{own}", STAFF),
    *rows("/web/classes/{other}", (Role.coordinator, Role.admin), hidden=(Role.lecturer,)),
    *rows("/web/classes/{own}/trainees.xlsx", (Role.coordinator, Role.admin)),
    *rows("/web/classes/{other}/trainees.xlsx", (Role.coordinator, Role.admin)),
    *rows("/web/trainees/{own_trainee}", STAFF),
    *rows("/web/trainees/{other_trainee}", (Role.coordinator, Role.admin), hidden=(Role.lecturer,)),
    # The lecturer's pages (issue 17); forms without their fields send the viewer back (303).
    *class_rows("/web/classes/{which}/join"),
    *class_rows("/web/classes/{which}/join/print"),
    *class_rows("/web/classes/{which}/join", "POST", 303),
    *class_rows("/web/classes/{which}/plan"),
    *class_rows("/web/classes/{which}/plan", "POST", 303),
    *class_rows("/web/classes/{which}/plan/state", "POST", 303),
    *class_rows("/web/classes/{which}/announcements"),
    *class_rows("/web/classes/{which}/announcements", "POST", 303),
    *rows("/web/questions", STAFF),
    *rows("/web/answers", STAFF),
]


@pytest.mark.parametrize("case", ACCESS, ids=str)
async def test_who_may_see_which_page(dashboard: DashboardSite, case: Access) -> None:
    runtime = dashboard.runtime
    other_lecturer = await add_person(runtime, Role.lecturer, name="Other")
    viewer = await add_person(runtime, case.role) if case.role else None
    own = await add_class(runtime, "Own", viewer, members=1)
    other = await add_class(runtime, "Other", other_lecturer, members=1)
    async with runtime.sessions() as session:
        trainees = dict(
            list(await session.exec(select(Membership.cohort_id, Membership.person_id)))
        )
    page = case.page.format(
        own=own, other=other, own_trainee=trainees[own], other_trainee=trainees[other]
    )
    if viewer is None:
        browser = dashboard.browser()
    else:
        browser = await dashboard.signed_in(viewer)
    async with browser:
        if case.method == "GET":
            got = await browser.get(page)
        else:
            got = await browser.post(page)
    assert got.status == case.status, got.text


@dataclass(frozen=True)
class Listed:
    """On `page`, `role` sees the class they teach (`own`) and one they do not (`other`)."""

    page: str
    role: Role
    own: bool
    other: bool


LISTED = [
    Listed("/web", Role.lecturer, own=True, other=False),
    Listed("/web", Role.coordinator, own=True, other=True),
    Listed("/web", Role.admin, own=True, other=True),
]


@pytest.mark.parametrize("case", LISTED, ids=lambda c: f"{c.page} as {c.role.value}")
async def test_which_classes_a_page_lists(dashboard: DashboardSite, case: Listed) -> None:
    runtime = dashboard.runtime
    viewer = await add_person(runtime, case.role, name="Me")
    other_lecturer = await add_person(runtime, Role.lecturer, name="Somebody Else")
    await add_class(runtime, "Peach growers", viewer, members=3)
    await add_class(runtime, "Honey makers", other_lecturer, members=2)
    async with await dashboard.signed_in(viewer) as browser:
        page = await browser.get(case.page)
    assert page.status == 200
    assert ("Peach growers" in page.text) is case.own
    assert ("Honey makers" in page.text) is case.other
    if case.own:
        assert "CODEPEACHGROWERS" in page.text and ">3<" in page.text
    if case.other:
        assert "Somebody Else" in page.text and ">2<" in page.text


def viewer(role: Role, person_id: int = 7) -> Viewer:
    return Viewer(person_id=person_id, role=role, language="en", name="", csrf="")


@pytest.mark.parametrize(
    ("role", "teaches", "allowed"),
    [
        (Role.trainee, True, False),
        (Role.trainee, False, False),
        (Role.lecturer, True, True),
        (Role.lecturer, False, False),
        (Role.coordinator, True, True),
        (Role.coordinator, False, True),
        (Role.admin, False, True),
    ],
)
def test_may_see_class(role: Role, teaches: bool, allowed: bool) -> None:
    cohort = Cohort(name="c", course_id="sample", timezone="UTC", invite_code="C")
    cohort.lecturer_id = 7 if teaches else 8
    assert may_see_class(viewer(role), cohort) is allowed


def test_a_class_without_a_lecturer_is_for_coordinators_only() -> None:
    cohort = Cohort(name="c", course_id="sample", timezone="UTC", invite_code="C")
    assert not may_see_class(viewer(Role.lecturer), cohort)
    assert may_see_class(viewer(Role.coordinator), cohort)


async def test_class_for_answers_a_missing_class_as_one_not_theirs(
    dashboard: DashboardSite,
) -> None:
    runtime = dashboard.runtime
    lee = await add_person(runtime, Role.lecturer, name="Lee")
    wang = await add_person(runtime, Role.coordinator, name="Wang")
    own = await add_class(runtime, "Own", lee)
    other = await add_class(runtime, "Other", wang)
    async with runtime.sessions() as session:
        found = await class_for(session, viewer(Role.lecturer, lee), own)
        assert found is not None and found.name == "Own"
        assert await class_for(session, viewer(Role.lecturer, lee), other) is None
        assert await class_for(session, viewer(Role.lecturer, lee), other + 1000) is None
        assert await class_for(session, viewer(Role.coordinator, wang), own) is not None

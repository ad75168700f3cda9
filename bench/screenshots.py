"""Screenshots of the web pages at phone and laptop sizes, for the README (docs/screenshots/).

A fresh SQLite file gets the programme of `bench/stats.py` (the `sell-online` course, a few
hundred trainees in a few classes), a coordinator and a new trainee; the runtime's web routes
are served on a free port of 127.0.0.1 (the tests' DashboardServer) and Debian's Chromium, headless
(the browser tests' harness), signs the coordinator in and walks the trainee through lesson 1:
sign-in, home, the lesson's first card, a quiz question, an answer and the result, and every
other dashboard page that answers 200 on this branch, each as a phone (360×640) and a laptop
(1280×800) sees it. Each PNG should stay under 150 KB (a warning says which does not).

    python bench/screenshots.py [--out docs/screenshots] [--trainees 300] [--cohorts 6]

Needs Debian's chromium (apt-get install chromium) and, for the Chinese names, fonts-noto-cjk.
"""

from __future__ import annotations

import argparse
import asyncio
import sys
import tempfile
from dataclasses import replace
from datetime import timedelta
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from bench.stats import COURSE, NOW, fill, make_programme
from bot.config import Settings
from bot.db.models import Person, Role
from bot.i18n import Translator
from bot.lessons.content import load_courses
from bot.lessons.links import lesson_url
from bot.runtime import Runtime, open_runtime, run_async
from tests.web.browser.chromium import LAPTOP, PHONE, Chromium, Screen, Tab, find_chromium
from tests.web.conftest import DashboardServer, add_person, login_link

LIMIT_BYTES = 150_000
# The phone at 1.5 pixels per CSS pixel (a cheap Android phone's), sharp yet small files.
SCREENS = {"phone": replace(PHONE, scale=1.5), "laptop": LAPTOP}
# Dashboard pages that may exist (each helper's branch adds some): taken when they answer 200.
MORE_PAGES = {
    "programme": "/web/programme",
    "class": "/web/classes/1",
    "class-join": "/web/classes/1/join",
    "class-plan": "/web/classes/1/plan",
    "announcements": "/web/classes/1/announcements",
    "trainee": "/web/trainees/{trainee}",
    "questions": "/web/questions",
}
en = Translator("en")


async def new_trainee(runtime: Runtime, screen: str) -> int:
    async with runtime.sessions() as session:
        person = Person(
            channel="bench", channel_user_id=f"ana-{screen}", display_name="Ana", language="en"
        )
        person.course_id = COURSE
        session.add(person)
        await session.commit()
        assert person.id is not None
        return person.id


class Shooter:
    """Saves what a tab shows as <out>/<page>-<screen>.png and remembers each file."""

    def __init__(self, out: Path) -> None:
        self.out = out
        self.saved: list[Path] = []

    async def __call__(self, tab: Tab, page: str, screen: str) -> None:
        path = self.out / f"{page}-{screen}.png"
        await tab.screenshot(path)
        self.saved.append(path)


async def dashboard_pages(
    chromium: Chromium, server: DashboardServer, screen: Screen, name: str, shoot: Shooter
) -> None:
    runtime, now = server.runtime, server.clock[0]
    coordinator = await add_person(runtime, Role.coordinator, name="Mei Lin", user_id=f"mei-{name}")
    tab = await chromium.tab(screen)
    try:
        await tab.open(await login_link(runtime, coordinator, now, server.base_url))
        await shoot(tab, "sign-in", name)
        await tab.press(en("web.sign_in_button"))
        await shoot(tab, "home", name)
        for page, path in MORE_PAGES.items():
            status = await tab.open(server.base_url + path.format(trainee=10))
            if status == 200:
                await shoot(tab, page, name)
    finally:
        await tab.close()


async def lesson_pages(
    chromium: Chromium, server: DashboardServer, screen: Screen, name: str, shoot: Shooter
) -> None:
    runtime = server.runtime
    course = runtime.academy.services.courses[COURSE]
    lesson = course.lesson(course.lessons[0], "en")
    person = await new_trainee(runtime, name)
    secret = runtime.settings.lesson_link_secret
    url = lesson_url(server.base_url, secret, person, COURSE, lesson.slug, server.clock[0])
    tab = await chromium.tab(screen)
    try:
        await tab.open(url)
        await shoot(tab, "lesson-card", name)
        for _ in lesson.cards[1:]:
            server.clock[0] += timedelta(seconds=20)
            await tab.press(en("lesson.next"))
        server.clock[0] += timedelta(seconds=20)
        await tab.press(en("lesson.start_quiz"))
        await shoot(tab, "quiz-question", name)
        for number, question in enumerate(lesson.quiz):
            server.clock[0] += timedelta(seconds=20)
            # The first answer wrong, to show how a wrong answer is explained.
            chosen = question.answer if number else (question.answer + 1) % len(question.options)
            await tab.press(question.options[chosen])
            if number == 0:
                await shoot(tab, "quiz-answer", name)
        await shoot(tab, "lesson-result", name)
    finally:
        await tab.close()


async def take(out: Path, trainees: int, cohorts: int, database: Path) -> list[Path]:
    settings = Settings(  # type: ignore[call-arg]
        _env_file=None,
        database_url=f"sqlite+aiosqlite:///{database}",
        bot_token="",
        default_language="en",
        web_dashboard=True,
    )
    courses = load_courses(settings)
    await fill(settings.database_url, make_programme(courses[COURSE], trainees, cohorts))
    runtime = await open_runtime(settings)
    chromium = await asyncio.to_thread(Chromium(find_chromium() or "chromium").start)
    shoot = Shooter(out)
    try:
        async with DashboardServer(runtime, [NOW]) as server:
            for name, screen in SCREENS.items():
                await dashboard_pages(chromium, server, screen, name, shoot)
                await lesson_pages(chromium, server, screen, name, shoot)
    finally:
        await asyncio.to_thread(chromium.stop)
        await runtime.close()
    return shoot.saved


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--out", type=Path, default=Path("docs/screenshots"))
    parser.add_argument("--trainees", type=int, default=300)
    parser.add_argument("--cohorts", type=int, default=6)
    args = parser.parse_args()
    if find_chromium() is None:
        raise SystemExit("No Chromium: install Debian's chromium (apt-get install chromium).")
    with tempfile.TemporaryDirectory() as tmp:
        saved = run_async(take(args.out, args.trainees, args.cohorts, Path(tmp) / "shots.db"))
    too_big = False
    for path in saved:
        size = path.stat().st_size
        too_big |= size > LIMIT_BYTES
        mark = "  (over 150 KB)" if size > LIMIT_BYTES else ""
        print(f"{path}  {size / 1000:.0f} KB{mark}")
    if too_big:
        raise SystemExit("Some screenshots are over 150 KB.")


if __name__ == "__main__":
    main()

"""The web dashboard's data for 10,000 trainees in 50 classes (issue 17).

The programme of `bench/stats.py` (the real `sell-online` course, realistic progress, answers,
study days and WhatsApp receipts) is written to a fresh SQLite file and, when TEST_DATABASE_URL
(or --postgres) names a PostgreSQL server, to a fresh database there (created and dropped). Then
each page's data is gathered `--runs` times, each in a fresh session as a request would: the
coordinator's overview (the figures and completion per lesson), the biggest class's page, and the
page of the trainee with the most answers; beside them, what the pages around them need (activity
over 8 weeks, the classes side by side, the most missed questions, the open questions, both SVG
charts). Prints the median and the 95th percentile of each, and one JSON line.

    python bench/web.py [--trainees 10000] [--cohorts 50] [--runs 20] [--postgres URL]

Then the three pages over real HTTP (`http_*`: the runtime's web routes on a free port, a
coordinator signed in, each page rendered in Chinese as a browser gets it).

Target: overview, class page and trainee page < 300 ms median each, data and pages alike.
"""

from __future__ import annotations

import argparse
import json
import os
import statistics
import sys
import tempfile
import time
from collections.abc import Awaitable, Callable
from pathlib import Path
from typing import Any

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from sqlalchemy import func, select

from bench.databases import fresh_postgres
from bench.stats import COURSE, NOW, fill, make_programme
from bot.config import Settings
from bot.db.models import Membership, QuizAnswer
from bot.lessons.model import Course

TARGET_S = 0.300
PAGES = (
    "overview",
    "class_page",
    "trainee_page",
    "http_programme",
    "http_class_page",
    "http_trainee_page",
)


async def timed(action: Callable[[], Awaitable[object]], runs: int) -> dict[str, float]:
    """The median and 95th percentile of `runs` runs of `action`, and the first run (the
    programme page counts its figures then, and keeps them a minute), in seconds."""
    times = []
    for _ in range(runs):
        started = time.perf_counter()
        await action()
        times.append(time.perf_counter() - started)
    first = times[0]
    times.sort()
    p95 = times[min(len(times) - 1, round(0.95 * (len(times) - 1)))]
    median = round(statistics.median(times), 4)
    return {"median": median, "p95": round(p95, 4), "first": round(first, 4)}


async def subjects(sessions: Any) -> tuple[int, int]:
    """The biggest class's id and the id of the trainee with the most answers."""
    async with sessions() as session:
        biggest = (
            await session.exec(
                select(Membership.cohort_id)
                .group_by(Membership.cohort_id)
                .order_by(func.count().desc(), Membership.cohort_id)
                .limit(1)
            )
        ).one()[0]
        busiest = (
            await session.exec(
                select(QuizAnswer.person_id)
                .group_by(QuizAnswer.person_id)
                .order_by(func.count().desc(), QuizAnswer.person_id)
                .limit(1)
            )
        ).one()[0]
    return int(biggest), int(busiest)


async def over_http(url: str, courses: dict[str, Course], runs: int) -> dict[str, Any]:
    """The three pages as a browser gets them: the runtime's web routes on a free port, a
    coordinator's session cookie (Chinese), every request one GET, rendering included."""
    import aiohttp
    from aiohttp import web

    from bot.db.engine import make_engine, make_sessionmaker
    from bot.db.models import Person, Role
    from bot.db.web_sign_in import open_session
    from bot.web.app import add_web_routes
    from bot.web.guard import COOKIE
    from bot.web.pages import Dashboard

    settings = Settings(_env_file=None, database_url=url, web_dashboard=True)  # type: ignore[call-arg]
    engine = make_engine(settings)
    sessions = make_sessionmaker(engine)
    biggest, busiest = await subjects(sessions)
    async with sessions() as session:
        # The bench writes ids itself, so PostgreSQL's sequence has not moved: take the next.
        last = (await session.exec(select(func.max(Person.id)))).one()[0]
        person = Person(
            id=int(last or 0) + 1,
            channel="bench",
            channel_user_id="coordinator",
            display_name="Bench",
            role=Role.coordinator,
            language="zh",
        )
        session.add(person)
        await session.flush()
        assert person.id is not None
        opened = await open_session(session, person.id, NOW)
        await session.commit()
    app = web.Application()
    dashboard = Dashboard(
        settings=settings, sessions=sessions, courses=lambda: courses, clock=lambda: NOW
    )
    add_web_routes(app, dashboard)
    runner = web.AppRunner(app, access_log=None)
    await runner.setup()
    await web.TCPSite(runner, "127.0.0.1", 0).start()
    base = f"http://127.0.0.1:{runner.addresses[0][1]}"
    paths = {
        "http_programme": "/web/programme",
        "http_class_page": f"/web/classes/{biggest}",
        "http_trainee_page": f"/web/trainees/{busiest}",
    }
    results: dict[str, Any] = {}
    sizes: dict[str, int] = {}
    try:
        headers = {"Cookie": f"{COOKIE}={opened.cookie}"}
        async with aiohttp.ClientSession(headers=headers) as http:
            for name, path in paths.items():

                async def get(path: str = path, name: str = name) -> None:
                    async with http.get(base + path, allow_redirects=False) as response:
                        body = await response.read()
                    if response.status != 200:
                        raise RuntimeError(f"{path}: {response.status}")
                    sizes[name] = len(body)

                results[name] = await timed(get, runs)
    finally:
        await runner.cleanup()
        await engine.dispose()
    results["page_bytes"] = sizes
    return results


async def measure(url: str, courses: dict[str, Course], runs: int) -> dict[str, Any]:
    from bot.db.engine import make_engine, make_sessionmaker
    from bot.i18n import Translator
    from bot.stats.asked import AskedFilter, missed_questions, questions_asked
    from bot.stats.dashboard import activity_over_time, class_rows, programme_overview
    from bot.stats.labels import svg_labels
    from bot.stats.people import class_page, trainee_page
    from bot.stats.svg import activity_svg, completion_svg

    engine = make_engine(Settings(_env_file=None, database_url=url))  # type: ignore[call-arg]
    sessions = make_sessionmaker(engine)
    try:
        biggest, busiest = await subjects(sessions)

        def in_session(work: Callable[[Any], Awaitable[object]]) -> Callable[[], Awaitable[object]]:
            async def run() -> object:
                async with sessions() as session:
                    return await work(session)

            return run

        actions: dict[str, Callable[[], Awaitable[object]]] = {
            "overview": in_session(lambda s: programme_overview(s, courses, NOW, "zh")),
            "class_page": in_session(lambda s: class_page(s, courses, biggest, NOW, "zh")),
            "trainee_page": in_session(lambda s: trainee_page(s, courses, busiest, "zh")),
            "activity_8_weeks": in_session(lambda s: activity_over_time(s, COURSE, NOW)),
            "class_activity": in_session(
                lambda s: activity_over_time(s, COURSE, NOW, cohort_ids=[biggest])
            ),
            "classes_side_by_side": in_session(lambda s: class_rows(s, courses, NOW)),
            "most_missed": in_session(lambda s: missed_questions(s, courses, "zh")),
            "open_questions": in_session(
                lambda s: questions_asked(s, courses, which=AskedFilter.open)
            ),
        }
        results: dict[str, Any] = {}
        for name, action in actions.items():
            results[name] = await timed(action, runs)
        async with sessions() as session:
            overview = await programme_overview(session, courses, NOW, "zh")
            page = await class_page(session, courses, biggest, NOW, "zh")
            trainee = await trainee_page(session, courses, busiest, "zh")
            activity = await activity_over_time(session, COURSE, NOW)
        labels = svg_labels(Translator("zh"))

        async def charts() -> object:
            completion_svg(overview.lessons, overview.enrolled, labels)
            return activity_svg(activity, labels)

        results["both_charts"] = await timed(charts, runs)
    finally:
        await engine.dispose()
    results["figures"] = {
        "enrolled": overview.enrolled,
        "active_7d": overview.active_7d,
        "finished": overview.finished,
        "waiting": overview.waiting,
        "class_members": len(page.members),
        "class_stuck": len(page.stuck),
        "trainee_answers": sum(q.attempts for lesson in trainee.lessons for q in lesson.questions),
        "weekly_active": [p.active for p in activity.points],
        "completion_svg_bytes": len(completion_svg(overview.lessons, 1, labels).encode()),
        "activity_svg_bytes": len(activity_svg(activity, labels).encode()),
    }
    return results


async def run_on(url: str, rows: dict[str, list], courses: dict[str, Course], runs: int) -> Any:
    started = time.perf_counter()
    await fill(url, rows)
    filled = time.perf_counter() - started
    results = await measure(url, courses, runs)
    results.update(await over_http(url, courses, runs))
    results["fill_s"] = round(filled, 1)
    return results


def report(database: str, results: dict[str, Any], runs: int) -> bool:
    print(f"\n{database}: median, 95th percentile and first of {runs} runs, milliseconds")
    for name, figures in results.items():
        if isinstance(figures, dict) and "median" in figures:
            mark = " (target < 300 ms median)" if name in PAGES else ""
            median, p95 = figures["median"] * 1000, figures["p95"] * 1000
            first = figures["first"] * 1000
            print(f"  {name:24}{median:8.1f}{p95:8.1f}{first:8.1f}{mark}")
    print(f"  figures: {results['figures']}")
    print(f"  page sizes (bytes): {results['page_bytes']}")
    met = all(results[name]["median"] < TARGET_S for name in PAGES)
    print(f"  target: {'met' if met else 'NOT met'}")
    return met


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--trainees", type=int, default=10_000)
    parser.add_argument("--cohorts", type=int, default=50)
    parser.add_argument("--runs", type=int, default=20)
    parser.add_argument(
        "--postgres",
        default=os.environ.get("TEST_DATABASE_URL"),
        help="A PostgreSQL server URL (default: TEST_DATABASE_URL); a fresh database is used.",
    )
    args = parser.parse_args()

    from bot.lessons.content import load_courses
    from bot.runtime import run_async

    courses = load_courses(Settings(_env_file=None))  # type: ignore[call-arg]
    rows = make_programme(courses[COURSE], args.trainees, args.cohorts)
    counts = {key: len(value) for key, value in rows.items()}
    print(f"rows: {counts}")
    out: dict[str, Any] = {"bench": "web", "rows": counts}
    with tempfile.TemporaryDirectory() as tmp:
        url = f"sqlite+aiosqlite:///{Path(tmp) / 'web.db'}"
        out["sqlite"] = run_async(run_on(url, rows, courses, args.runs))
    met = report("SQLite", out["sqlite"], args.runs)
    if args.postgres:

        async def on_postgres() -> Any:
            url, drop = await fresh_postgres(args.postgres, "bench_web")
            try:
                return await run_on(url, rows, courses, args.runs)
            finally:
                await drop()

        out["postgresql"] = run_async(on_postgres())
        met = report("PostgreSQL", out["postgresql"], args.runs) and met
    out["target_met"] = met
    print(json.dumps(out, ensure_ascii=False))


if __name__ == "__main__":
    main()

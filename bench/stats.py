"""Coordinator statistics on a realistic programme: 10,000 trainees in 50 cohorts.

A fresh SQLite file (or an empty database given with --database-url) is migrated and filled with
bulk inserts: the real starter course (`sell-online`, 12 lessons), trainees who mostly get through
the first lessons and thin out towards the end, failed and retried quizzes with one answer row per
question, some people in two cohorts, activity days over the last two months, and (unless
--no-receipts) WhatsApp receipts: a third of the trainees on WhatsApp, each with a message every
two to four days over the 90 days receipts are kept, most delivered and many read, and a few
people whose messages stopped arriving. Then each of
these is timed (median of 3 runs, each in a fresh session, as a handler would do it): the overall
summary, one cohort's summary, every cohort's summary, the PNG chart, and the XLSX export of all
trainees (query and workbook).

    python bench/stats.py [--trainees 10000] [--cohorts 50] [--database-url URL] [--no-receipts]

Prints a table and ends with one JSON line of the figures. Targets: summary < 1 s, export < 5 s.
"""

from __future__ import annotations

import argparse
import json
import random
import statistics
import sys
import tempfile
import time
from collections.abc import Awaitable, Callable
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any, TypeVar

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from sqlalchemy import func, insert, select, text

from bot.config import Settings
from bot.db.models import (
    ActivityDay,
    Cohort,
    LessonProgress,
    LessonStatus,
    Membership,
    MessageReceipt,
    Person,
    QuizAnswer,
)
from bot.lessons.model import Course

T = TypeVar("T")
NOW = datetime.now(UTC).replace(microsecond=0)
COURSE = "sell-online"
PLACES = ["桃园村", "San Mateo", "青山镇", "El Rosario", "Hill Farm", "白沙乡", "Tlacolula", "梅岭"]
SUMMARY_TARGET_S, EXPORT_TARGET_S = 1.0, 5.0


def make_programme(
    course: Course, trainees: int, cohorts: int, seed: int = 7, receipts: bool = True
) -> dict[str, list]:
    """Rows for every table, as dicts for executemany; ids are given so rows can refer to them."""
    rng = random.Random(seed)
    on_whatsapp = random.Random(seed + 1)  # its own draws: the rest is the same without receipts
    rows: dict[str, list[dict[str, Any]]] = {
        "people": [],
        "cohorts": [],
        "memberships": [],
        "progress": [],
        "answers": [],
        "days": [],
        "receipts": [],
    }
    questions = [len(course.lesson(slug, course.languages[0]).quiz) for slug in course.lessons]
    # Some questions are simply harder: the most-missed list should find them.
    ease = [[rng.choice([0.7, 0.9, 1.0, 1.1, 1.15, 1.2]) for _ in range(n)] for n in questions]
    weights = [rng.uniform(0.5, 1.5) for _ in range(cohorts)]
    sizes = [int(trainees * w / sum(weights)) for w in weights]
    sizes[0] += trainees - sum(sizes)

    person_id = 0

    def person(role: str, name: str, seen: datetime) -> int:
        nonlocal person_id
        person_id += 1
        rows["people"].append(
            {
                "id": person_id,
                "channel": "bench",
                "channel_user_id": str(person_id),
                "display_name": name,
                "language": rng.choice(["zh", "zh", "es", "en"]),
                "language_chosen": True,
                "timezone": "Asia/Shanghai",
                "role": role,
                "blocked": False,
                "created_at": seen,
                "last_seen_at": seen,
                "cohort_id": None,
                "course_id": COURSE,
            }
        )
        return person_id

    membership_id = 0
    for c, size in enumerate(sizes, 1):
        started = NOW - timedelta(days=rng.randint(20, 150))
        lecturer = person("lecturer", f"Lecturer {c}", NOW)
        rows["cohorts"].append(
            {
                "id": c,
                "name": f"{PLACES[c % len(PLACES)]} {2025 + c % 2}-{c:02d}",
                "course_id": COURSE,
                "timezone": "Asia/Shanghai",
                "lecturer_id": lecturer,
                "invite_code": f"BENCH{c:04d}",
                "invite_open": True,
                "created_at": started,
            }
        )
        for _ in range(size):
            pid = person("trainee", f"Trainee {person_id + 1}", started)
            joined = started + timedelta(hours=rng.randint(0, 72))
            cohort_ids = [c] if rng.random() > 0.02 else [c, rng.randint(1, cohorts)]
            for cohort_id in dict.fromkeys(cohort_ids):  # 2 % also joined a second cohort
                membership_id += 1
                rows["memberships"].append(
                    {
                        "id": membership_id,
                        "cohort_id": cohort_id,
                        "person_id": pid,
                        "joined_at": joined,
                    }
                )
            last = simulate_trainee(rng, course, pid, joined, questions, ease, rows)
            rows["people"][-1]["last_seen_at"] = last
            if receipts and on_whatsapp.random() < 1 / 3:
                rows["people"][-1]["channel"] = "whatsapp"
                since = max(joined, NOW - timedelta(days=90))
                simulate_receipts(on_whatsapp, pid, since, rows)
    return rows


def simulate_trainee(
    rng: random.Random,
    course: Course,
    pid: int,
    joined: datetime,
    questions: list[int],
    ease: list[list[float]],
    rows: dict[str, list],
) -> datetime:
    """One trainee's way through the course; returns when they were last seen."""
    skill = rng.betavariate(9, 2)
    at = joined
    days: set = set()
    for n, slug in enumerate(course.lessons):
        if n == 0 and rng.random() < 0.05:
            break  # joined and never opened a lesson
        at += timedelta(days=rng.expovariate(1 / 2.5), minutes=rng.randint(1, 600))
        if at > NOW:
            break
        days.add(at.date())
        row = {
            "person_id": pid,
            "course_id": course.id,
            "lesson": slug,
            "status": LessonStatus.reading,
            "card": rng.randint(0, 3),
            "attempt": 0,
            "question": 0,
            "correct": 0,
            "last_score": None,
            "best_score": None,
            "started_at": at,
            "updated_at": at,
            "passed_at": None,
        }
        rows["progress"].append(row)
        if rng.random() < 0.04:
            break  # stopped while reading
        while True:
            row["attempt"] += 1
            answered = questions[n] if rng.random() > 0.04 else rng.randint(1, questions[n] - 1)
            right = 0
            for q in range(answered):
                correct = rng.random() < min(0.98, skill * ease[n][q])
                right += correct
                rows["answers"].append(
                    {
                        "person_id": pid,
                        "course_id": course.id,
                        "lesson": slug,
                        "attempt": row["attempt"],
                        "question": q,
                        "chosen": 0 if correct else 1,
                        "correct": correct,
                        "answered_at": at,
                    }
                )
            row["updated_at"] = at
            if answered < questions[n]:
                row.update(status=LessonStatus.quiz, question=answered, correct=right)
                break  # in the middle of a quiz
            score = right / questions[n]
            best = max(score, row["best_score"] or 0.0)
            row.update(last_score=score, best_score=best, question=answered, correct=right)
            if score >= course.pass_mark - 1e-9:
                row.update(status=LessonStatus.passed, passed_at=at)
                break
            row["status"] = LessonStatus.failed
            if rng.random() < 0.12 or row["attempt"] >= 4:
                break  # gave up, for now
            at += timedelta(hours=rng.randint(1, 30))
            days.add(at.date())
        if row["status"] != LessonStatus.passed or rng.random() < 0.05:
            break  # stuck here, or simply stopped coming
    # Some come back just to look at their progress: the recent days the 7-day window sees.
    if days and rng.random() < 0.3:
        days.add((NOW - timedelta(days=rng.randint(0, 9))).date())
    rows["days"].extend({"person_id": pid, "day": day} for day in days if day <= NOW.date())
    return min(at, NOW)


def simulate_receipts(rng: random.Random, pid: int, since: datetime, rows: dict[str, list]) -> None:
    """A WhatsApp trainee's messages since `since`: one every 2-4 days; 5 % of people stop
    receiving at some point (a lost phone, a changed number)."""
    lost = NOW - timedelta(days=rng.uniform(0, 30)) if rng.random() < 0.05 else None
    at = since + timedelta(hours=rng.uniform(0, 48))
    while at < NOW:
        arrived = (lost is None or at < lost) and rng.random() < 0.97
        delivered = at + timedelta(seconds=rng.randint(1, 3600)) if arrived else None
        read = (
            delivered + timedelta(hours=rng.uniform(0, 20))
            if delivered and rng.random() < 0.6
            else None
        )
        rows["receipts"].append(
            {
                "channel": "whatsapp",
                "message_ref": f"wamid.{pid}.{len(rows['receipts'])}",
                "person_id": pid,
                "delivery_id": None,
                "status": "read" if read else "delivered" if delivered else "sent",
                "sent_at": at,
                "delivered_at": delivered,
                "read_at": read,
                "failed_at": None,
                "error_code": None,
            }
        )
        at += timedelta(days=rng.uniform(2, 4))


async def fill(url: str, rows: dict[str, list]) -> None:
    from bot.db.engine import make_engine
    from bot.db.migrate import upgrade

    engine = make_engine(Settings(_env_file=None, database_url=url))  # type: ignore[call-arg]
    try:
        await upgrade(engine)
        async with engine.begin() as connection:
            taken = (await connection.execute(select(func.count()).select_from(Person))).one()[0]
            if taken:
                raise SystemExit(f"{url} already has {taken} people: give an empty database.")
            tables = [
                (Person, "people"),
                (Cohort, "cohorts"),
                (Membership, "memberships"),
                (LessonProgress, "progress"),
                (QuizAnswer, "answers"),
                (ActivityDay, "days"),
                (MessageReceipt, "receipts"),
            ]
            for model, key in tables:
                data = rows[key]
                for start in range(0, len(data), 20_000):
                    await connection.execute(
                        insert(model.__table__),  # type: ignore[attr-defined]
                        data[start : start + 20_000],
                    )
        if engine.dialect.name == "postgresql":
            # Autovacuum would have gathered statistics long before a coordinator asks; right
            # after a bulk load the planner thinks `people` has 6 rows and picks bad plans.
            async with engine.connect() as connection:
                await connection.execute(text("ANALYZE"))
                await connection.commit()
    finally:
        await engine.dispose()


async def median_time(action: Callable[[], Awaitable[T]], runs: int = 3) -> tuple[float, T]:
    times, result = [], None
    for _ in range(runs):
        started = time.perf_counter()
        result = await action()
        times.append(time.perf_counter() - started)
    return statistics.median(times), result  # type: ignore[return-value]


async def measure(url: str, courses: dict[str, Course]) -> dict[str, Any]:
    from bot.db.engine import make_engine, make_sessionmaker
    from bot.i18n import Translator
    from bot.stats import all_cohort_stats, cohort_stats, trainee_rows
    from bot.stats.chart import completion_chart
    from bot.stats.export import trainees_xlsx
    from bot.stats.labels import chart_labels, export_labels

    engine = make_engine(Settings(_env_file=None, database_url=url))  # type: ignore[call-arg]
    sessions = make_sessionmaker(engine)
    course = courses[COURSE]
    figures: dict[str, Any] = {}
    try:
        async with sessions() as session:
            biggest = (
                await session.exec(
                    select(Membership.cohort_id)
                    .group_by(Membership.cohort_id)
                    .order_by(func.count().desc())
                    .limit(1)
                )
            ).one()[0]

        async def summary(cohort_id: int | None) -> Any:
            async with sessions() as session:
                return await cohort_stats(session, courses, cohort_id, NOW, "zh", COURSE)

        async def every() -> Any:
            async with sessions() as session:
                return await all_cohort_stats(session, courses, NOW, "zh")

        async def rows() -> Any:
            async with sessions() as session:
                return await trainee_rows(session, course, None, NOW)

        figures["overall_summary_s"], overall = await median_time(lambda: summary(None))
        figures["cohort_summary_s"], one = await median_time(lambda: summary(biggest))
        figures["all_cohorts_s"], cohorts = await median_time(every)
        labels = chart_labels(Translator("en"))

        async def chart() -> bytes:
            return completion_chart(overall, labels)

        figures["chart_s"], png = await median_time(chart)
        figures["export_rows_s"], trainees = await median_time(rows)
        export = export_labels(Translator("en"))

        async def workbook() -> bytes:
            return trainees_xlsx(course, trainees, export, overall, "en")

        figures["export_xlsx_s"], xlsx = await median_time(workbook)
    finally:
        await engine.dispose()
    figures["export_total_s"] = figures["export_rows_s"] + figures["export_xlsx_s"]
    figures = {k: round(v, 3) for k, v in figures.items()}
    figures.update(
        enrolled=overall.enrolled,
        active_7d=overall.active_7d,
        completion_rate=round(overall.completion_rate, 3),
        average_score=round(overall.average_score or 0, 3),
        biggest_cohort=one.enrolled,
        cohorts=len(cohorts),
        exported_rows=len(trainees),
        png_kb=round(len(png) / 1024, 1),
        xlsx_kb=round(len(xlsx) / 1024, 1),
        most_missed=[f"{q.slug}#{q.index + 1} {q.share:.0%}" for q in overall.most_missed],
        reach={
            "messages": overall.reach.messages,
            "delivered": overall.reach.delivered,
            "read": overall.reach.read,
            "unreachable": overall.reach.unreachable,
        },
    )
    return figures


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--trainees", type=int, default=10_000)
    parser.add_argument("--cohorts", type=int, default=50)
    parser.add_argument("--database-url", help="An empty database (default: a new SQLite file).")
    parser.add_argument(
        "--no-receipts", action="store_true", help="Nobody on WhatsApp (no receipts)."
    )
    args = parser.parse_args()

    from bot.lessons.content import load_courses
    from bot.runtime import run_async

    courses = load_courses(Settings(_env_file=None))  # type: ignore[call-arg]
    started = time.perf_counter()
    rows = make_programme(
        courses[COURSE], args.trainees, args.cohorts, receipts=not args.no_receipts
    )
    generated = time.perf_counter() - started
    with tempfile.TemporaryDirectory() as tmp:
        url = args.database_url or f"sqlite+aiosqlite:///{Path(tmp) / 'stats.db'}"
        started = time.perf_counter()
        run_async(fill(url, rows))
        filled = time.perf_counter() - started
        figures = run_async(measure(url, courses))
    database = "postgresql" if url.startswith("postgresql") else "sqlite"
    counts = {key: len(value) for key, value in rows.items()}
    summary_ok = max(figures["overall_summary_s"], figures["cohort_summary_s"]) < SUMMARY_TARGET_S
    export_ok = figures["export_total_s"] < EXPORT_TARGET_S

    print(f"database: {database}; rows: {counts}")
    print(f"generate {generated:.1f} s, insert {filled:.1f} s")
    print(f"{'median of 3':34}{'seconds':>10}")
    for key, label in (
        ("overall_summary_s", "overall summary"),
        ("cohort_summary_s", f"one cohort summary ({figures['biggest_cohort']} trainees)"),
        ("all_cohorts_s", f"all {figures['cohorts']} cohorts"),
        ("chart_s", "chart (PNG)"),
        ("export_rows_s", "export: trainee rows"),
        ("export_xlsx_s", "export: XLSX workbook"),
        ("export_total_s", "export total"),
    ):
        print(f"{label:34}{figures[key]:>10.3f}")
    print(
        f"enrolled {figures['enrolled']}, active 7d {figures['active_7d']}, completion "
        f"{figures['completion_rate']:.1%}, average {figures['average_score']:.1%}; "
        f"most missed: {', '.join(figures['most_missed'])}"
    )
    reach = figures["reach"]
    print(
        f"WhatsApp messages {reach['messages']}, delivered {reach['delivered']}, read "
        f"{reach['read']}, unreachable trainees {reach['unreachable']}"
    )
    print(f"target summary < {SUMMARY_TARGET_S} s: {'met' if summary_ok else 'NOT met'}")
    print(f"target export < {EXPORT_TARGET_S} s: {'met' if export_ok else 'NOT met'}")
    print(
        json.dumps(
            {
                "bench": "stats",
                "database": database,
                "rows": counts,
                **figures,
                "summary_target_met": summary_ok,
                "export_target_met": export_ok,
            },
            ensure_ascii=False,
        )
    )


if __name__ == "__main__":
    main()

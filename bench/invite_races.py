"""N people open one one-time lecturer invite at the same moment, through the whole pipeline, on
one engine and on two (standing for two workers): how many became lecturers (should be 1).

    python bench/invite_races.py [--people 30] [--runs 3] [--postgres URL]

SQLite always; PostgreSQL with --postgres (a server URL; a fresh database is made and dropped per
run). Prints one line per backend and engine count, and ends with one JSON line.
"""

from __future__ import annotations

import argparse
import json
import sys
import tempfile
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from bench.databases import fresh_postgres
from bot.db.engine import make_engine
from bot.db.migrate import upgrade
from bot.runtime import run_async
from tests.cohorts.test_invite_races import concurrent_claims
from tests.conftest import make_settings


async def one_run(server: str, people: int, workers: int) -> int:
    """Lecturers made by `people` simultaneous claims on a fresh database."""
    drop = None
    if server:
        url, drop = await fresh_postgres(server, "invites")
    else:
        url = f"sqlite+aiosqlite:///{tempfile.mkdtemp()}/academy.db"
    try:
        settings = make_settings(url, admin_ids="test:boss")
        engine = make_engine(settings)
        await upgrade(engine)
        await engine.dispose()
        return (await concurrent_claims(settings, people, workers)).lecturers
    finally:
        if drop is not None:
            await drop()


async def main(people: int, runs: int, postgres: str) -> dict[str, list[int]]:
    figures: dict[str, list[int]] = {}
    for backend, server in (("sqlite", ""), ("postgresql", postgres)):
        if backend == "postgresql" and not server:
            continue
        for workers in (1, 2):
            name = f"{backend}-{workers}-engine{'s' if workers > 1 else ''}"
            figures[name] = [await one_run(server, people, workers) for _ in range(runs)]
            print(f"{name:24} lecturers made by {people} claims: {figures[name]}")
    return figures


if __name__ == "__main__":
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--people", type=int, default=30)
    parser.add_argument("--runs", type=int, default=3)
    parser.add_argument("--postgres", default="", help="a PostgreSQL server URL (optional)")
    args = parser.parse_args()
    print(json.dumps(run_async(main(args.people, args.runs, args.postgres))))

"""The course workbook (bot/lessons/workbook): export and import of the starter course (12 lessons
in 3 languages), and how fast the guards refuse a file that is not a plain workbook.

    python bench/workbook.py [--runs 5]

Prints the median and worst time of export and import, the workbook's size, the import's
warnings and the process's peak memory (ru_maxrss); ends with one JSON line.
"""

from __future__ import annotations

import argparse
import json
import resource
import statistics
import sys
import time
from collections.abc import Callable
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from bot.lessons.workbook import MAX_BYTES, export_course, import_workbook

STARTER = Path(__file__).resolve().parents[1] / "content" / "courses" / "sell-online"


def timed(work: Callable[[], object], runs: int) -> tuple[float, float]:
    """Median and worst seconds of `runs` calls."""
    times = []
    for _ in range(runs):
        start = time.perf_counter()
        work()
        times.append(time.perf_counter() - start)
    return statistics.median(times), max(times)


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--runs", type=int, default=5)
    runs = parser.parse_args().runs
    data = export_course(STARTER, "en")
    result = import_workbook(data, "en")
    assert result.errors == [], result.errors
    export_median, export_worst = timed(lambda: export_course(STARTER, "en"), runs)
    import_median, import_worst = timed(lambda: import_workbook(data, "en"), runs)
    huge, _ = timed(lambda: import_workbook(bytes(MAX_BYTES + 1), "en"), runs)
    figures = {
        "workbook_kb": round(len(data) / 1024, 1),
        "files": len(result.files),
        "warnings": len(result.warnings),
        "export_s": round(export_median, 3),
        "export_worst_s": round(export_worst, 3),
        "import_s": round(import_median, 3),
        "import_worst_s": round(import_worst, 3),
        "refuse_over_cap_ms": round(huge * 1000, 3),
        "peak_mb": round(resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024, 1),
    }
    print(f"workbook: {figures['workbook_kb']} KB, {figures['files']} files on import")
    print(f"export: median {export_median:.3f} s, worst {export_worst:.3f} s")
    print(f"import: median {import_median:.3f} s, worst {import_worst:.3f} s")
    print(
        f"refusing a file over the cap: {huge * 1000:.3f} ms; peak memory {figures['peak_mb']} MB"
    )
    print(json.dumps(figures))


if __name__ == "__main__":
    main()

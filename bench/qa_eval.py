"""Retrieval quality and speed on a set of questions: which lessons the course index finds.

Each line of FILE.jsonl is a question: `id`, `lang`, `question` and `expect`, the lesson slugs that
answer it (any one counts); an empty `expect` means the course does not cover it. The real course is
loaded from content/, indexed, and every question searched:

- hit@1 / hit@3: an expected slug is among the first 1 / 3 distinct lessons found (in-scope only);
- declined: out-of-scope questions for which `covers()` says no (should be high);
- wrongly declined: in-scope questions for which `covers()` says no (should be low);
- p50 / p95: the time of one search (ms), after a warm-up.

    python bench/qa_eval.py FILE.jsonl [--course sell-online] [--content content] [--verbose]

Prints a table (all questions, then one column per language) and ends with one JSON line whose
`by_language` holds the same figures per language. Targets: hit@3 >= 0.9, declined >= 0.8,
wrongly declined <= 0.1, p95 <= 20 ms; `passed` is for the whole set, each language has its own.
"""

from __future__ import annotations

import argparse
import json
import statistics
import sys
import time
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from bot.config import LANGUAGES  # noqa: E402
from bot.lessons.content import require_library  # noqa: E402
from bot.qa.retrieval import CourseIndex, covers, lesson_sources, match_of, strength_of  # noqa: E402

SEARCH_DEPTH = 20  # cards fetched, enough to find 3 distinct lessons
TARGETS = {"hit@3": (">=", 0.9), "declined": (">=", 0.8), "wrongly_declined": ("<=", 0.1)}
P95_TARGET_MS = 20.0


def _load(path: Path) -> list[dict[str, Any]]:
    lines = path.read_text(encoding="utf-8").splitlines()
    return [json.loads(line) for line in lines if line.strip()]


def _share(flags: list[bool]) -> float:
    return sum(flags) / len(flags) if flags else 0.0


def evaluate(
    index: CourseIndex, questions: list[dict[str, Any]], course: str, verbose: bool = False
) -> dict[str, Any]:
    """Search every question and return the figures (see the module docstring)."""
    hit1: list[bool] = []
    hit3: list[bool] = []
    declined: list[bool] = []
    wrongly: list[bool] = []
    for item in questions:
        hits = index.search(item["question"], item["lang"], course, k=SEARCH_DEPTH)
        lessons = [source.lesson for source in lesson_sources(hits)]
        expect = set(item["expect"])
        answered = covers(hits)
        if expect:
            hit1.append(bool(expect & set(lessons[:1])))
            hit3.append(bool(expect & set(lessons[:3])))
            wrongly.append(not answered)
        else:
            declined.append(not answered)
        if verbose:
            best = max((match_of(hit) for hit in hits[:3]), default=0.0)
            strong = max((strength_of(hit) for hit in hits[:3]), default=0.0)
            mark = "ok" if (answered == bool(expect)) and (not expect or hit3[-1]) else "XX"
            print(
                f"{mark} {item['id']:>8} {item['lang']} match={best:.2f} strength={strong:.2f} "
                f"found={lessons[:3]} expect={sorted(expect)} {item['question']}"
            )
    timings = _timings(index, questions, course)
    return {
        "questions": len(questions),
        "in_scope": len(hit1),
        "out_of_scope": len(declined),
        "hit@1": round(_share(hit1), 3),
        "hit@3": round(_share(hit3), 3),
        "declined": round(_share(declined), 3),
        "wrongly_declined": round(_share(wrongly), 3),
        "p50_ms": round(timings[0], 3),
        "p95_ms": round(timings[1], 3),
    }


def _timings(
    index: CourseIndex, questions: list[dict[str, Any]], course: str
) -> tuple[float, float]:
    """Median and 95th percentile of one search, in ms, each question timed 5 times."""
    for item in questions:  # warm-up: jieba's dictionary, the stemmers' caches
        index.search(item["question"], item["lang"], course, k=SEARCH_DEPTH)
    samples: list[float] = []
    for _ in range(5):
        for item in questions:
            start = time.perf_counter()
            index.search(item["question"], item["lang"], course, k=SEARCH_DEPTH)
            samples.append((time.perf_counter() - start) * 1000)
    if len(samples) < 2:
        return (samples[0], samples[0]) if samples else (0.0, 0.0)
    return statistics.median(samples), statistics.quantiles(samples, n=20)[18]


def _passed(figures: dict[str, Any]) -> bool:
    ok = figures["p95_ms"] <= P95_TARGET_MS
    for name, (sign, target) in TARGETS.items():
        value = figures[name]
        ok = ok and (value >= target if sign == ">=" else value <= target)
    return ok


def _by_language(
    index: CourseIndex, questions: list[dict[str, Any]], course: str
) -> dict[str, dict[str, Any]]:
    """The same figures for each language of the set, in the bot's order of languages."""
    present = {item["lang"] for item in questions}
    languages = [lang for lang in LANGUAGES if lang in present] + sorted(present - set(LANGUAGES))
    result: dict[str, dict[str, Any]] = {}
    for language in languages:
        subset = [item for item in questions if item["lang"] == language]
        figures = evaluate(index, subset, course)
        result[language] = {**figures, "passed": _passed(figures)}
    return result


def _scope(figures: dict[str, Any], _key: str) -> str:
    return f"{figures['in_scope']} / {figures['out_of_scope']}"


def _share_of(figures: dict[str, Any], key: str) -> str:
    return f"{figures[key]:.3f}"


_ROWS = [
    ("questions (in / out of scope)", "", _scope, ""),
    ("hit@1", "hit@1", _share_of, ""),
    ("hit@3", "hit@3", _share_of, ">= 0.9"),
    ("out of scope declined", "declined", _share_of, ">= 0.8"),
    ("in scope wrongly declined", "wrongly_declined", _share_of, "<= 0.1"),
    ("search p50 (ms)", "p50_ms", _share_of, ""),
    ("search p95 (ms)", "p95_ms", _share_of, "<= 20"),
    ("passed", "passed", lambda figures, key: "yes" if figures[key] else "no", ""),
]


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("file", type=Path, help="questions, one JSON object a line")
    parser.add_argument("--course", default="sell-online")
    parser.add_argument("--content", type=Path, default=ROOT / "content")
    parser.add_argument("--verbose", action="store_true", help="one line per question")
    args = parser.parse_args(argv)

    started = time.perf_counter()
    index = CourseIndex.build(require_library(args.content))
    build_ms = (time.perf_counter() - started) * 1000
    questions = _load(args.file)
    figures = evaluate(index, questions, args.course, verbose=args.verbose)
    figures = {"file": args.file.name, "course": args.course, **figures}
    figures["build_ms"] = round(build_ms, 1)
    figures["passed"] = _passed(figures)
    figures["by_language"] = _by_language(index, questions, args.course)

    columns = [figures, *figures["by_language"].values()]
    header = ["all", *figures["by_language"]]
    print(f"{args.file.name} on course {args.course}")
    print(f"  {'':<36}" + "".join(f" {name:>10}" for name in header) + "  target")
    for name, key, form, target in _ROWS:
        values = "".join(f" {form(column, key):>10}" for column in columns)
        print(f"  {name:<36}{values}  {target}")
    print(f"  {'index build, incl. jieba load (ms)':<36} {figures['build_ms']:>10.1f}")
    print(json.dumps(figures, ensure_ascii=False))
    return 0 if figures["passed"] else 1


if __name__ == "__main__":
    raise SystemExit(main())

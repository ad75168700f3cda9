"""How long the answers without an LLM are: the whole card (before) against the best excerpt (now).

Every question of FILE.jsonl (the format of bench/qa_eval.py) the course covers is answered the
way the bot answers with no LLM configured (`Asker.answer`); "before" is the answer as it was
until issue 18, the lesson's heading and the whole best card. Prints, per language, the number
of answers and their average and longest length in characters, before and now, against the
language's limit, then one JSON line.

    python bench/qa_answers.py FILE.jsonl [--course sell-online] [--content content] [--show]
"""

from __future__ import annotations

import argparse
import asyncio
import json
import statistics
import sys
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from bot.i18n import Translator  # noqa: E402
from bot.lessons.content import require_library  # noqa: E402
from bot.lessons.model import Course  # noqa: E402
from bot.qa.intents import without_small_talk  # noqa: E402
from bot.qa.passage import answer_limit  # noqa: E402
from bot.qa.retrieval import CourseIndex  # noqa: E402
from bot.qa.service import Asker  # noqa: E402


def _load(path: Path) -> list[dict[str, Any]]:
    lines = path.read_text(encoding="utf-8").splitlines()
    return [json.loads(line) for line in lines if line.strip()]


def whole_card(index: CourseIndex, question: str, language: str, course: str) -> str:
    """The answer before issue 18: the lesson's heading and the whole best card."""
    best = index.search(without_small_talk(question), language, course, k=5)[0].passage
    heading = Translator(language)("qa.from_lesson", title=best.title)
    return heading + "\n\n" + best.text.strip()


async def measure(
    asker: Asker, course: Course, questions: list[dict[str, Any]], show: bool
) -> dict[str, dict[str, Any]]:
    """Per language: answers, average and longest length before and now, over limit now."""
    lengths: dict[str, tuple[list[int], list[int]]] = {}
    for item in questions:
        language = item["lang"]
        answer = await asker.answer(item["question"], language, course)
        if not answer.answered:
            continue
        before = whole_card(asker.index, item["question"], language, course.id)
        was, now = lengths.setdefault(language, ([], []))
        was.append(len(before))
        now.append(len(answer.text))
        if show:
            print(f"--- {item['id']} {language} {len(before)} -> {len(answer.text)}: ")
            print(f"{item['question']}\n{answer.text}\n")
    return {
        language: {
            "answers": len(now),
            "limit": answer_limit(language),
            "before_avg": round(statistics.mean(was)),
            "before_max": max(was),
            "now_avg": round(statistics.mean(now)),
            "now_max": max(now),
            "now_over_limit": sum(length > answer_limit(language) for length in now),
        }
        for language, (was, now) in sorted(lengths.items())
    }


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("file", type=Path, help="questions, one JSON object a line")
    parser.add_argument("--course", default="sell-online")
    parser.add_argument("--content", type=Path, default=ROOT / "content")
    parser.add_argument("--show", action="store_true", help="print every answer")
    args = parser.parse_args(argv)

    courses = require_library(args.content)
    asker = Asker(CourseIndex.build(courses))
    figures = asyncio.run(measure(asker, courses[args.course], _load(args.file), args.show))
    print(f"{args.file.name} on course {args.course}: answer length in characters")
    print(f"  {'lang':<5}{'answers':>8}{'limit':>7}{'before avg/max':>16}{'now avg/max':>14}")
    for language, row in figures.items():
        before = f"{row['before_avg']}/{row['before_max']}"
        now = f"{row['now_avg']}/{row['now_max']}"
        print(f"  {language:<5}{row['answers']:>8}{row['limit']:>7}{before:>16}{now:>14}")
    print(json.dumps({"file": args.file.name, **figures}, ensure_ascii=False))
    over = sum(row["now_over_limit"] for row in figures.values())
    return 0 if over == 0 else 1


if __name__ == "__main__":
    raise SystemExit(main())

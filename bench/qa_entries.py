"""Lecturers' answers kept as entries: are they found for the same question in other words, do
they stay away from other questions, and what do search and rebuilding cost.

For each language, ENTRIES holds questions the sell-online course does not cover with a
rewording each (written for this bench; never tuned on bench/qa_hard.jsonl). The entries are
added to the real course (bot.qa.entries.with_entries) and searched like the bot does
(bot.qa.entries.best_entry):

- found: the rewording gets its own entry;
- exact: the entry's own question gets it;
- stolen: a covered question of another set (FILE.jsonl) gets an entry instead of its card
  (should be 0); its uncovered questions that get an entry are listed, to be read (an entry
  on the same topic is right: "how do i get a loan from the bank to buy a tractor");
- near (LLM path): a vaguer question on an entry's topic (NEAR, "who won?") gets that entry
  given to the model as the lecturer's answer (exact or `related`); others_near: questions of
  FILE.jsonl, covered / not covered, that get some entry given to the model (context the
  model has to leave aside; those questions are not served from the cache);
- neutral: exact / found again after /forgetme rewords each entry's question
  (bot.qa.entries.neutral_wording with the course's vocabulary);
- search p50 / p95 (ms) per question, and the rebuild (index of the course with the entries,
  done when the entries change) with the entries and with 200 more.

    python bench/qa_entries.py [bench/qa_extra.jsonl] [--course sell-online] [--content content]

Prints a table and ends with one JSON line.
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

from bot.db.models import AnswerEntry  # noqa: E402
from bot.lessons.content import require_library  # noqa: E402
from bot.lessons.model import Course  # noqa: E402
from bot.qa.entries import (  # noqa: E402
    Matches,
    course_vocabulary,
    matching_entries,
    neutral_wording,
    with_entries,
)
from bot.qa.retrieval import CourseIndex  # noqa: E402

# (the lecturer's question, a trainee's rewording) per language: none covered by the course.
ENTRIES: dict[str, list[tuple[str, str]]] = {
    "en": [
        ("When is the next live class in the village hall?", "next live class at the hall when?"),
        ("Can I bring my daughter to the training?", "is it ok if my daughter comes to training"),
        ("Who won the football match last night?", "which team won the football game last night"),
        ("Will it rain on Saturday for the market?", "is it going to rain saturday at the market"),
        ("Where can I get a loan for a new tractor?", "where do i get a loan to buy a tractor"),
        ("How do I treat leaf spots on my peach trees?", "my peach trees have spots on the leaf"),
        ("Is the certificate accepted by the bank?", "does the bank accept the certificate"),
        ("Do we get lunch at the workshop on Friday?", "is there lunch at friday's workshop"),
    ],
    "es": [
        ("¿Cuándo es la próxima clase en vivo en el salón?", "cuando es la proxima clase en vivo"),
        ("¿Puedo traer a mi hija a la capacitación?", "puedo llevar a mi hija a la capacitacion"),
        ("¿Quién ganó el partido de fútbol anoche?", "quien gano el partido de futbol de anoche"),
        ("¿Va a llover el sábado para el tianguis?", "va a llover el sabado en el tianguis?"),
        ("¿Dónde consigo un préstamo para un tractor?", "donde me dan prestamo para tractor"),
        ("¿Cómo curo las manchas en las hojas del durazno?", "manchas en hojas de mis duraznos"),
        ("¿El banco acepta el certificado?", "el certificado lo acepta el banco?"),
        ("¿Dan comida en el taller del viernes?", "en el taller del viernes dan comida?"),
    ],
    "zh": [
        ("下一次直播课在村委会什么时候？", "村委会下次直播课啥时候"),
        ("培训可以带我女儿来吗？", "我能带女儿来培训吗"),
        ("昨晚的足球比赛谁赢了？", "昨天晚上足球比赛谁赢了"),
        ("星期六赶集会下雨吗？", "周六赶集下不下雨"),
        ("买拖拉机去哪里贷款？", "拖拉机贷款去哪里办"),
        ("桃树叶子上有斑点怎么治？", "桃树叶子有斑点咋治"),
        ("银行认这个证书吗？", "这个证书银行认不认"),
        ("星期五的培训管午饭吗？", "周五培训管不管午饭"),
    ],
}
# A vaguer question on the topic of each entry above, in the same order.
NEAR: dict[str, list[str]] = {
    "en": [
        "is there a live class?",
        "can kids come?",
        "who won?",
        "will it rain?",
        "how do i get a loan?",
        "spots on my leaves",
        "what is the certificate good for at a bank",
        "is there food?",
    ],
    "es": [
        "hay clase en vivo?",
        "puedo llevar a mis hijos?",
        "quien gano?",
        "va a llover?",
        "como pido un prestamo?",
        "manchas en las hojas",
        "para que sirve el certificado en el banco",
        "dan de comer?",
    ],
    "zh": [
        "有直播课吗",
        "能带孩子来吗",
        "比赛谁赢了",
        "会下雨吗",
        "贷款怎么办",
        "叶子有斑点",
        "证书在银行有用吗",
        "管饭吗",
    ],
}
EXTRA = 200  # more entries for the rebuild figure


def _entries(course_id: str, language: str, pairs: list[tuple[str, str]]) -> list[AnswerEntry]:
    return [
        AnswerEntry(id=n, course_id=course_id, language=language, question=q, answer=f"a{n}")
        for n, (q, _) in enumerate(pairs, start=1)
    ]


def _build(course: Course, language: str, entries: list[AnswerEntry]) -> tuple[CourseIndex, float]:
    started = time.perf_counter()
    index = CourseIndex.build({course.id: with_entries(course, language, entries)})
    return index, (time.perf_counter() - started) * 1000


def run(course: Course, others: list[dict[str, Any]]) -> dict[str, dict[str, Any]]:
    figures: dict[str, dict[str, Any]] = {}
    for language, pairs in ENTRIES.items():
        entries = _entries(course.id, language, pairs)
        _build(course, language, [])  # warm-up: the segmenter and stemmers load once
        by_id = {entry.id or 0: entry for entry in entries}
        index, build_ms = _build(course, language, entries)
        many = entries + [
            AnswerEntry(id=1000 + n, course_id=course.id, language=language, question=q, answer="")
            for n, q in enumerate(
                f"{q} ({n})" for n in range(EXTRA // len(pairs)) for q, _ in pairs
            )
        ]
        _, build_many_ms = _build(course, language, many)
        times: list[float] = []

        def match(text: str, book: CourseIndex = index) -> Matches:
            started = time.perf_counter()
            found = matching_entries(book, by_id, text, language, course.id)  # noqa: B023
            times.append((time.perf_counter() - started) * 1000)  # noqa: B023
            return found

        def search(text: str, book: CourseIndex = index) -> AnswerEntry | None:
            return match(text, book).exact

        for entry in entries:  # warm-up
            search(entry.question)
        times.clear()
        exact = [search(entry.question) is entry for entry in entries]
        rewordings = [reworded for _, reworded in pairs]
        found = [search(text) is entry for entry, text in zip(entries, rewordings, strict=True)]
        missed = [reworded for ok, (_, reworded) in zip(found, pairs, strict=True) if not ok]
        own = [item for item in others if item["lang"] == language]
        taken = [item for item in own if search(item["question"]) is not None]
        stolen = [item["id"] for item in taken if item["expect"]]  # a covered question
        uncovered = [item["id"] for item in taken if not item["expect"]]
        near = [
            entry is found.exact or entry in found.related
            for entry, found in zip(entries, map(match, NEAR[language]), strict=True)
        ]
        given = [item for item in own if (lambda m: m.exact or m.related)(match(item["question"]))]
        near_covered = sum(1 for item in given if item["expect"])
        known = course_vocabulary(course, language)
        reworded = [
            AnswerEntry(
                id=e.id,
                course_id=e.course_id,
                language=language,
                question=neutral_wording(e.question, language, known),
                answer=e.answer,
            )
            for e in entries
        ]
        neutral_index, _ = _build(course, language, reworded)
        by_id.update({e.id or 0: e for e in reworded})
        neutral_exact = [
            search(e.question, neutral_index) is by_id[r.id or 0]
            for e, r in zip(entries, reworded, strict=True)
        ]
        neutral_found = [
            search(text, neutral_index) is by_id[r.id or 0]
            for r, text in zip(reworded, rewordings, strict=True)
        ]
        times.sort()
        figures[language] = {
            "entries": len(entries),
            "exact": sum(exact) / len(exact),
            "found": sum(found) / len(found),
            "stolen": len(stolen),
            "others": sum(1 for item in own if item["expect"]),
            "stolen_ids": stolen,
            "uncovered_taken": uncovered,  # read them: a right entry, or a false match
            "missed": missed,
            "near": sum(near) / len(near),
            "near_missed": [text for ok, text in zip(near, NEAR[language], strict=True) if not ok],
            "others_near_covered": near_covered,
            "others_near_uncovered": len(given) - near_covered,
            "others_uncovered": sum(1 for item in own if not item["expect"]),
            "others_near_questions": [item["question"] for item in given],  # read them
            "neutral_exact": sum(neutral_exact) / len(neutral_exact),
            "neutral_found": sum(neutral_found) / len(neutral_found),
            "neutral": [r.question for r in reworded],
            "p50_ms": round(statistics.median(times), 2),
            "p95_ms": round(times[int(0.95 * (len(times) - 1))], 2),
            "rebuild_ms": round(build_ms, 1),
            f"rebuild_{len(many)}_ms": round(build_many_ms, 1),
        }
    return figures


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("others", nargs="?", default=str(ROOT / "bench" / "qa_extra.jsonl"))
    parser.add_argument("--course", default="sell-online")
    parser.add_argument("--content", default=str(ROOT / "content"))
    args = parser.parse_args(argv)
    course = require_library(Path(args.content))[args.course]
    lines = Path(args.others).read_text(encoding="utf-8").splitlines()
    others = [json.loads(line) for line in lines if line.strip()]
    figures = run(course, others)
    print(
        f"{'lang':<5}{'exact':>7}{'found':>7}{'stolen':>9}{'near':>7}{'others near':>13}"
        f"{'neutral':>11}{'p50 ms':>8}{'p95 ms':>8}{'rebuild':>9}"
    )
    for language, f in figures.items():
        stolen = f"{f['stolen']}/{f['others']}"
        others = f"{f['others_near_covered']}/{f['others']}+{f['others_near_uncovered']}"
        neutral = f"{f['neutral_exact']:.2f}/{f['neutral_found']:.2f}"
        print(
            f"{language:<5}{f['exact']:>7.2f}{f['found']:>7.2f}{stolen:>9}{f['near']:>7.2f}"
            f"{others:>13}{neutral:>11}{f['p50_ms']:>8.2f}{f['p95_ms']:>8.2f}"
            f"{f['rebuild_ms']:>9.1f}"
        )
    print(json.dumps(figures, ensure_ascii=False))
    return 0


if __name__ == "__main__":
    raise SystemExit(main())

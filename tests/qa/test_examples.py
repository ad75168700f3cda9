"""Every example question the bot or the README shows is answered from the right lesson of the
starter course: a trainee who types the example must not be told the course does not cover it."""

from __future__ import annotations

import re
from pathlib import Path

import pytest

from bot.config import LANGUAGES
from bot.i18n import catalog
from bot.lessons.content import require_library
from bot.qa.intents import read_intent
from bot.qa.retrieval import CourseIndex, covers, lesson_sources

ROOT = Path(__file__).resolve().parents[2]
# Every example shown today is about packing fruit; a new example about something else names its
# lesson here.
RIGHT_LESSON = "packaging-shipping"
# "for example: ¿...?" in a catalog; a quoted question in the README.
_IN_CATALOG = re.compile(r"(?:for example|por ejemplo|比如)\s*[:：]\s*([^\n]+?[?？])")
_IN_README = re.compile(r"[\"“]([^\"”\n]{4,}?[?？])[\"”]")
_CJK = re.compile(r"[\u4e00-\u9fff]")


def _language(question: str) -> str:
    if _CJK.search(question):
        return "zh"
    return "es" if "¿" in question or re.search(r"[áéíóúñ]", question) else "en"


def _examples() -> list[tuple[str, str, str]]:
    found = [
        (f"{language}:{key}", language, match.group(1).strip())
        for language in LANGUAGES
        for key, text in catalog(language).items()
        for match in _IN_CATALOG.finditer(text)
    ]
    readme = (ROOT / "README.md").read_text(encoding="utf-8")
    quoted = [m.group(1).strip() for m in _IN_README.finditer(readme)]
    # "When is the next class?" is about the class, answered from its plan, not from the course.
    found += [("README", _language(q), q) for q in quoted if read_intent(q) is None]
    return found


EXAMPLES = _examples()


@pytest.fixture(scope="module")
def real() -> CourseIndex:
    return CourseIndex.build(require_library(ROOT / "content"))


def test_the_examples_are_found_in_every_language() -> None:
    assert {language for where, language, _ in EXAMPLES if where != "README"} == set(LANGUAGES)
    assert {language for where, language, _ in EXAMPLES if where == "README"} == set(LANGUAGES)


@pytest.mark.parametrize(("where", "language", "question"), EXAMPLES)
def test_every_example_is_answered_from_the_right_lesson(
    real: CourseIndex, where: str, language: str, question: str
) -> None:
    hits = real.search(question, language, "sell-online", k=5)
    assert covers(hits), f"{where} declines its own example {question!r}"
    lessons = [source.lesson for source in lesson_sources(hits)]
    assert lessons[:1] == [RIGHT_LESSON], f"{where}: {question!r} found {lessons}"

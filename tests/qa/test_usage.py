"""How often the course uses its words: in passing, on a lesson's topic, topics not taught."""

from __future__ import annotations

from pathlib import Path

import pytest

from bot.lessons.content import require_library
from bot.qa.model import Passage
from bot.qa.retrieval import CourseIndex, _passages, covers
from bot.qa.text import tokenize
from bot.qa.usage import in_passing, topical

REAL_CONTENT = Path(__file__).resolve().parents[2] / "content"


@pytest.fixture(scope="module")
def real() -> CourseIndex:
    return CourseIndex.build(require_library(REAL_CONTENT))


def _cards(*texts: tuple[str, str]) -> list[tuple[Passage, list[str]]]:
    cards = [
        (Passage("c", lesson, "en", "Title", number, text), "")
        for number, (lesson, text) in enumerate(texts)
    ]
    return _passages(cards)


def _postings(passages: list[tuple[Passage, list[str]]]) -> dict[str, list[tuple[int, int]]]:
    postings: dict[str, list[tuple[int, int]]] = {}
    for number, (_, terms) in enumerate(passages):
        for term in dict.fromkeys(terms):
            postings.setdefault(term, []).append((number, terms.count(term)))
    return postings


def test_a_word_used_once_in_the_course_is_in_passing() -> None:
    passages = _cards(("setup", "A quiet place: keep barking dogs away."), ("setup", "Quiet."))
    postings = _postings(passages)
    assert {"bark", "dog"} <= in_passing(postings)
    assert "quiet" not in in_passing(postings)  # used in two cards


def test_a_word_a_lesson_uses_twice_is_on_its_topic() -> None:
    passages = _cards(
        ("setup", "Go live in a quiet place."), ("setup", "A quiet live."), ("price", "Live.")
    )
    on_topic = topical(passages, _postings(passages))
    assert ("quiet", "setup") in on_topic and ("live", "setup") in on_topic
    assert ("live", "price") not in on_topic  # once in that lesson
    assert ("titl", "price") in on_topic  # the title is in every card: counted twice each


@pytest.mark.parametrize(
    ("language", "question"),
    [
        ("en", "how do i stop the dog barking at night"),  # the course: "keep barking dogs away"
        ("es", "como hago q el perro no ladre de noche"),
        ("en", "phone get very hot"),  # "a hot day" for the fruit in a parcel
    ],
)
def test_words_the_course_uses_in_passing_do_not_cover_alone(
    real: CourseIndex, language: str, question: str
) -> None:
    assert not covers(real.search(question, language, "sell-online", k=5))


@pytest.mark.parametrize(
    ("language", "question"),
    [
        ("en", "I am nervous to go live. What do I prepare before?"),  # prepare + live
        ("en", "Is it okay to edit my strawberry photos so they look redder?"),
    ],
)
def test_a_word_used_in_passing_counts_on_a_card_on_the_questions_topic(
    real: CourseIndex, language: str, question: str
) -> None:
    assert covers(real.search(question, language, "sell-online", k=5))


def test_a_sentence_of_once_used_words_answers_the_question_it_is_about() -> None:
    from bot.qa.retrieval import _Index

    cards = _cards(
        ("photos", "Take photos in daylight on a plain cloth."),
        ("photos", "Show the size of each fruit in your photos."),
        ("photos", "Dry the highland barley on a clean roof before you pack it."),
        ("prices", "Add up every cost before you set a price."),
        ("prices", "Look at the prices of other sellers."),
    )
    index = _Index.build(cards)
    barley = index.search(tokenize("dry highland barley roof", "en"), 3)  # four once-used
    assert covers(barley) and barley[0].passage.card == 2
    assert not covers(index.search(tokenize("dry roof", "en"), 3))  # two: a coincidence

"""A Chinese question weighed against everyday Chinese (jieba's dictionary frequencies)."""

from __future__ import annotations

from pathlib import Path

import pytest

from bot.lessons.content import require_library
from bot.qa.background import Background, share
from bot.qa.retrieval import BACKGROUND_MATCH, CourseIndex, RankedHit

REAL_CONTENT = Path(__file__).resolve().parents[2] / "content"

# A small course in which 快递 and 包装 are far more common than in everyday text.
COURSE = [["快递", "包装", "快递", "顾客"], ["包装", "快递", "箱子"]] * 20


def _terms(background: Background, asked: list[str]) -> list[str]:
    return [term for term, _, _ in background.weigh(asked)]


@pytest.fixture(scope="module")
def real() -> CourseIndex:
    return CourseIndex.build(require_library(REAL_CONTENT))


def test_a_word_jieba_made_up_is_read_as_its_characters() -> None:
    background = Background.chinese(COURSE)
    # 记在 is neither in jieba's dictionary nor in the course; 在 is a function word.
    assert _terms(background, ["订单", "记在", "快递"]) == ["订单", "记", "快递"]
    # A word of the course or of the dictionary stays whole.
    assert _terms(background, ["快递", "时候"]) == ["快递", "时候"]


def test_a_card_with_every_word_of_the_course_holds_the_whole_question() -> None:
    background = Background.chinese(COURSE)
    assert share(background.weigh(["快递", "包装"]), "快递包装", frozenset()) == pytest.approx(1.0)
    assert share(background.weigh(["快递", "包装"]), "别的东西", frozenset()) == 0.0


def test_a_rare_everyday_word_weighs_more_than_a_common_one() -> None:
    background = Background.chinese(COURSE)
    with_common = share(background.weigh(["快递", "时候"]), "快递", frozenset())
    with_rare = share(background.weigh(["快递", "猪瘟"]), "快递", frozenset())
    assert 0.0 < with_rare < with_common < 1.0


def test_a_word_is_found_by_the_cards_search_terms_too() -> None:
    background = Background.chinese(COURSE)
    # 物流 is searched as 快递 (a synonym): the card's terms have it, its text does not.
    assert share(background.weigh(["快递"]), "物流", frozenset({"快递"})) == pytest.approx(1.0)


def test_a_word_no_more_common_in_the_course_than_anywhere_earns_nothing() -> None:
    background = Background.chinese(COURSE)
    assert share(background.weigh(["东西"]), "东西", frozenset()) == 0.0  # not a course word at all


def test_only_chinese_is_weighed_against_everyday_text(real: CourseIndex) -> None:
    for language in ("es", "en"):
        hits = real.search("fotos oscuras photos dark", language, "sell-online", k=5)
        assert hits and all(isinstance(h, RankedHit) and h.background == 0.0 for h in hits)


def test_the_courses_subject_in_one_word_holds_the_question(real: CourseIndex) -> None:
    hits = real.search("咋发货", "zh", "sell-online", k=3)
    assert any(isinstance(h, RankedHit) and h.background >= BACKGROUND_MATCH for h in hits)


def test_characters_shared_by_chance_hold_little(real: CourseIndex) -> None:
    hits = real.search("村里换届选举俺该投谁", "zh", "sell-online", k=5)
    assert all(isinstance(h, RankedHit) and h.background < BACKGROUND_MATCH for h in hits)

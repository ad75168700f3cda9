"""Answers without an LLM are the best excerpt of the card: the useful line, not the card's start;
within the language's limit; cut between sentences or bullets, never inside a word."""

from __future__ import annotations

import json
import re
from pathlib import Path

import pytest

from bot.i18n import Translator
from bot.lessons.content import require_library
from bot.lessons.model import Course
from bot.qa.llm import system_prompt
from bot.qa.passage import (
    ELLIPSIS,
    answer_limit,
    best_excerpt,
    focus_length,
    pieces,
    shorten,
)
from bot.qa.retrieval import CourseIndex
from bot.qa.service import Asker

ROOT = Path(__file__).resolve().parents[2]
COURSE = "sell-online"


@pytest.fixture(scope="module")
def courses() -> dict[str, Course]:
    return dict(require_library(ROOT / "content"))


@pytest.fixture(scope="module")
def index(courses: dict[str, Course]) -> CourseIndex:
    return CourseIndex.build(courses)


def without_marks(text: str) -> str:
    return text.replace(ELLIPSIS, "").strip()


async def test_the_bayberry_question_gets_the_bayberry_bullet_not_the_first(
    index: CourseIndex, courses: dict[str, Course]
) -> None:
    course = courses[COURSE]
    card = course.lesson("packaging-shipping", "en").cards[0].text
    first_bullet = next(line for line in card.splitlines() if line.startswith("- "))
    answer = await Asker(index).answer("How do I pack bayberries on a hot day?", "en", course)
    title = course.lesson("packaging-shipping", "en").title
    assert answer.text.startswith(Translator("en")("qa.from_lesson", title=title) + "\n\n")
    assert "- Bayberries on a hot day: a foam box with cold packs" in answer.text
    assert first_bullet not in answer.text
    assert answer.sources[0].lesson == "packaging-shipping"  # the button that opens the lesson
    assert len(answer.text) < len(card)


@pytest.mark.parametrize(
    ("language", "question", "words"),
    [
        ("zh", "快递每天几点收最后一批件？", "几点收最后一批件"),
        ("es", "¿Cómo respondo a una mala reseña?", "mala reseña"),
        ("en", "Should I use the flash for pictures of my walnuts?", "Do not use the flash"),
    ],
)
async def test_each_language_answers_with_the_line_that_matches_within_its_limit(
    index: CourseIndex, courses: dict[str, Course], language: str, question: str, words: str
) -> None:
    answer = await Asker(index).answer(question, language, courses[COURSE])
    assert answer.answered and words in answer.text
    assert len(answer.text) <= answer_limit(language)


def test_the_limits_per_language() -> None:
    assert (answer_limit("zh"), answer_limit("zh-CN"), answer_limit("es"), answer_limit("en")) == (
        300,
        300,
        450,
        450,
    )
    assert focus_length("zh") < answer_limit("zh")


async def test_every_answer_of_the_extra_set_is_within_its_languages_limit(
    index: CourseIndex, courses: dict[str, Course]
) -> None:
    lines = (ROOT / "bench" / "qa_extra.jsonl").read_text(encoding="utf-8").splitlines()
    asker = Asker(index)
    for item in (json.loads(line) for line in lines if line.strip()):
        answer = await asker.answer(item["question"], item["lang"], courses[COURSE])
        assert len(answer.text) <= answer_limit(item["lang"]), item["id"]


def test_every_card_of_the_course_gives_an_excerpt_made_of_its_own_lines(
    index: CourseIndex, courses: dict[str, Course]
) -> None:
    course = courses[COURSE]
    for language in ("zh", "es", "en"):
        for slug in course.lessons:
            for card in course.lesson(slug, language).cards:
                last = pieces(card.text, language)[-1].text  # asked about the card's last piece
                weights = index.term_weights(last, language, COURSE)
                excerpt = best_excerpt(card.text, weights, language, room=200)
                assert len(excerpt) <= 200
                for line in excerpt.splitlines():
                    assert without_marks(line) in card.text, (slug, line)


def test_a_short_card_is_returned_whole() -> None:
    card = "Buyers cannot touch your product.\n\nTake it by a window in daylight, on a table."
    assert len(card) < focus_length("en")
    assert best_excerpt(card, {"daylight": 2.0}, "en", room=400) == card
    assert best_excerpt(card, {}, "en", room=400) == card


def test_a_card_is_cut_between_sentences_and_marked() -> None:
    card = (
        "Every courier has a cut-off time, for example 4 pm. Parcels ready before it leave "
        "today; after it, tomorrow. Pick and pack in the morning, before the cut-off. Do not "
        "send fresh fruit just before a day couriers do not work. Tell buyers the truth about "
        "delivery times. If fresh fruit cannot reach a remote area safely, say so. Offer those "
        "buyers what keeps, like honey or coffee. Honey travels well in a jar with tape."
    )
    excerpt = best_excerpt(card, {"remot": 3.0}, "en", room=200)
    assert "If fresh fruit cannot reach a remote area safely, say so." in excerpt
    assert excerpt.startswith(ELLIPSIS) and excerpt.endswith(ELLIPSIS)  # cut inside the line
    assert "Every courier" not in excerpt
    assert without_marks(excerpt) in card  # whole sentences, as written


def test_a_long_sentence_is_cut_before_a_word_never_inside_one() -> None:
    words = ["peaches", "honey", "oranges", "bayberries", "pearls", "barley", "leather", "coffee"]
    sentence = " ".join(words[i % len(words)] for i in range(120)) + "."
    for room in range(40, 120, 7):
        cut = best_excerpt(sentence, {}, "en", room=room)
        assert len(cut) <= room and cut.endswith(ELLIPSIS)
        kept = cut.removesuffix(ELLIPSIS)
        assert sentence.startswith(kept) and sentence[len(kept)] == " "


def test_a_long_chinese_sentence_is_cut_at_a_comma_or_before_a_latin_word() -> None:
    sentence = "每个包裹封箱之前，用手机拍一张照片，或者拍一段十几秒的小视频，货装好了，数量对。"
    cut = best_excerpt(sentence, {}, "zh", room=24)
    assert cut == "每个包裹封箱之前，用手机拍一张照片…"
    latin = "打开淘宝或者拼多多在搜索框里打杨梅两个字下面会冒出一串词比如 Taobao shop 的名字"
    cut = best_excerpt(latin, {}, "zh", room=34)
    assert cut.endswith(ELLIPSIS) and not re.search(r"[A-Za-z]…$", cut)


def test_pieces_are_bullets_and_sentences_and_give_the_card_back() -> None:
    zh = "【挑快递】\n顺丰：快，稳。适合鲜果！问清楚几点收件；错过了就晚一天。\n\n- 邮政：网点多。"
    assert [p.text for p in pieces(zh, "zh")] == [
        "【挑快递】",
        "顺丰：快，稳。",
        "适合鲜果！",
        "问清楚几点收件；",
        "错过了就晚一天。",
        "- 邮政：网点多。",
    ]
    en = "Ask:\n\n- How much per kilo? And per parcel?\n- How many days.\nSend a test. Then see."
    parts = pieces(en, "en")
    assert [p.text for p in parts] == [
        "Ask:",
        "- How much per kilo? And per parcel?",
        "- How many days.",
        "Send a test.",
        "Then see.",
    ]
    assert "".join(p.gap + p.text for p in parts) == en
    es = "¿Tardó mucho? Cambie de paquetería. ¡Gracias! Nos vemos a las 4 p. m. en el tianguis."
    assert [p.text for p in pieces(es, "es")][:3] == [
        "¿Tardó mucho?",
        "Cambie de paquetería.",
        "¡Gracias!",
    ]


def test_an_llm_answer_longer_than_the_limit_is_cut_at_a_sentence() -> None:
    short = "Take the photo by a window in daylight."
    assert shorten(short, "en") == short
    long = " ".join(f"Sentence number {n} says one more useful thing." for n in range(20))
    cut = shorten(long, "en")
    assert len(cut) <= 450 and cut.endswith(". " + ELLIPSIS)
    assert long.startswith(cut.removesuffix(" " + ELLIPSIS))
    zh = "白天在窗边拍照，光线最好。" * 30
    assert len(shorten(zh, "zh")) <= 300 and shorten(zh, "zh").endswith("。" + ELLIPSIS)


def test_the_llm_is_asked_for_at_most_the_limit() -> None:
    assert "never more than 300 characters" in system_prompt("zh")
    assert "never more than 450 characters" in system_prompt("es")

"""How trainees type: shorthand and misspellings, spoken Chinese, and the Chinese words a course
teaches jieba (bot/qa/text.py)."""

from __future__ import annotations

import pytest

from bot.qa.text import add_words, as_written, course_words, question_terms, tokenize


@pytest.mark.parametrize(
    ("typed", "meant"),
    [
        ("q necesito pa abrir mi tienda", "que necesito para abrir mi tienda"),
        (
            "xq no se venden, aunq tmb bajé el precio",
            "porque no se venden, aunque también bajé el precio",
        ),
        ("nomas tengo cel", "nomás tengo celular"),
        ("k hago", "que hago"),
    ],
)
def test_spanish_shorthand_is_written_out(typed: str, meant: str) -> None:
    assert as_written(typed, "es") == meant


@pytest.mark.parametrize(
    ("typed", "meant"),
    [
        (
            "u shud ask ppl thru msgs tmrw pls",
            "you should ask people through messages tomorrow please",
        ),
        ("wat r the best pics", "what are the best photos"),
    ],
)
def test_english_shorthand_is_written_out(typed: str, meant: str) -> None:
    assert as_written(typed, "en") == meant


def test_shorthand_replaces_whole_words_only() -> None:
    assert as_written("queso", "es") == "queso"  # the q of queso stays
    assert as_written("pan para Q", "es") == "pan para que"
    assert as_written("run", "en") == "run"  # not "are" + "un"


def test_shorthand_questions_search_like_written_ones() -> None:
    assert question_terms("q le pongo al titulo pa q me encuentren", "es") == question_terms(
        "qué le pongo al título para que me encuentren", "es"
    )
    assert question_terms("how do ppl find my vids", "en") == question_terms(
        "how do people find my videos", "en"
    )


@pytest.mark.parametrize(
    ("spoken", "written"),
    [
        ("卖啥好", "卖什么好"),
        ("咋包装", "怎么包装"),
        ("俺的桃子", "我的桃子"),
        ("发朋友圈中不中", "发朋友圈行不行"),
        ("坏了咋整", "坏了怎么办"),
    ],
)
def test_spoken_chinese_is_written_out(spoken: str, written: str) -> None:
    assert as_written(spoken, "zh") == written


def test_spoken_particles_are_not_search_terms() -> None:
    assert question_terms("俺的桃子咋包装中不中", "zh") == tokenize("桃子包装", "zh")


def test_course_words_are_its_headings_quoted_and_bold_terms() -> None:
    words = course_words(["【光线和背景】\n不要写“全国最甜”，要写**好评率**。【先试播，再通知】"])
    assert words == {"全国最甜", "好评率", "先试播", "再通知"}  # 光线和背景: a phrase
    assert course_words(["【买家不满意先听道歉再解决】"]) == set()  # a sentence, not a term


def test_listed_and_course_words_are_kept_whole() -> None:
    add_words({"试吃装"})
    assert "客户群" in tokenize("想建群拉老顾客", "zh")  # 建群 whole, then its synonym
    assert "试吃装" in tokenize("先寄试吃装给老顾客", "zh")


def test_us_spellings_meet_the_courses_british_ones() -> None:
    assert tokenize("apologize colors neighbor organized", "en") == tokenize(
        "apologise colours neighbour organised", "en"
    )


def test_short_words_keep_their_spelling() -> None:
    assert tokenize("size prize hour four your", "en") == ["size", "prize", "hour", "four"]


@pytest.mark.parametrize(
    ("typed", "language", "course_word"),
    [
        ("photograph", "en", "photo"),
        ("snaps", "en", "photo"),
        ("打折", "zh", "优惠"),
        ("网", "zh", "网络"),
        ("联系人", "zh", "好友"),
        ("片子", "zh", "视频"),
        ("多少钱", "zh", "价格"),
        ("cracked", "en", "damage"),
        ("rompen", "es", "dañado"),
    ],
)
def test_everyday_words_search_as_the_courses_word(
    typed: str, language: str, course_word: str
) -> None:
    (term,) = tokenize(course_word, language)
    assert term in tokenize(typed, language)  # search mode may add a shorter word ("联系")


def test_english_irregular_forms_meet_their_base_word() -> None:
    assert tokenize("sold sent paid bought knives", "en") == tokenize(
        "sell send pay buy knife", "en"
    )
    assert tokenize("left", "en") == ["left"]  # also a direction: not read as "leave"


@pytest.mark.parametrize(("accented", "typed"), [("paquetería", "paqueteria"), ("envío", "envio")])
def test_spanish_stressed_i_stems_alike_without_its_accent(accented: str, typed: str) -> None:
    assert tokenize(accented, "es") == tokenize(typed, "es")


def test_promotion_and_delivery_search_as_the_courses_words() -> None:
    assert tokenize("promoción", "es") == tokenize("descuento", "es")
    assert tokenize("promo", "en") == tokenize("discount", "en")
    assert tokenize("delivery", "en") == tokenize("ship", "en")

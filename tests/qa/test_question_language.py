"""Spanish or English, from the small words of a question as trainees type it."""

import pytest

from bot.qa.question_language import latin_language
from bot.qa.service import language_of


@pytest.mark.parametrize(
    ("question", "language"),
    [
        ("como empaco duraznos para mandar", "es"),
        ("q hago si el cliente no paga", "es"),
        ("Cuánto cobro por el envío de mis nueces?", "es"),
        ("how do i pack peaches to send", "en"),
        ("wat is the best time 4 my live", "en"),
        ("can u tell me about the price", "en"),
        ("fotos?", None),  # too few small words: the person's own language stands
        ("live tiktok", None),
        ("", None),
    ],
)
def test_the_small_words_say_which_language(question: str, language: str | None) -> None:
    assert latin_language(question) == language


def test_the_question_language_wins_only_when_the_course_has_it() -> None:
    assert language_of("como empaco duraznos para mandar", "en") == "es"
    assert language_of("como empaco duraznos para mandar", "en", offered=("zh", "en")) == "en"
    assert language_of("怎么包装桃子", "es") == "zh"
    assert language_of("fotos?", "es") == "es"
    assert language_of("fotos?", "zh") == "en"  # Latin letters from a Chinese reader

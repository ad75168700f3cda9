"""The starter course the bot ships with keeps the syllabus's shape in every language."""

from pathlib import Path

import pytest

from bot.lessons.content import require_library, screen_warnings

STARTER = Path(__file__).parents[2] / "content"
# The syllabus's lesson slugs, in its order: schedules, progress and citations depend on them.
SYLLABUS = (
    "getting-started",
    "product-photos",
    "product-listing",
    "pricing",
    "packaging-shipping",
    "short-video",
    "livestream-setup",
    "livestream-selling",
    "social-selling",
    "customer-service",
    "orders-payments",
    "brand-story",
)
COURSE = require_library(STARTER)["sell-online"]


def test_the_syllabus_lessons_in_order() -> None:
    assert COURSE.lessons == SYLLABUS


@pytest.mark.parametrize("language", ["zh", "es", "en"])
@pytest.mark.parametrize("slug", SYLLABUS)
def test_each_lesson_is_phone_sized_with_a_quiz(slug: str, language: str) -> None:
    lesson = COURSE.lesson(slug, language)
    assert lesson.language == language
    assert 3 <= len(lesson.cards) <= 6
    assert all(len(card.text) <= 700 for card in lesson.cards)
    assert 2 <= len(lesson.quiz) <= 4
    limit = 20 if language == "zh" else 40  # option labels are buttons
    assert all(len(option) <= limit for q in lesson.quiz for option in q.options)
    # The bot says "Right!" itself; an explanation that starts with it again reads twice.
    right = {"en": ("Right", "Correct"), "es": ("Correcto", "Exacto"), "zh": ("对。", "答对")}
    for question in lesson.quiz:
        assert not question.explanations[question.answer].startswith(right[language])


@pytest.mark.parametrize("language", ["zh", "es", "en"])
@pytest.mark.parametrize("slug", SYLLABUS)
def test_one_mistake_still_passes_a_lesson(slug: str, language: str) -> None:
    """The course welcome promises that most right is enough: one mistake in three or four
    questions passes, two mistakes do not."""
    total = len(COURSE.lesson(slug, language).quiz)
    assert (total - 1) / total >= COURSE.pass_mark
    assert (total - 2) / total < COURSE.pass_mark


def test_every_card_fits_one_phone_screen() -> None:
    assert [str(warning) for warning in screen_warnings(COURSE)] == []

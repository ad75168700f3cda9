"""A trainee does lesson 1 of the sample course on the lesson page in a real phone browser
(360×640, by tapping), from the link the chat gives, and the chat (the real pipeline) goes on
at lesson 2. At every screen: no sideways scrolling, nothing cut off, every tap target at least
48 px; the same with the browser's font size doubled, in each language."""

from __future__ import annotations

import re
from datetime import timedelta
from typing import Any

import pytest

from bot.i18n import Translator
from bot.lessons.model import Lesson
from tests.conftest import Trainee
from tests.web.browser.chromium import Tab
from tests.web.browser.layout import double_the_font_size, layout_problems, measure
from tests.web.conftest import DashboardSite

en = Translator("en")
LINK = re.compile(r"http://127\.0\.0\.1:\d+/lesson/\S+")


async def link_from_the_chat(
    site: DashboardSite, factory: Any, language: str = "en"
) -> tuple[Trainee, str]:
    """A trainee who taps "Lesson" in the chat; the page's link on its first card."""
    services = site.runtime.academy.services
    services.clock = lambda: site.clock[0]  # one clock for the chat and the page
    services.settings = services.settings.model_copy(update={"public_url": site.server.base_url})
    ana = factory("1", "Ana", language)
    await ana.send("/progress")
    await ana.send(Translator(language)("menu.lesson"))
    found = LINK.search("\n".join(ana.texts))
    assert found is not None, ana.texts
    return ana, found.group(0)


def lesson(site: DashboardSite, slug: str, language: str = "en") -> Lesson:
    return site.runtime.academy.services.courses["sample"].lesson(slug, language)


async def tap(site: DashboardSite, phone: Tab, label: str) -> str:
    """Tap `label` a few seconds after the last move; the next screen's text, which fits."""
    site.later(timedelta(seconds=10))
    await phone.press(label)
    assert await layout_problems(phone) == [], label
    return await phone.text()


async def test_lesson_one_by_tapping_then_the_chat_goes_on_at_lesson_two(
    dashboard: DashboardSite, trainee_factory: Any, phone: Tab
) -> None:
    ana, link = await link_from_the_chat(dashboard, trainee_factory)
    first = lesson(dashboard, "first-steps")
    assert await phone.open(link) == 200
    shown = await phone.text()
    assert first.title in shown and en("lesson_page.card", card=1, cards=2) in shown
    assert await phone.labels() == [en("lesson.next")]
    assert await layout_problems(phone) == []

    shown = await tap(dashboard, phone, en("lesson.next"))
    assert en("lesson_page.card", card=2, cards=2) in shown
    shown = await tap(dashboard, phone, en("lesson.start_quiz"))
    for number, question in enumerate(first.quiz, 1):
        asked = en("quiz.question", number=number, total=len(first.quiz), question=question.text)
        assert asked.split("\n")[0] in shown
        assert await phone.labels() == list(question.options)
        shown = await tap(dashboard, phone, question.options[question.answer])
        assert en("quiz.your_answer", answer=question.options[question.answer]) in shown
    assert en("quiz.passed", number=1, right=2, total=2, percent=100) in shown

    await ana.send(en("menu.lesson"))  # the chat goes on at lesson 2
    second = lesson(dashboard, "good-photos")
    assert ana.texts[0].startswith(f"📖 Lesson 2/2 · {second.title} · 1/")
    shown = await tap(dashboard, phone, en("lesson.next_lesson"))
    assert second.title in shown and en("lesson_page.card", card=1, cards=3) in shown


@pytest.mark.parametrize("language", ["zh", "es", "en"])
async def test_the_lesson_page_with_the_font_size_doubled(
    dashboard: DashboardSite, trainee_factory: Any, phone: Tab, language: str
) -> None:
    t = Translator(language)
    _, link = await link_from_the_chat(dashboard, trainee_factory, language)
    await phone.open(link)
    normal = (await measure(phone))["font_px"]
    await double_the_font_size(phone)
    assert (await measure(phone))["font_px"] == 2 * normal  # the page follows the setting
    assert await layout_problems(phone) == []
    await tap(dashboard, phone, t("lesson.next"))
    shown = await tap(dashboard, phone, t("lesson.start_quiz"))
    question = lesson(dashboard, "first-steps", language).quiz[0]
    assert question.options[0] in shown
    await tap(dashboard, phone, question.options[question.answer - 1])  # a wrong answer

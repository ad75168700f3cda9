"""Golden tests of fitting: the same real replies (made by the handlers on a real database)
rendered under Telegram-like, WhatsApp-like and WeChat-like capabilities, compared with what
tests/core/golden/ says each channel sends. After a deliberate change, regenerate with
`UPDATE_GOLDEN=1 pytest tests/core/test_fitting_golden.py` and review the diff."""

from __future__ import annotations

import json
import os
from collections.abc import Awaitable, Callable
from pathlib import Path

import pytest

from bot.core.fitting import Wording, fit_replies
from bot.core.messages import Reply
from bot.i18n import Translator
from bot.runtime import Runtime
from tests.conftest import Trainee
from tests.core.channel_capabilities import ALL
from tests.core.fitted import limits_broken, shown
from tests.handlers.test_stats import coordinator_with_a_class

GOLDEN = Path(__file__).parent / "golden"
UPDATE = os.environ.get("UPDATE_GOLDEN") == "1"
Scenario = Callable[[Runtime], Awaitable[tuple[str, list[Reply]]]]
en, zh = Translator("en"), Translator("zh")


async def welcome(school: Runtime) -> tuple[str, list[Reply]]:
    """A new trainee presses Start: a greeting, "Start lesson 1" and the other languages."""
    return "en", await Trainee(school, "ana", "Ana", "en").send("/start")


async def lesson_card(school: Runtime) -> tuple[str, list[Reply]]:
    """The first lesson: the course's welcome with the main menu, then the first card."""
    return "en", await Trainee(school, "ana", "Ana", "en").send(en("menu.lesson"))


async def quiz_question(school: Runtime) -> tuple[str, list[Reply]]:
    ana = Trainee(school, "ana", "Ana", "en")
    await ana.send(en("menu.lesson"))
    await ana.press(en("lesson.next"))
    return "en", await ana.press(en("lesson.start_quiz"))


async def quiz_answer(school: Runtime) -> tuple[str, list[Reply]]:
    """An answer: the feedback replaces the question (an edit), the next question follows."""
    ana = Trainee(school, "ana", "Ana", "en")
    await ana.send(en("menu.lesson"))
    await ana.press(en("lesson.next"))
    await ana.press(en("lesson.start_quiz"))
    return "en", await ana.press("The product you know best")


async def main_menu(school: Runtime) -> tuple[str, list[Reply]]:
    """A greeting typed by the trainee: a word back and the main menu."""
    ana = Trainee(school, "ana", "Ana", "en")
    await ana.send("/start")
    return "en", await ana.send("hello there")


async def statistics(school: Runtime) -> tuple[str, list[Reply]]:
    """A coordinator's statistics: the summary with its chart, and a button per class."""
    boss = await coordinator_with_a_class(school)
    return "zh", await boss.send(zh("menu.stats"))


async def statistics_spreadsheet(school: Runtime) -> tuple[str, list[Reply]]:
    """One class's statistics, then its spreadsheet (a document)."""
    boss = await coordinator_with_a_class(school)
    await boss.send(zh("menu.stats"))
    replies = await boss.press("👥 平谷桃农 · 3")
    return "zh", replies + await boss.press(zh("stats.export"))


SCENARIOS: list[Scenario] = [
    welcome,
    lesson_card,
    quiz_question,
    quiz_answer,
    main_menu,
    statistics,
    statistics_spreadsheet,
]


@pytest.mark.parametrize("scenario", SCENARIOS, ids=lambda s: s.__name__)
async def test_real_replies_fit_each_channel_as_the_golden_file_says(
    school: Runtime, scenario: Scenario
) -> None:
    language, replies = await scenario(school)
    wording = Wording.from_catalog(Translator(language))
    rendered: dict[str, object] = {"replies": [shown(r) for r in replies]}
    for caps in ALL:
        fitted = fit_replies(replies, caps, wording=wording)
        assert limits_broken(fitted, caps) == [], caps.name
        rendered[caps.name] = [shown(message) for message in fitted]
    path = GOLDEN / f"{scenario.__name__}.json"
    text = json.dumps(rendered, ensure_ascii=False, indent=2) + "\n"
    if UPDATE:
        path.write_text(text, encoding="utf-8")
    assert path.exists(), f"no golden file {path.name}: run with UPDATE_GOLDEN=1 and review it"
    assert json.loads(path.read_text(encoding="utf-8")) == rendered

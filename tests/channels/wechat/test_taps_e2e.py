"""End to end over real HTTP, by tapping: a trainee in Chinese follows the account by scanning
the class QR code and does lesson 1 and its quiz by tapping the `weixin://bizmsgmenu` links (or
the menu message's items) read from the bodies the fake API recorded; WeChat posts each tap back
as a text with `bizmsgmenuid`, once as "0"."""

from __future__ import annotations

import pytest
from sqlmodel import select

from bot.db.models import LessonProgress, QuizAnswer
from bot.i18n import Translator
from tests.channels.wechat.conftest import LiveWeChat, running_wechat, wechat_settings
from tests.channels.wechat.test_e2e import CODE, make_class
from tests.fakes.wechat_api import FakeWeChatAPI

zh = Translator("zh")
MESSAGES_PER_LESSON_BOUND = 6  # as when typing numbers: one message a tap


async def lesson_one_by_taps(live: LiveWeChat, style: str) -> None:
    await make_class(live)
    course = live.runtime.academy.services.courses["sample"]
    first = course.lesson("first-steps", "zh")

    (welcome,) = await live.event("oAna", "subscribe", f"qrscene_{CODE}")
    assert welcome.msgtype == ("msgmenu" if style == "menu" else "text")
    assert "平谷妇联一班" in welcome.text

    taps = 0
    sent = await live.tap("oAna", welcome, zh("start.lesson", number=1))
    taps += 1
    assert len(sent) == 1 and "📖" in sent[-1].text and first.title in sent[-1].text
    taps_to_first_card = taps

    per_tap = [len(sent)]
    for card in range(len(first.cards) - 1):
        # WeChat has been seen to return the id as "0": the tapped words still decide.
        menu_id = "0" if card == 0 else None
        sent = await live.tap("oAna", sent[-1], zh("lesson.next"), menu_id=menu_id)
        per_tap.append(len(sent))
        assert f"{card + 2}/{len(first.cards)}" in sent[-1].text
    sent = await live.tap("oAna", sent[-1], zh("lesson.start_quiz"))
    per_tap.append(len(sent))
    for item in first.quiz:
        question = sent[-1]
        assert item.text in question.text
        sent = await live.tap("oAna", question, item.options[item.answer])
        per_tap.append(len(sent))
    assert zh("quiz.passed", number=1, right=2, total=2, percent=100) in sent[-1].text
    spent = sum(per_tap)
    print(
        f"\nWeChat ({style}): lesson 1 ({len(first.cards)} cards, {len(first.quiz)} questions) "
        f"cost {spent} messages for {len(per_tap)} taps; {taps_to_first_card} tap(s) after the "
        "QR scan to the first lesson card"
    )
    assert per_tap == [1] * len(per_tap)
    assert spent <= MESSAGES_PER_LESSON_BOUND and taps_to_first_card == 1
    assert not live.fake.errors_answered

    ana = await live.person("oAna")
    async with live.runtime.sessions() as session:
        answers = list(await session.exec(select(QuizAnswer)))
        progress = list(
            await session.exec(select(LessonProgress).where(LessonProgress.person_id == ana.id))
        )
    assert len(answers) == 2 and all(answer.correct for answer in answers)
    assert [(p.lesson, p.status) for p in progress] == [("first-steps", "passed")]


async def test_a_trainee_does_lesson_one_by_tapping_links(live_wechat: LiveWeChat) -> None:
    await lesson_one_by_taps(live_wechat, "links")
    shown = live_wechat.fake.messages("oAna")
    assert all(m.msgtype == "text" for m in shown)
    assert all("weixin://bizmsgmenu" in m.payload["content"] for m in shown if m.taps)


async def test_a_trainee_does_lesson_one_by_tapping_menu_items(
    fake_wechat: FakeWeChatAPI, database_url: str
) -> None:
    settings = wechat_settings(fake_wechat, database_url, wechat_choices="menu")
    async with running_wechat(fake_wechat, settings) as live:
        await lesson_one_by_taps(live, "menu")
        assert {m.msgtype for m in fake_wechat.messages("oAna")} == {"msgmenu"}


async def test_typing_the_number_works_where_links_were_shown(live_wechat: LiveWeChat) -> None:
    live = live_wechat
    (welcome,) = await live.event("oBo", "subscribe")
    number = welcome.tap(zh("start.lesson", number=1))[1]
    (card,) = await live.say("oBo", number)
    assert "📖" in card.text


async def test_a_stale_link_from_an_older_message_is_not_taken_for_the_new_choice(
    live_wechat: LiveWeChat,
) -> None:
    """Numbers start at 1 in every message: the welcome's link 1 ("start lesson 1", no longer
    kept) tapped under the first card, whose 1 is "next", is not read as "next": its words do
    not name the kept choice 1, so it is ordinary text."""
    live = live_wechat
    (welcome,) = await live.event("oCai", "subscribe")
    (card,) = await live.tap("oCai", welcome, zh("start.lesson", number=1))
    assert card.tap(zh("lesson.next"))[1] == "1"
    (answer,) = await live.tap("oCai", welcome, zh("start.lesson", number=1))
    assert "📖" not in answer.text
    cai = await live.person("oCai")
    async with live.runtime.sessions() as session:
        (progress,) = await session.exec(
            select(LessonProgress).where(LessonProgress.person_id == cai.id)
        )
    assert progress.card == 0  # still on the first card


@pytest.mark.parametrize("menu_id", ["0", "99", "abc"])
async def test_a_tap_whose_id_names_nothing_reads_by_its_words(
    live_wechat: LiveWeChat, menu_id: str
) -> None:
    live = live_wechat
    (welcome,) = await live.event("oDing", "subscribe")
    (card,) = await live.tap("oDing", welcome, zh("start.lesson", number=1), menu_id=menu_id)
    assert "📖" in card.text

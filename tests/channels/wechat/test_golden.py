"""Golden tests of the WeChat sender: real replies (made by the handlers on a real database),
fitted to the channel's capabilities and sent by our client to the fake API over real HTTP, in
each WECHAT_CHOICES style; the JSON bodies that reached /cgi-bin/message/custom/send are
compared with tests/channels/wechat/golden/. After a deliberate change, regenerate with
`UPDATE_GOLDEN=1 pytest tests/channels/wechat/test_golden.py` and review the diff."""

from __future__ import annotations

import json
import os
from collections.abc import AsyncIterator, Awaitable, Callable
from pathlib import Path
from typing import Any

import pytest

from bot.channels.wechat.capabilities import CAPABILITIES
from bot.channels.wechat.client import WeChatClient
from bot.channels.wechat.send import send_reply
from bot.channels.wechat.tappable import ChoiceStyle
from bot.core.fitting import Wording, fit_replies
from bot.core.messages import Reply
from bot.db.models import Person, Role
from bot.i18n import Translator
from bot.runtime import Runtime
from tests.conftest import Trainee
from tests.core.fitted import limits_broken
from tests.fakes.wechat_api import FakeWeChatAPI

GOLDEN = Path(__file__).parent / "golden"
UPDATE = os.environ.get("UPDATE_GOLDEN") == "1"
OPENID = "oGoldenAna"
Scenario = Callable[[Runtime], Awaitable[list[Reply]]]
zh = Translator("zh")


async def welcome(school: Runtime) -> list[Reply]:
    """A new trainee in Chinese presses Start: a greeting, "start lesson 1", the languages."""
    return await Trainee(school, "ana", "阿娜", "zh").send("/start")


async def lesson_card(school: Runtime) -> list[Reply]:
    """The first lesson: the course's welcome, then the first card with "next"."""
    return await Trainee(school, "ana", "阿娜", "zh").send(zh("menu.lesson"))


async def quiz_question(school: Runtime) -> list[Reply]:
    """A quiz question with its answer options."""
    ana = Trainee(school, "ana", "阿娜", "zh")
    await ana.send(zh("menu.lesson"))
    await ana.press(zh("lesson.next"))
    return await ana.press(zh("lesson.start_quiz"))


async def home_menu_of_five(school: Runtime) -> list[Reply]:
    """A lecturer asks for the home menu: five actions (上课 / 我的进度 / 我的班级 / 帮助 / 语言),
    offered as choices where WeChat has no menu under the text."""
    async with school.sessions() as session:
        session.add(
            Person(
                channel="test",
                channel_user_id="wang",
                display_name="王老师",
                language="zh",
                language_chosen=True,
                timezone="Asia/Shanghai",
                role=Role.lecturer,
            )
        )
        await session.commit()
    replies = await Trainee(school, "wang", "王老师", "zh").send("菜单")
    (menu,) = [reply.menu for reply in replies if reply.menu is not None]
    assert sum(len(row) for row in menu) == 5
    return replies


SCENARIOS: list[Scenario] = [welcome, lesson_card, quiz_question, home_menu_of_five]


@pytest.fixture
async def fake() -> AsyncIterator[FakeWeChatAPI]:
    async with FakeWeChatAPI() as server:
        yield server


async def bodies_sent(fake: FakeWeChatAPI, fitted: list[Reply], style: ChoiceStyle) -> list[Any]:
    """The JSON bodies the fake received for `fitted` sent in `style`."""
    before = len(fake.sent)
    fake.person_wrote(OPENID)  # a fresh allowance of 5 for each style
    async with WeChatClient(fake.app_id, fake.secret, api_url=fake.base_url) as client:
        for reply in fitted:
            await send_reply(client, OPENID, reply, style=style)
    assert not fake.errors_answered
    return [sent.body for sent in fake.sent[before:]]


@pytest.mark.parametrize("scenario", SCENARIOS, ids=lambda s: s.__name__)
async def test_real_replies_reach_wechat_as_the_golden_file_says(
    school: Runtime, fake: FakeWeChatAPI, scenario: Scenario
) -> None:
    replies = await scenario(school)
    fitted = fit_replies(replies, CAPABILITIES, wording=Wording.from_catalog(zh))
    assert limits_broken(fitted, CAPABILITIES) == []
    rendered = {style.value: await bodies_sent(fake, fitted, style) for style in ChoiceStyle}
    path = GOLDEN / f"{scenario.__name__}.json"
    text = json.dumps(rendered, ensure_ascii=False, indent=2) + "\n"
    if UPDATE:
        path.write_text(text, encoding="utf-8")
    assert path.exists(), f"no golden file {path.name}: run with UPDATE_GOLDEN=1 and review it"
    assert json.loads(path.read_text(encoding="utf-8")) == rendered


async def test_an_account_not_verified_gets_links_where_a_menu_was_asked_for(
    school: Runtime,
) -> None:
    """WeChat refuses menu messages to an account that is not verified (48001): each goes
    again as the text with links, which is what the links style sends."""
    replies = await quiz_question(school)
    fitted = fit_replies(replies, CAPABILITIES, wording=Wording.from_catalog(zh))
    async with FakeWeChatAPI(verified=False) as unverified:
        before = len(unverified.sent)
        unverified.person_wrote(OPENID)
        url = unverified.base_url
        async with WeChatClient(unverified.app_id, unverified.secret, api_url=url) as client:
            for reply in fitted:
                await send_reply(client, OPENID, reply, style=ChoiceStyle.menu)
        bodies = [sent.body for sent in unverified.sent[before:]]
        assert unverified.count_errors(48001) == 1
    golden = json.loads((GOLDEN / "quiz_question.json").read_text(encoding="utf-8"))
    assert bodies == golden["links"]

"""WeChatTransport against the fake WeChat API over real HTTP, on a migrated database: the
budget decides between customer-service messages and the template; WeChat's refusals become
the delivery engine's outcomes."""

from __future__ import annotations

from collections.abc import AsyncIterator
from datetime import timedelta
from pathlib import Path

import aiohttp
import pytest

from bot.channels.wechat.client import WeChatError
from bot.channels.wechat.transport import WeChatTransport, outcome_for
from bot.core.messages import Button, Detail, Purpose, Reply, Topic
from bot.core.payloads import OpenLesson
from bot.db.models import Person
from bot.db.types import utcnow
from bot.scheduling.transport import Result
from tests.channels.wechat.conftest import LiveWeChat, running_wechat, wechat_settings
from tests.fakes.wechat_api import FakeWeChatAPI

CONTENT = Path(__file__).parents[3] / "content"
PUBLIC = "https://academy.example.org"


@pytest.fixture
async def live(fake_wechat: FakeWeChatAPI, database_url: str) -> AsyncIterator[LiveWeChat]:
    settings = wechat_settings(
        fake_wechat,
        database_url,
        content_dir=CONTENT,
        default_course="sell-online",
        public_url=PUBLIC,
    )
    async with running_wechat(fake_wechat, settings) as running:
        yield running


def transport_of(live: LiveWeChat) -> WeChatTransport:
    transport = live.channel.transport
    assert isinstance(transport, WeChatTransport)
    return transport


async def someone(
    live: LiveWeChat,
    openid: str,
    *,
    wrote: timedelta | None = timedelta(hours=1),
    spent: int = 0,
    language: str = "zh",
) -> Person:
    """A WeChat trainee who last wrote `wrote` ago (None: never) with `spent` of their five
    messages sent since (our ledger; the fake API only knows the window is open)."""
    now = utcnow()
    async with live.runtime.sessions() as session:
        person = Person(
            channel="wechat",
            channel_user_id=openid,
            display_name="阿娟",
            language=language,
            language_chosen=True,
            budget_opened_at=now - wrote if wrote is not None else None,
            budget_spent=spent,
        )
        session.add(person)
        await session.commit()
    if wrote is not None and wrote < timedelta(hours=48):
        live.fake.person_wrote(openid)
    return person


def reminder(text: str = "阿娟，今天的小课准备好了") -> Reply:
    opens = OpenLesson().pack()
    return Reply(
        text,
        buttons=((Button("▶ 上课", opens),),),
        purpose=Purpose.reminder,
        topic=Topic(((Detail.name, "阿娟"),), opens=opens),
    )


async def test_inside_the_window_the_reply_goes_as_a_message_and_spends_one(
    live: LiveWeChat,
) -> None:
    person = await someone(live, "oIn")
    outcome = await transport_of(live).send(person, reminder())
    assert outcome.result is Result.sent
    (sent,) = live.fake.messages("oIn")
    assert sent.msgtype == "text" and sent.text.startswith("阿娟，今天的小课准备好了")
    assert "1 ▶ 上课" in sent.text  # numbered, and kept: "1" opens the lesson
    assert (await live.person("oIn")).budget_spent == 1
    assert live.fake.templates == []


async def test_outside_the_window_the_template_goes_with_the_lesson_link(
    live: LiveWeChat,
) -> None:
    person = await someone(live, "oOut", wrote=timedelta(hours=50))
    outcome = await transport_of(live).send(person, reminder())
    assert outcome.result is Result.sent
    assert live.fake.messages("oOut") == [] and live.fake.errors_answered == []
    (template,) = live.fake.templates_to("oOut")
    course = live.runtime.academy.services.courses["sell-online"]
    first = course.lesson(course.lessons[0], "zh")
    assert template.data["thing1"] == first.title[:20] or template.data["thing1"].endswith("…")
    assert template.data["thing2"] == "今天的小课准备好了"
    assert template.url is not None and template.url.startswith(f"{PUBLIC}/lesson/")
    assert f".{course.id}.{course.lessons[0]}." in template.url  # never studied: lesson 1
    assert (await live.person("oOut")).budget_spent == 0  # a template spends nothing


async def test_never_written_spent_or_too_long_for_what_is_left_is_a_template(
    live: LiveWeChat,
) -> None:
    never = await someone(live, "oNever", wrote=None)
    spent = await someone(live, "oSpent", spent=5)
    last_one = await someone(live, "oLast", spent=4)
    long = reminder("很长的一段话。" * 200)  # over 2,048 bytes: two messages, one left
    transport = transport_of(live)
    for person, reply in ((never, reminder()), (spent, reminder()), (last_one, long)):
        assert (await transport.send(person, reply)).result is Result.sent
    assert live.fake.sent == []
    assert sorted(t.openid for t in live.fake.templates) == ["oLast", "oNever", "oSpent"]


async def test_wechat_saying_out_of_window_or_spent_sends_the_template_instead(
    live: LiveWeChat,
) -> None:
    transport = transport_of(live)
    for openid, errcode in (("oA", 45015), ("oB", 45047)):
        person = await someone(live, openid)
        live.fake.fail_next(errcode, openid=openid, path="/cgi-bin/message/custom/send")
        outcome = await transport.send(person, reminder())
        assert outcome.result is Result.sent
        assert len(live.fake.templates_to(openid)) == 1 and live.fake.messages(openid) == []
        assert (await live.person(openid)).budget_spent == 5  # spent: no more tries
    assert live.fake.count_errors(45015) == live.fake.count_errors(45047) == 1


async def test_an_unfollowed_person_is_blocked(live: LiveWeChat) -> None:
    inside = await someone(live, "oGoneIn")
    outside = await someone(live, "oGoneOut", wrote=timedelta(days=3))
    live.fake.unfollow("oGoneIn")
    live.fake.unfollow("oGoneOut")
    transport = transport_of(live)
    assert (await transport.send(inside, reminder())).result is Result.blocked
    assert (await transport.send(outside, reminder())).result is Result.blocked
    assert live.fake.count_errors(43004) == 2


async def test_a_language_without_its_template_gets_the_chinese_one(live: LiveWeChat) -> None:
    course = live.runtime.academy.services.courses["sell-online"]
    assert course.wechat_templates.find(Purpose.nudge, "en") is None
    chinese = course.wechat_templates.find(Purpose.nudge, "zh")
    assert chinese is not None
    person = await someone(live, "oEn", wrote=None, language="en")
    nudge = Reply("Come back", purpose=Purpose.nudge, topic=Topic(((Detail.name, "Jo"),)))
    assert (await transport_of(live).send(person, nudge)).result is Result.sent
    (template,) = live.fake.templates_to("oEn")
    assert template.template_id == chinese.template_id
    english = course.lesson(course.lessons[0], "en").title
    assert template.data["thing1"] == english[:20] or template.data["thing1"].endswith("…")


async def test_no_template_fails_the_delivery_and_says_where_to_add_one(
    fake_wechat: FakeWeChatAPI, database_url: str
) -> None:
    settings = wechat_settings(fake_wechat, database_url)  # the sample course: no wechat.yaml
    async with running_wechat(fake_wechat, settings) as live:
        person = await someone(live, "oNo", wrote=None)
        outcome = await transport_of(live).send(person, reminder())
    assert outcome.result is Result.failed
    assert outcome.error is not None and "wechat.yaml" in outcome.error
    assert fake_wechat.templates == []


async def test_an_answer_out_of_budget_waits_for_the_next_message(live: LiveWeChat) -> None:
    person = await someone(live, "oWait", spent=5)
    outcome = await transport_of(live).send(person, Reply("老师的回答"))
    assert outcome.result is Result.retry and outcome.retry_after is not None
    assert outcome.retry_after > 365 * 24 * 3600  # held, as the channel holds replies
    assert live.fake.sent == live.fake.templates == []


async def test_a_busy_wechat_or_a_broken_network_is_retried_a_refused_template_fails(
    live: LiveWeChat,
) -> None:
    transport = transport_of(live)
    busy = await someone(live, "oBusy")
    live.fake.fail_next(-1, openid="oBusy")
    assert (await transport.send(busy, reminder())).result is Result.retry
    gateway = await someone(live, "oGateway", wrote=None)
    live.fake.fail_next(None, status=502, path="/cgi-bin/message/template/send")
    assert (await transport.send(gateway, reminder())).result is Result.retry
    live.fake.template_ids = {"another-template-id"}
    unknown = await someone(live, "oUnknown", wrote=None)
    outcome = await transport.send(unknown, reminder())
    assert outcome.result is Result.failed and outcome.error is not None
    assert "40037" in outcome.error


def test_what_each_refusal_means() -> None:
    assert outcome_for(WeChatError(43004, "require subscribe")).result is Result.blocked
    for transient in (-1, 45009, 45011, 40001, 42001):
        assert outcome_for(WeChatError(transient)).result is Result.retry
    for permanent in (40037, 47003, 40003, 45002):
        assert outcome_for(WeChatError(permanent)).result is Result.failed
    assert outcome_for(aiohttp.ClientConnectionError("reset")).result is Result.retry
    assert outcome_for(TimeoutError()).result is Result.retry

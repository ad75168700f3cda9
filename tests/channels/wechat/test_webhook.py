"""The server URL over real HTTP: WeChat's poster (signed, encrypted, or hostile) against an
aiohttp app with the web-hook's routes. Good calls reach `take` once; the rest are refused or
ignored, and the server goes on serving."""

from __future__ import annotations

import logging
import time
from collections.abc import AsyncIterator, Callable

import pytest
from aiohttp import web

from bot.channels.wechat.convert import Inbound, Prompt, TemplateReport, Unfollowed
from bot.channels.wechat.webhook import MAX_BODY, RecentRefs, Taken, add_webhook_routes
from bot.core.messages import Kind
from tests.fakes.server import LocalServer
from tests.fakes.wechat_poster import MALFORMED, MB, WeChatPoster, bomb, external_entity

TOKEN = "academy-token"
ENCODING_AES_KEY = "abcdefghijklmnopqrstuvwxyz0123456789ABCDEFG"
APP_ID = "wx1234567890abcdef"
PATH = "/wechat"
ANA = "oAbC-ana_001"


class Account(LocalServer):
    """Our side: an aiohttp app with nothing but the web-hook's routes; records what it took."""

    def __init__(self, *, encoding_aes_key: str = "", take: Callable[[Taken], None] | None = None):
        self.taken: list[Taken] = []
        self.encoding_aes_key = encoding_aes_key
        self.take = take or self.taken.append
        self.recent = RecentRefs()

    def make_app(self) -> web.Application:
        app = web.Application()
        add_webhook_routes(
            app,
            PATH,
            token=TOKEN,
            take=self.take,
            app_id=APP_ID,
            encoding_aes_key=self.encoding_aes_key,
            recent=self.recent,
        )
        return app

    def incoming(self) -> list[Inbound]:
        return [taken for taken in self.taken if isinstance(taken, Inbound)]


@pytest.fixture
async def account() -> AsyncIterator[Account]:
    async with Account(encoding_aes_key=ENCODING_AES_KEY) as server:
        yield server


@pytest.fixture
async def wechat(account: Account) -> AsyncIterator[WeChatPoster]:
    url = account.base_url + PATH
    async with WeChatPoster(
        url, token=TOKEN, app_id=APP_ID, encoding_aes_key=ENCODING_AES_KEY
    ) as poster:
        yield poster


async def test_the_url_check_echoes_echostr_only_when_signed(
    wechat: WeChatPoster, account: Account
) -> None:
    assert (await wechat.check_url("5838479218127813673")).text == "5838479218127813673"
    for answer in [
        await wechat.check_url("x", signing="bad"),
        await wechat.check_url("x", signing="none"),
        await wechat.check_url("x", timestamp=int(time.time()) - 3600),  # signed, an hour old
    ]:
        assert (answer.status, answer.text) == (403, "Forbidden")


async def test_a_plaintext_message_reaches_take_and_is_answered_success(
    wechat: WeChatPoster, account: Account
) -> None:
    answer = await wechat.post(wechat.text(ANA, "怎么包装桃子？"))
    assert (answer.status, answer.text) == (200, "success")
    (inbound,) = account.incoming()
    assert (inbound.incoming.kind, inbound.incoming.text) == (Kind.text, "怎么包装桃子？")
    assert inbound.incoming.sender.user_id == ANA
    assert inbound.prompt is Prompt.message


async def test_a_safe_mode_message_is_checked_then_decrypted(
    wechat: WeChatPoster, account: Account
) -> None:
    assert (
        await wechat.post(wechat.voice(ANA, "media-7", recognition="别读"), safe=True)
    ).text == ("success")
    (inbound,) = account.incoming()
    assert (inbound.incoming.kind, inbound.incoming.file_ref) == (Kind.voice, "media-7")
    assert inbound.incoming.file_format == "amr"


async def test_wrong_signatures_are_refused_before_anything_is_read(
    wechat: WeChatPoster, account: Account, caplog: pytest.LogCaptureFixture
) -> None:
    caplog.set_level(logging.WARNING, "bot.channels.wechat")
    refused = [
        await wechat.post(wechat.text(ANA, "1"), signing="bad"),
        await wechat.post(wechat.text(ANA, "2"), signing="none"),
        await wechat.post(wechat.text(ANA, "3"), safe=True, msg_signing="bad"),
        await wechat.post(wechat.text(ANA, "4"), safe=True, msg_signing="none"),
        await wechat.post(wechat.text(ANA, "5"), safe=True, signing="bad"),
        # Not even parsed: a bomb with a wrong signature is the same 403.
        await wechat.post(bomb(), signing="bad"),
    ]
    assert {(answer.status, answer.text) for answer in refused} == {(403, "Forbidden")}
    assert account.taken == []
    assert "wrong signature" in caplog.text and "wrong msg_signature" in caplog.text
    assert "could not be read" not in caplog.text  # nothing got as far as the parser


async def test_replays_are_refused_or_ignored(wechat: WeChatPoster, account: Account) -> None:
    hour_ago = int(time.time()) - 3600
    assert (await wechat.post(wechat.text(ANA, "旧"), timestamp=hour_ago)).status == 403
    assert (await wechat.post(wechat.text(ANA, "旧"), safe=True, timestamp=hour_ago)).status == 403
    # The same message (one MsgId) twice, as WeChat retries or an attacker replays at once.
    once = wechat.text(ANA, "一次")
    assert [(await wechat.post(once, safe=safe)).text for safe in (False, True, False)] == [
        "success"
    ] * 3
    # And an event (no MsgId) twice: known by who, when and what.
    follow = wechat.event(ANA, "subscribe", "qrscene_PG2026")
    assert (await wechat.post(follow)).status == (await wechat.post(follow)).status == 200
    assert [inbound.incoming.text for inbound in account.incoming()] == ["一次", "PG2026"]


async def test_bodies_over_a_megabyte_are_refused_with_413(
    wechat: WeChatPoster, account: Account
) -> None:
    huge = b"<xml><Content>" + b"x" * (5 * MB) + b"</Content></xml>"
    assert (await wechat.post(huge)).status == 413
    assert (await wechat.post(huge, chunked=True)).status == 413  # no Content-Length to trust
    assert (await wechat.post(huge, signing="bad")).status == 413  # said up front: not read
    just_over = b" " * (MAX_BODY + 1)
    assert (await wechat.post(just_over, chunked=True)).status == 413
    assert account.taken == []


async def test_broken_or_hostile_xml_is_answered_success_and_logged(
    wechat: WeChatPoster, account: Account, caplog: pytest.LogCaptureFixture
) -> None:
    caplog.set_level(logging.WARNING, "bot.channels.wechat")
    bodies = [MALFORMED, bomb(), external_entity(), b"", b"<message/>"]
    for body in bodies:
        for safe in (False, True):
            answer = await wechat.post(body, safe=safe)
            assert (answer.status, answer.text) == (200, "success")
    big_inside = wechat.text(ANA, "长" * 30_000)  # over the 64 KB of a message, under 1 MB
    assert (await wechat.post(big_inside)).text == "success"
    assert account.taken == []
    assert caplog.text.count("could not be read") == 2 * len(bodies) + 1
    assert "lol" not in caplog.text and "passwd" not in caplog.text  # no content in the log


async def test_safe_mode_for_another_account_or_without_a_key_is_ignored(
    wechat: WeChatPoster, account: Account, caplog: pytest.LogCaptureFixture
) -> None:
    other = await wechat.post(wechat.text(ANA, "给别人的"), safe=True, app_id="wx0000000000000000")
    assert (other.status, other.text) == (200, "success")
    assert "another AppID" in caplog.text
    async with (
        Account() as plain_only,
        WeChatPoster(
            plain_only.base_url + PATH,
            token=TOKEN,
            app_id=APP_ID,
            encoding_aes_key=ENCODING_AES_KEY,
        ) as poster,
    ):
        assert (await poster.post(poster.text(ANA, "密"), safe=True)).text == "success"
        assert "WECHAT_ENCODING_AES_KEY is not set" in caplog.text
        assert plain_only.taken == []
        # Plaintext still works there, and on the safe-mode account too (modes can change).
        await poster.post(poster.text(ANA, "明"))
        assert [inbound.incoming.text for inbound in plain_only.incoming()] == ["明"]
    await wechat.post(wechat.text(ANA, "明"))
    assert [inbound.incoming.text for inbound in account.incoming()] == ["明"]


async def test_unfollowing_and_ignored_events(wechat: WeChatPoster, account: Account) -> None:
    assert (await wechat.post(wechat.event(ANA, "VIEW", "https://a.example/"))).text == "success"
    assert (await wechat.post(wechat.event(ANA, "unsubscribe"), safe=True)).text == "success"
    (gone,) = account.taken
    assert isinstance(gone, Unfollowed) and gone.user_id == ANA


async def test_template_reports_of_one_second_are_each_taken_once(
    wechat: WeChatPoster, account: Account
) -> None:
    """Two templates to one person finish in the same second: two reports (the MsgID is part of
    the ref), not one dropped as a repeat of the other; WeChat's retry of one is dropped."""
    now = int(time.time())
    wechat.clock = lambda: now
    first = wechat.template_finished(ANA, 1001)
    assert (await wechat.post(first)).text == "success"
    assert (await wechat.post(wechat.template_finished(ANA, 1002), safe=True)).text == "success"
    assert (await wechat.post(first)).text == "success"  # WeChat's retry
    reports = [taken for taken in account.taken if isinstance(taken, TemplateReport)]
    assert [report.receipt.message_ref for report in reports] == ["1001", "1002"]


async def test_a_take_that_fails_is_logged_and_the_server_goes_on(
    caplog: pytest.LogCaptureFixture,
) -> None:
    calls: list[Taken] = []

    def take(taken: Taken) -> None:
        calls.append(taken)
        if len(calls) == 1:
            raise RuntimeError("the channel is not ready")

    async with (
        Account(take=take) as server,
        WeChatPoster(server.base_url + PATH, token=TOKEN) as poster,
    ):
        assert (await poster.post(poster.text(ANA, "一"))).text == "success"
        assert "could not be taken" in caplog.text
        assert (await poster.post(poster.text(ANA, "二"))).text == "success"
    assert [c.incoming.text for c in calls if isinstance(c, Inbound)] == ["一", "二"]


async def test_after_every_attack_a_good_message_still_gets_through(
    wechat: WeChatPoster, account: Account
) -> None:
    """The poster's whole repertoire in a row, then a follow by a class's QR code."""
    replayed = wechat.text(ANA, "同一条")
    hostile = [
        wechat.post(wechat.text(ANA, "x"), signing="bad"),
        wechat.post(wechat.text(ANA, "x"), timestamp=int(time.time()) - 600),
        wechat.post(replayed),
        wechat.post(replayed),
        wechat.post(b"y" * (5 * MB)),
        wechat.post(MALFORMED),
        wechat.post(bomb(), safe=True),
    ]
    statuses = [(await call).status for call in hostile]
    assert statuses == [403, 403, 200, 200, 413, 200, 200]
    await wechat.post(wechat.event("oNew-li_002", "subscribe", "qrscene_PG2026"), safe=True)
    *_, joined = account.incoming()
    assert joined.incoming.sender.user_id == "oNew-li_002"
    assert (joined.incoming.command, joined.incoming.text) == ("start", "PG2026")
    assert joined.prompt is Prompt.follow
    assert len(account.taken) == 2  # "同一条" once, and the follow


def test_recent_refs_forget_the_oldest() -> None:
    recent = RecentRefs(size=2)
    assert recent.first_time("a") and recent.first_time("b")
    assert not recent.first_time("a")  # and "a" is fresh again, so "b" goes first
    assert recent.first_time("c")
    assert not recent.first_time("a") and recent.first_time("b")
    assert recent.first_time("") and recent.first_time("")  # no ref: nothing to compare

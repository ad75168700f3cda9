"""A class's WeChat QR code end to end over real HTTP: the lecturer on WeChat gets it (a picture
and its URL) from the class screen, made once per class code; a new trainee who scans it
follows the account and is in the class."""

from __future__ import annotations

import itertools

from sqlmodel import select

from bot.cohorts.service import qr_png
from bot.db.models import Cohort, Membership, WeChatQRCode
from bot.i18n import Translator
from tests.channels.wechat.conftest import (
    LiveWeChat,
    running_wechat,
    wechat_settings,
)
from tests.channels.wechat.test_e2e import CODE, choices, make_class
from tests.fakes.wechat_api import FakeWeChatAPI, Sent

zh = Translator("zh")
LECTURER = "oLecturer"


async def class_screen(live: LiveWeChat) -> Sent:
    """The lecturer opens their class from 👥 我的班级 by typing its number: the class card."""
    (classes,) = await live.say(LECTURER, "/cohorts")
    (card,) = await live.say(LECTURER, choices(classes)["👥 平谷妇联一班"])
    return card


async def test_the_lecturer_gets_the_class_qr_and_a_scan_joins_the_class(
    live_wechat: LiveWeChat,
) -> None:
    live = live_wechat
    await make_class(live)
    card = await class_screen(live)
    (qr,) = live.fake.qrcodes.values()  # made for the card's join link
    assert (qr.scene, qr.permanent) == (CODE, True)
    assert f"{qr.url}\n" in card.text and CODE in card.text

    # 🔳 二维码: the picture (our own, of the URL WeChat gave) and the words with the URL.
    image, caption = await live.say(LECTURER, choices(card)[zh("cohort.qr")])
    assert image.msgtype == "image" and caption.msgtype == "text"
    assert live.fake.media[image.media_id].content == qr_png(qr.url)
    assert qr.url in caption.text and CODE in caption.text
    assert len(live.fake.qrcodes) == 1  # the same code asked twice: one API call
    assert live.channel.qr_codes is not None and live.channel.qr_codes.made == 1
    async with live.runtime.sessions() as session:
        (kept,) = await session.exec(select(WeChatQRCode))
    assert (kept.code, kept.url, kept.app_id) == (CODE, qr.url, live.fake.app_id)

    # A new trainee scans it: WeChat sends the follow with the scene, and she is in the class.
    (welcome,) = await live.event("oAna", "subscribe", f"qrscene_{qr.scene}")
    assert "平谷妇联一班" in welcome.text and "✅" in welcome.text
    # A follower who scans it: WeChat sends SCAN with the scene alone.
    await live.event("oBo", "subscribe")
    (joined,) = await live.event("oBo", "SCAN", qr.scene)
    assert "平谷妇联一班" in joined.text
    async with live.runtime.sessions() as session:
        cohort = (await session.exec(select(Cohort))).one()
        members = list(
            await session.exec(select(Membership).where(Membership.cohort_id == cohort.id))
        )
    ana, bo = await live.person("oAna"), await live.person("oBo")
    assert {m.person_id for m in members} == {ana.id, bo.id}
    assert not live.fake.errors_answered


async def test_when_wechat_refuses_the_card_says_so_and_the_next_time_works(
    live_wechat: LiveWeChat,
) -> None:
    live = live_wechat
    await make_class(live)
    live.fake.fail_next(-1, path="/cgi-bin/qrcode/create")  # WeChat busy
    card = await class_screen(live)
    assert f"/join {CODE}\n{zh('cohort.link_unavailable')}" in card.text
    assert live.fake.qrcodes == {}
    async with live.runtime.sessions() as session:
        assert list(await session.exec(select(WeChatQRCode))) == []
    # Nothing lost: the code still works, and the QR code is made the next time.
    image, caption = await live.say(LECTURER, choices(card)[zh("cohort.qr")])
    (qr,) = live.fake.qrcodes.values()
    assert image.msgtype == "image" and qr.url in caption.text
    assert zh("cohort.link_unavailable") not in caption.text


async def test_a_new_class_code_gets_a_new_qr_and_a_restart_reuses_the_kept_ones(
    fake_wechat: FakeWeChatAPI, database_url: str
) -> None:
    settings = wechat_settings(fake_wechat, database_url)
    async with running_wechat(fake_wechat, settings) as live:
        await make_class(live)
        card = await class_screen(live)
        (first,) = fake_wechat.qrcodes.values()
        (rotated,) = await live.say(LECTURER, choices(card)[zh("cohort.rotate")])
        async with live.runtime.sessions() as session:
            code = (await session.exec(select(Cohort))).one().invite_code
        assert code != CODE
        second = next(qr for qr in fake_wechat.qrcodes.values() if qr is not first)
        assert second.scene == code and second.url in rotated.text
    async with running_wechat(fake_wechat, settings) as live:  # a restart: nothing in memory
        live.poster._ids = itertools.count(25_000_000_000_000_001)  # WeChat's ids go on
        card = await class_screen(live)
        assert second.url in card.text
        assert len(fake_wechat.qrcodes) == 2  # read back from wechat_qr_codes, not made again
        assert live.channel.qr_codes is not None and live.channel.qr_codes.made == 0

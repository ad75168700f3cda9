"""The custom menu `academy wechat menu` sets, tapped end to end: each item's CLICK event, posted
as WeChat does, is answered by the bot as the command it names."""

from __future__ import annotations

from bot.channels.wechat.menu import menu_for
from bot.i18n import Translator
from tests.channels.wechat.conftest import LiveWeChat

zh = Translator("zh")


def menu_keys() -> list[str]:
    keys = []
    for button in menu_for("zh")["button"]:
        keys += [item["key"] for item in button.get("sub_button") or [button]]
    return keys


async def test_every_menu_item_is_answered(live_wechat: LiveWeChat) -> None:
    live = live_wechat
    await live.event("oAna", "subscribe")
    answers = {}
    for key in menu_keys():
        sent = await live.event("oAna", "CLICK", key)
        assert sent, key
        assert all(zh("error.unknown_command") not in m.text for m in sent), key
        answers[key] = sent
    assert zh("qa.usage").split("\n")[0] in answers["/ask"][0].text  # "type your question"
    assert not live.fake.errors_answered

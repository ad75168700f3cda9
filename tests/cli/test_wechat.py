"""`academy wechat menu` against the fake WeChat API (served from a thread: the command runs its
own event loop), and the menu it sets: WeChat's limits in every language, and every key a
command the bot answers."""

from __future__ import annotations

import json
from collections.abc import Iterator

import pytest
from typer.testing import CliRunner

from bot.channels.wechat import menu as wechat_menu
from bot.channels.wechat.convert import sender_of
from bot.channels.wechat.menu import MenuTooLong, menu_for
from bot.cli import app
from bot.config import LANGUAGES
from bot.core.messages import Incoming, Kind
from bot.handlers import build_router
from tests.channels.whatsapp.conftest import free_port
from tests.cli.conftest import served_in_thread
from tests.fakes.wechat_api import FakeWeChatAPI


@pytest.fixture
def fake() -> Iterator[FakeWeChatAPI]:
    with served_in_thread(FakeWeChatAPI()) as server:
        yield server


def env_for(fake: FakeWeChatAPI, **more: str) -> dict[str, str]:
    return {
        "WECHAT_APP_ID": fake.app_id,
        "WECHAT_APP_SECRET": fake.secret,
        "WECHAT_API_URL": fake.base_url,
        "BOT_TOKEN": "",
        "REDIS_URL": "",
        **more,
    }


def run(*args: str, env: dict[str, str]) -> tuple[int, str]:
    done = CliRunner().invoke(app, ["wechat", "menu", *args], env=env)
    return done.exit_code, done.output


def test_menu_sets_the_home_actions_in_chinese(fake: FakeWeChatAPI) -> None:
    code, output = run(env=env_for(fake))
    assert code == 0, output
    assert fake.menu == menu_for("zh")
    top = fake.menu["button"]
    assert [button["name"] for button in top] == ["上课", "提问", "我的"]
    assert top[0] == {"type": "click", "name": "上课", "key": "/lesson"}
    assert top[2]["sub_button"][0] == {"type": "click", "name": "我的进度", "key": "/progress"}
    assert "上课" in output and "我的进度" in output


def test_dry_run_prints_the_json_and_sends_nothing(fake: FakeWeChatAPI) -> None:
    code, output = run("--dry-run", "--language", "es", env=env_for(fake, WECHAT_APP_ID=""))
    assert code == 0, output
    assert json.loads(output) == menu_for("es") and fake.menu is None
    assert json.loads(output)["button"][0]["name"] == "Lección"  # UTF-8, not \\u escapes


def test_missing_settings_a_refusal_and_a_bad_language_are_clear(fake: FakeWeChatAPI) -> None:
    code, output = run(env=env_for(fake, WECHAT_APP_ID=""))
    assert code == 2 and "WECHAT_APP_ID" in output
    code, output = run(env=env_for(fake, WECHAT_APP_SECRET="not-the-secret"))
    assert code == 2 and "40125" in output and "WECHAT_APP_SECRET" in output
    fake.fail_next(48001, path="/cgi-bin/menu/create")
    code, output = run(env=env_for(fake))
    assert code == 2 and "48001" in output and "verified service account" in output
    code, output = run("--language", "fr", env=env_for(fake))
    assert code == 2 and "zh" in output
    assert fake.menu is None


def test_the_api_cannot_be_reached(fake: FakeWeChatAPI) -> None:
    code, output = run(env=env_for(fake, WECHAT_API_URL=f"http://127.0.0.1:{free_port()}"))
    assert code == 4 and "Could not reach" in output


@pytest.mark.parametrize("language", LANGUAGES)
def test_every_language_fits_wechat_and_every_key_is_a_command(language: str) -> None:
    menu = menu_for(language)
    top = menu["button"]
    assert 1 <= len(top) <= wechat_menu.TOP_BUTTONS
    router = build_router()
    keys = []
    for button in top:
        assert 0 < len(button["name"].encode()) <= wechat_menu.TOP_NAME_BYTES
        subs = button.get("sub_button", [])
        assert len(subs) <= wechat_menu.SUB_BUTTONS
        for sub in subs:
            assert 0 < len(sub["name"].encode()) <= wechat_menu.SUB_NAME_BYTES
        keys += [item["key"] for item in (subs or [button])]
    for key in keys:  # as convert.py reads a CLICK: the command typed
        incoming = Incoming.from_text(sender_of("oAna"), key)
        assert incoming.kind is Kind.command
        assert incoming.command in router.commands, key


def test_a_catalog_name_too_long_for_wechat_is_named(
    monkeypatch: pytest.MonkeyPatch, fake: FakeWeChatAPI
) -> None:
    monkeypatch.setattr(wechat_menu, "LAYOUT", (("cohort.qr_caption", "/lesson"),))
    with pytest.raises(MenuTooLong, match=r"cohort\.qr_caption.*16"):
        menu_for("zh")
    code, output = run(env=env_for(fake))
    assert code == 2 and "cohort.qr_caption" in output and fake.menu is None

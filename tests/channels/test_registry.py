"""Channels are listed in one place; a platform's library is imported only by its channel."""

from __future__ import annotations

import ast
import subprocess
import sys
from pathlib import Path

from bot.channels import CHANNELS, enabled_channels
from tests.conftest import make_settings

BOT = Path(__file__).parents[2] / "bot"


def imported_modules(path: Path) -> set[str]:
    tree = ast.parse(path.read_text(encoding="utf-8"))
    found: set[str] = set()
    for node in ast.walk(tree):
        if isinstance(node, ast.Import):
            found |= {alias.name for alias in node.names}
        elif isinstance(node, ast.ImportFrom) and node.module and not node.level:
            found.add(node.module)
    return found


def test_no_module_outside_the_channels_imports_aiogram_or_pywa() -> None:
    importers = sorted(
        str(path.relative_to(BOT))
        for path in BOT.rglob("*.py")
        if "channels" not in path.relative_to(BOT).parts
        and any(
            name.split(".")[0] in ("aiogram", "pywa", "pywa_async")
            for name in imported_modules(path)
        )
    )
    assert importers == []


def test_without_a_token_no_channel_is_enabled_and_aiogram_stays_unloaded() -> None:
    code = (
        "import sys\n"
        "from bot.channels import enabled_channels\n"
        "from bot.cli import app\n"
        "from tests.conftest import make_settings\n"
        "assert enabled_channels(make_settings('sqlite+aiosqlite://')) == []\n"
        "loaded = {m.split('.')[0] for m in sys.modules} & {'aiogram', 'pywa', 'pywa_async'}\n"
        "assert not loaded, f'{loaded} loaded'\n"
    )
    done = subprocess.run(
        [sys.executable, "-c", code], cwd=BOT.parent, capture_output=True, text=True, timeout=60
    )
    assert done.returncode == 0, done.stderr


def test_a_token_enables_telegram() -> None:
    settings = make_settings("sqlite+aiosqlite://", bot_token="123456:AAH-test")
    (channel,) = enabled_channels(settings)
    assert channel.name == "telegram" == channel.capabilities.name
    assert channel.capabilities.payload_limit == 64 and channel.capabilities.edits
    assert set(CHANNELS) == {"telegram", "whatsapp", "wechat"}


def test_a_phone_number_id_and_token_enable_whatsapp_beside_telegram() -> None:
    whatsapp = {"whatsapp_phone_number_id": "1065", "whatsapp_access_token": "EAAG"}
    assert (
        enabled_channels(make_settings("sqlite+aiosqlite://", whatsapp_phone_number_id="1")) == []
    )
    (alone,) = enabled_channels(make_settings("sqlite+aiosqlite://", **whatsapp))
    assert alone.name == "whatsapp" == alone.capabilities.name and alone.needs_web
    assert alone.capabilities.max_buttons == 3 and not alone.capabilities.edits
    both = enabled_channels(make_settings("sqlite+aiosqlite://", bot_token="123:AAH", **whatsapp))
    assert [channel.name for channel in both] == ["telegram", "whatsapp"]


def test_an_app_id_and_secret_enable_wechat() -> None:
    assert not enabled_channels(make_settings("sqlite+aiosqlite://", wechat_app_id="wx1"))
    on = make_settings("sqlite+aiosqlite://", wechat_app_id="wx1", wechat_app_secret="s")
    (channel,) = enabled_channels(on)
    assert channel.name == "wechat" == channel.capabilities.name and channel.needs_web
    assert channel.capabilities.replies_per_message == 5 and channel.transport is None

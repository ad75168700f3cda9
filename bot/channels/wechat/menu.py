"""The service account's custom menu (自定义菜单): the home actions at the bottom of the chat.

Three top buttons: 上课 (the next lesson), 提问 (ask a question) and 我的 (my progress, review,
reminder time, help, language). Each is a CLICK button whose key is a command (`/lesson`):
`convert.py` reads a key starting with "/" as that command typed, so a tap works in every
language the person chose and after any change of the catalogs' menu labels. Labels come from
the catalogs (`wechat_menu.*`) in one language: WeChat shows one menu to everyone.

WeChat's limits: at most 3 top buttons and 5 under each; a top name ≤ 16 bytes (4 Chinese
characters and a bit), a sub-button's ≤ 60 bytes; a key ≤ 128 bytes. They are checked here
before anything is sent, so a catalog edit that breaks them is named, not refused by WeChat.
"""

from __future__ import annotations

from typing import Any

import aiohttp

from bot.channels.wechat.client import WeChatClient, WeChatError
from bot.config import Settings
from bot.i18n import Translator

TOP_BUTTONS, SUB_BUTTONS = 3, 5
TOP_NAME_BYTES, SUB_NAME_BYTES = 16, 60
KEY_BYTES = 128

# (catalog key of the name, command the tap sends) or (catalog key, sub-buttons).
Item = tuple[str, str]
LAYOUT: tuple[tuple[str, str | tuple[Item, ...]], ...] = (
    ("wechat_menu.lesson", "/lesson"),
    ("wechat_menu.ask", "/ask"),
    (
        "wechat_menu.more",
        (
            ("wechat_menu.progress", "/progress"),
            ("wechat_menu.review", "/review"),
            ("wechat_menu.reminders", "/reminders"),
            ("wechat_menu.help", "/help"),
            ("wechat_menu.language", "/language"),
        ),
    ),
)

# What WeChat's refusals of /cgi-bin/menu/create mean, and what to do.
MENU_ERRORS: dict[int, str] = {
    40013: "the AppID is not valid: check WECHAT_APP_ID",
    40125: "the AppSecret is not valid: check WECHAT_APP_SECRET",
    40164: "this server's IP is not on the account's IP whitelist (IP白名单)",
    48001: (
        "this account may not set a menu by API (an unverified subscription account); "
        "use a verified service account (服务号) or the WeChat test account"
    ),
    40016: "too many top buttons (at most 3)",
    40017: "a button type WeChat does not know",
    40018: "a top button's name is too long (at most 16 bytes)",
    40019: "a top button's key is too long (at most 128 bytes)",
    40023: "too many sub-buttons (at most 5)",
    40025: "a sub-button's name is too long (at most 60 bytes)",
    40026: "a sub-button's key is too long (at most 128 bytes)",
    -1: "WeChat is busy: try again in a minute",
}


class MenuRefused(Exception):
    """The menu could not be set: the message says why and what to check; `exit_code` is the
    command's (2: the settings or the menu itself, 4: the network, 1: anything else)."""

    def __init__(self, message: str, exit_code: int) -> None:
        super().__init__(message)
        self.exit_code = exit_code


class MenuTooLong(ValueError):
    """A name over WeChat's limit: which catalog key, in which language."""

    def __init__(self, catalog_key: str, language: str, name: str, limit: int) -> None:
        super().__init__(
            f"The menu name {name!r} ({catalog_key}, {language}) is {len(name.encode())} "
            f"bytes; WeChat allows 1 to {limit}. Change it in "
            f"bot/locales/{language}/LC_MESSAGES/messages.po."
        )
        self.catalog_key = catalog_key
        self.language = language


def _name(t: Translator, key: str, limit: int) -> str:
    name = t(key).strip()
    if not 0 < len(name.encode()) <= limit:
        raise MenuTooLong(key, t.language, name, limit)
    return name


def _click(t: Translator, key: str, command: str, limit: int) -> dict[str, Any]:
    assert 0 < len(command.encode()) <= KEY_BYTES
    return {"type": "click", "name": _name(t, key, limit), "key": command}


def menu_for(language: str) -> dict[str, Any]:
    """The menu in `language`, as WeChat takes it ({"button": [...]}); MenuTooLong when a
    catalog's name is over WeChat's limit."""
    t = Translator(language)
    buttons: list[dict[str, Any]] = []
    for key, action in LAYOUT[:TOP_BUTTONS]:
        if isinstance(action, str):
            buttons.append(_click(t, key, action, TOP_NAME_BYTES))
            continue
        subs = [_click(t, sub, command, SUB_NAME_BYTES) for sub, command in action]
        buttons.append({"name": _name(t, key, TOP_NAME_BYTES), "sub_button": subs[:SUB_BUTTONS]})
    return {"button": buttons}


def explain(error: WeChatError) -> str:
    """A refusal in words: WeChat's code and message, and what it means when we know."""
    meaning = MENU_ERRORS.get(error.errcode)
    said = f"WeChat refused the menu ({error.errcode}: {error.errmsg})"
    return f"{said}: {meaning}." if meaning else f"{said}."


async def publish_menu(settings: Settings, menu: dict[str, Any]) -> None:
    """Set `menu` as the account's custom menu (it replaces the one before; WeChat's apps show
    the new one within minutes, at once after unfollowing and following again). Raises
    MenuRefused."""
    async with WeChatClient.from_settings(settings) as client:
        try:
            await client.create_menu(menu)
        except WeChatError as error:
            code = 2 if error.errcode in MENU_ERRORS and error.errcode != -1 else 1
            raise MenuRefused(explain(error), code) from error
        except (aiohttp.ClientError, TimeoutError) as error:
            server = settings.wechat_api_url or "api.weixin.qq.com"
            raise MenuRefused(
                f"Could not reach the WeChat API at {server}: {error!r}. Check the network or "
                "WECHAT_API_URL.",
                4,
            ) from error

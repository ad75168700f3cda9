"""Who opened the Telegram Mini App: the `initData` Telegram hands the page, checked against its
signature (https://core.telegram.org/bots/webapps#validating-data-received-via-the-mini-app).

The data is a query string; its `hash` is HMAC-SHA256 over the other fields, sorted by name and
joined as `name=value` lines, with the key HMAC-SHA256("WebAppData", bot token). Only Telegram
and we know the token, so a valid hash means Telegram vouches for the user; `auth_date` bounds
how long a copied initData can be replayed.
"""

from __future__ import annotations

import hashlib
import hmac
import json
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from urllib.parse import parse_qsl

MAX_AGE = timedelta(days=1)
# Clocks differ a little: a date this far ahead of ours is still taken.
_CLOCK_SKEW = timedelta(minutes=5)
_LONGEST = 8192


@dataclass(frozen=True)
class TelegramUser:
    """The Telegram user the Mini App was opened by."""

    id: int
    first_name: str = ""
    last_name: str = ""
    username: str = ""
    language_code: str = ""


class InitDataRefused(ValueError):
    """initData we do not trust: malformed, not signed with our bot's token, or too old."""


def secret_key(bot_token: str) -> bytes:
    return hmac.new(b"WebAppData", bot_token.encode(), hashlib.sha256).digest()


def sign_init_data(bot_token: str, fields: dict[str, str]) -> str:
    """The hash Telegram puts on `fields` for this bot (what `check_init_data` expects)."""
    check = "\n".join(f"{name}={fields[name]}" for name in sorted(fields))
    return hmac.new(secret_key(bot_token), check.encode(), hashlib.sha256).hexdigest()


def check_init_data(
    bot_token: str, init_data: str, now: datetime, max_age: timedelta = MAX_AGE
) -> TelegramUser:
    """The user `init_data` names when Telegram signed it for `bot_token` no longer than
    `max_age` before `now`; raises InitDataRefused otherwise (with the reason)."""
    if not bot_token:
        raise InitDataRefused("no bot token to check against")
    if not init_data or len(init_data) > _LONGEST:
        raise InitDataRefused("empty or too long")
    try:
        pairs = parse_qsl(init_data, keep_blank_values=True, strict_parsing=True)
    except ValueError as error:
        raise InitDataRefused("not a query string") from error
    fields = dict(pairs)
    if len(fields) != len(pairs):
        raise InitDataRefused("a field given twice")
    given = fields.pop("hash", "")
    if not hmac.compare_digest(given.encode(), sign_init_data(bot_token, fields).encode()):
        raise InitDataRefused("signature does not match")
    try:
        signed_at = datetime.fromtimestamp(int(fields["auth_date"]), UTC)
    except (KeyError, ValueError, OverflowError, OSError) as error:
        raise InitDataRefused("no readable auth_date") from error
    if now - signed_at > max_age:
        raise InitDataRefused("too old")
    if signed_at - now > _CLOCK_SKEW:
        raise InitDataRefused("dated in the future")
    try:
        user = json.loads(fields["user"])
        user_id = user["id"]
    except (KeyError, ValueError, TypeError) as error:
        raise InitDataRefused("no user") from error
    if not isinstance(user_id, int) or isinstance(user_id, bool) or not isinstance(user, dict):
        raise InitDataRefused("no user id")
    return TelegramUser(
        id=user_id,
        first_name=str(user.get("first_name", "")),
        last_name=str(user.get("last_name", "")),
        username=str(user.get("username", "")),
        language_code=str(user.get("language_code", "")),
    )

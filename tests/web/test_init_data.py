"""The Telegram Mini App's initData: signed by Telegram for our bot, recent, well formed. The
signature is made here the way Telegram documents it, independently of the code under test."""

from __future__ import annotations

import hashlib
import hmac
import json
from datetime import UTC, datetime, timedelta
from urllib.parse import urlencode

import pytest

from bot.web.init_data import InitDataRefused, TelegramUser, check_init_data

TOKEN = "123456:AAE-test-token"
NOW = datetime(2026, 5, 4, 9, 0, tzinfo=UTC)
USER = {"id": 4242, "first_name": "Lee", "last_name": "Wang", "language_code": "zh-hans"}


def telegram_signs(fields: dict[str, str], token: str = TOKEN) -> str:
    """initData as Telegram sends it: the fields and their hash, URL-encoded."""
    key = hmac.new(b"WebAppData", token.encode(), hashlib.sha256).digest()
    check = "\n".join(f"{k}={v}" for k, v in sorted(fields.items()))
    signed = dict(fields, hash=hmac.new(key, check.encode(), hashlib.sha256).hexdigest())
    return urlencode(signed)


def fields(at: datetime = NOW, **more: str) -> dict[str, str]:
    return {
        "query_id": "AAH",
        "user": json.dumps(USER, separators=(",", ":")),
        "auth_date": str(int(at.timestamp())),
        **more,
    }


def test_valid_data_names_the_user() -> None:
    user = check_init_data(TOKEN, telegram_signs(fields()), NOW)
    assert user == TelegramUser(4242, "Lee", "Wang", "", "zh-hans")
    recent = telegram_signs(fields(NOW - timedelta(hours=23)))
    assert check_init_data(TOKEN, recent, NOW).id == 4242


@pytest.mark.parametrize(
    "init_data",
    [
        pytest.param(telegram_signs(fields(), token="999:other-bot"), id="another bot's"),
        pytest.param(
            telegram_signs(fields()).replace("4242", "4243"), id="user changed after signing"
        ),
        pytest.param(telegram_signs(fields()) + "&extra=1", id="field added after signing"),
        pytest.param(urlencode(fields()), id="no hash"),
        pytest.param(urlencode(dict(fields(), hash="0" * 64)), id="made-up hash"),
    ],
)
def test_forged_data_is_refused(init_data: str) -> None:
    with pytest.raises(InitDataRefused):
        check_init_data(TOKEN, init_data, NOW)


def test_old_or_future_data_is_refused() -> None:
    with pytest.raises(InitDataRefused, match="too old"):
        check_init_data(TOKEN, telegram_signs(fields(NOW - timedelta(days=1, seconds=1))), NOW)
    with pytest.raises(InitDataRefused, match="too old"):
        old = telegram_signs(fields(NOW - timedelta(hours=2)))
        check_init_data(TOKEN, old, NOW, max_age=timedelta(hours=1))
    with pytest.raises(InitDataRefused, match="future"):
        check_init_data(TOKEN, telegram_signs(fields(NOW + timedelta(hours=1))), NOW)


@pytest.mark.parametrize(
    "init_data",
    [
        pytest.param("", id="empty"),
        pytest.param("just text", id="not a query string"),
        pytest.param("a=1&a=2&hash=x", id="a field twice"),
        pytest.param("x" * 9000, id="too long"),
        pytest.param(telegram_signs({"user": json.dumps(USER)}), id="no auth_date"),
        pytest.param(
            telegram_signs({"auth_date": "soon", "user": json.dumps(USER)}), id="bad auth_date"
        ),
        pytest.param(telegram_signs({"auth_date": str(int(NOW.timestamp()))}), id="no user"),
        pytest.param(telegram_signs(fields(user="{not json")), id="user not JSON"),
        pytest.param(telegram_signs(fields(user='{"id": "4242"}')), id="user id not a number"),
        pytest.param(telegram_signs(fields(user="[1, 2]")), id="user not an object"),
    ],
)
def test_malformed_data_is_refused(init_data: str) -> None:
    with pytest.raises(InitDataRefused):
        check_init_data(TOKEN, init_data, NOW)


def test_without_a_bot_token_nothing_is_trusted() -> None:
    with pytest.raises(InitDataRefused):
        check_init_data("", telegram_signs(fields(), token=""), NOW)

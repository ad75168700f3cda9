"""Settings read once at start-up: a value that cannot be used stops the bot with a message
naming the setting and an example; secrets never print."""

from __future__ import annotations

import logging

import pytest
from pydantic import ValidationError

from bot.config import Settings
from bot.localtime import QuietHours

TOKEN = "123456:AAH-very-secret-token-value"


def settings(**values: object) -> Settings:
    return Settings(_env_file=None, **values)  # type: ignore[call-arg]


@pytest.mark.parametrize("value", ["21:00-8", "9pm-8am", "21:00", "25:00-08:00", "21:00–08:00"])
def test_unreadable_quiet_hours_stop_start_up(value: str) -> None:
    with pytest.raises(ValidationError) as raised:
        settings(quiet_hours=value)
    said = str(raised.value)
    assert "QUIET_HOURS" in said and "21:00-08:00" in said and value in said


@pytest.mark.parametrize("value", ["7pm", "19", "19:5", "24:00", "19.00", "١٩:٠٠"])
def test_an_unreadable_reminder_time_stops_start_up(value: str) -> None:
    with pytest.raises(ValidationError) as raised:
        settings(reminder_time=value)
    said = str(raised.value)
    assert "REMINDER_TIME" in said and "19:00" in said


@pytest.mark.parametrize("value", ["off", "", " OFF "])
def test_quiet_hours_can_be_turned_off(value: str) -> None:
    quiet = QuietHours.parse(settings(quiet_hours=value).quiet_hours)
    assert quiet.start == quiet.end  # no hour is quiet


def test_readable_times_are_kept_as_written() -> None:
    read = settings(quiet_hours=" 22:30 - 7:00 ", reminder_time="8:15")
    assert read.quiet_hours == "22:30-7:00" and read.reminder_time == "8:15"
    quiet = QuietHours.parse(read.quiet_hours)
    assert (quiet.start.hour, quiet.start.minute, quiet.end.hour) == (22, 30, 7)


def test_secrets_never_print(caplog: pytest.LogCaptureFixture) -> None:
    read = settings(
        bot_token=TOKEN,
        llm_api_key="sk-secret-llm",
        webhook_secret="hook-secret",
        metrics_token="scrape-secret",
    )
    logging.getLogger("test").warning("settings: %s %r", read, read)
    shown = repr(read) + str(read) + caplog.text + read.model_dump_json()
    for secret in (TOKEN, "sk-secret-llm", "hook-secret", "scrape-secret"):
        assert secret not in shown
    assert read.bot_token.get_secret_value() == TOKEN  # there for the code that needs it
    assert read.webhook_secret_token == "hook-secret"


def test_a_bad_value_beside_a_token_does_not_print_the_token() -> None:
    with pytest.raises(ValidationError) as raised:
        settings(bot_token=TOKEN, quiet_hours="later")
    assert TOKEN not in str(raised.value)

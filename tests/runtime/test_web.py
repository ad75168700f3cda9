"""The runtime serves the web pages on WEBHOOK_PORT for every channel, web-hooks or not: the
dashboard (unless WEB_DASHBOARD is off), the lesson page and downloads; a taken port is only a
warning when no web-hook needs it."""

from __future__ import annotations

import logging
import socket

import aiohttp
import pytest

from bot.runtime import Runtime
from tests.channels.telegram.test_webhook import free_port
from tests.conftest import make_settings, migrated_runtime
from tests.runtime.test_lifecycle import HookChannel


class Polling(HookChannel):
    needs_web = False  # long polling: takes no web-hooks


async def status_of(url: str) -> int:
    async with aiohttp.ClientSession() as http, http.get(url, allow_redirects=False) as got:
        return got.status


async def test_a_polling_bot_serves_the_dashboard_lessons_and_downloads(
    database_url: str, caplog: pytest.LogCaptureFixture
) -> None:
    port = free_port()
    settings = make_settings(database_url, web_dashboard=True, webhook_port=port)
    await (await migrated_runtime(settings)).close()
    caplog.set_level(logging.INFO, logger="bot.runtime.core")
    async with Runtime.running(settings, [Polling("poll", [])]) as runtime:
        base = f"http://127.0.0.1:{port}"
        assert runtime.dashboard_url == f"{base}/web"
        assert await status_of(f"{base}/web") == 303
        assert await status_of(f"{base}/web/login") == 200
        assert (
            await status_of(f"{base}/lesson/1.sample.first-steps.1.AAAAAAAAAAAAAAAAAAAAAA") == 403
        )
        assert await status_of(f"{base}/files/unknown") == 404
        assert await status_of(f"{base}/healthz") == 200
    assert caplog.text.count(f"Dashboard: {base}/web") == 1


async def test_with_the_dashboard_off_only_the_web_hooks_port_listens(database_url: str) -> None:
    port = free_port()
    off = make_settings(database_url, web_dashboard=False, webhook_port=port)
    await (await migrated_runtime(off)).close()
    async with Runtime.running(off, [Polling("poll", [])]) as runtime:
        assert runtime.dashboard_url is None
        with pytest.raises(aiohttp.ClientConnectionError):
            await status_of(f"http://127.0.0.1:{port}/web/login")
    async with Runtime.running(off, [HookChannel("hook", [])]) as runtime:
        assert runtime.dashboard_url is None
        assert await status_of(f"http://127.0.0.1:{port}/web/login") == 404
        assert await status_of(f"http://127.0.0.1:{port}/files/unknown") == 404


async def test_a_taken_port_is_a_warning_unless_web_hooks_need_it(
    database_url: str, caplog: pytest.LogCaptureFixture
) -> None:
    with socket.socket() as taken:
        taken.bind(("127.0.0.1", 0))
        taken.listen()
        port = taken.getsockname()[1]
        settings = make_settings(database_url, web_dashboard=True, webhook_port=port)
        await (await migrated_runtime(settings)).close()
        async with Runtime.running(settings, [Polling("poll", [])]) as runtime:
            assert runtime.dashboard_url is None
        assert "dashboard is off" in caplog.text and "WEBHOOK_PORT" in caplog.text
        with pytest.raises(OSError):
            async with Runtime.running(settings, [HookChannel("hook", [])]):
                pass

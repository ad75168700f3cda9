"""Who may read /metrics and what /healthz tells a stranger, over real HTTP from an address that is
not this machine's loopback."""

from __future__ import annotations

import ipaddress
import json
import socket
from collections.abc import AsyncIterator

import aiohttp
import pytest
from aiohttp import web

from bot.config import Settings
from bot.runtime import Runtime
from bot.runtime.monitoring import start_monitoring_server
from tests.channels.telegram.test_webhook import free_port
from tests.conftest import drop_database, make_settings, migrated_runtime

TOKEN = "a-long-random-scrape-token"


def outward_address() -> str | None:
    """This machine's address on its network (not loopback), or None; a UDP socket's connect
    only picks the route, it sends nothing."""
    with socket.socket(socket.AF_INET, socket.SOCK_DGRAM) as probe:
        try:
            probe.connect(("192.0.2.1", 9))
        except OSError:
            return None
        address = str(probe.getsockname()[0])
    return None if ipaddress.ip_address(address).is_loopback else address


@pytest.fixture
async def served(database_url: str) -> AsyncIterator[tuple[Runtime, str]]:
    """The monitoring server on this machine's outward address, so requests come from a peer
    that is not localhost; with METRICS_TOKEN set."""
    address = outward_address()
    if address is None:
        pytest.skip("no network address besides loopback")
    runtime = await migrated_runtime(make_settings(database_url, metrics_token=TOKEN))
    port = free_port()
    runner: web.AppRunner = await start_monitoring_server(runtime, address, port)
    try:
        yield runtime, f"http://{address}:{port}"
    finally:
        await runner.cleanup()
        await runtime.close()


async def get(url: str, token: str | None = None) -> tuple[int, str]:
    headers = {"Authorization": f"Bearer {token}"} if token is not None else {}
    async with aiohttp.ClientSession() as client, client.get(url, headers=headers) as response:
        return response.status, await response.text()


def test_the_server_listens_on_localhost_unless_told_otherwise(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    monkeypatch.delenv("WEBHOOK_HOST", raising=False)
    monkeypatch.delenv("METRICS_TOKEN", raising=False)
    settings = Settings(_env_file=None)  # type: ignore[call-arg]
    assert settings.webhook_host == "127.0.0.1"
    assert settings.metrics_token.get_secret_value() == ""


async def test_metrics_need_the_token_from_another_machine(served: tuple[Runtime, str]) -> None:
    _, base = served
    assert (await get(f"{base}/metrics"))[0] == 403
    assert (await get(f"{base}/metrics", "wrong"))[0] == 403
    assert (await get(f"{base}/metrics", TOKEN[:-1]))[0] == 403
    status, body = await get(f"{base}/metrics", TOKEN)
    assert status == 200 and "academy_updates_total" in body


async def test_health_tells_a_stranger_nothing_about_the_database(
    served: tuple[Runtime, str], database_url: str
) -> None:
    runtime, base = served
    assert await get(f"{base}/healthz") == (200, '{"status": "ok"}')
    await runtime.engine.dispose()
    gone = drop_database(database_url)
    status, body = await get(f"{base}/healthz")
    assert status == 503
    assert body == '{"status": "error", "database": "unavailable"}'
    status, body = await get(f"{base}/healthz", TOKEN)  # the scraper may see why
    assert status == 503 and gone in json.loads(body)["database"]

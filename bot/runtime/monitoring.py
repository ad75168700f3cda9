"""`/healthz` and `/metrics` over HTTP: on the webhook server, or on METRICS_PORT when polling."""

from __future__ import annotations

import asyncio
import hmac
import ipaddress
import logging
from typing import TYPE_CHECKING

from aiohttp import web
from sqlalchemy import text

from bot import metrics
from bot.scheduling import store

if TYPE_CHECKING:
    from bot.runtime.core import Runtime

log = logging.getLogger(__name__)
# A database that takes longer than this to answer SELECT 1 is not healthy.
HEALTH_TIMEOUT = 5.0


def from_this_machine(request: web.Request) -> bool:
    """Whether the connection's peer is a loopback address: the socket's, never a header (a
    proxy on this machine passes on only the webhook, see deploy/Caddyfile)."""
    peer = request.transport.get_extra_info("peername") if request.transport else None
    if not peer or not isinstance(peer, tuple):
        return False
    try:
        address = ipaddress.ip_address(str(peer[0]).split("%", 1)[0])
    except ValueError:
        return False
    if isinstance(address, ipaddress.IPv6Address) and address.ipv4_mapped is not None:
        address = address.ipv4_mapped
    return address.is_loopback


def holds_token(request: web.Request, token: str) -> bool:
    """Whether the request carries `Authorization: Bearer <token>` (compared in constant time);
    never with no token configured."""
    scheme, _, given = request.headers.get("Authorization", "").partition(" ")
    if not token or scheme.lower() != "bearer":
        return False
    return hmac.compare_digest(given.strip().encode(), token.encode())


def add_monitoring_routes(app: web.Application, runtime: Runtime) -> None:
    """`GET /healthz`: 200 {"status": "ok"} when the database answers, else 503 (the reason only
    to this machine or METRICS_TOKEN). `GET /metrics`: Prometheus text format, the delivery
    backlog counted from the database; 403 unless from this machine or with METRICS_TOKEN."""
    token = runtime.settings.metrics_token.get_secret_value()

    def trusted(request: web.Request) -> bool:
        return from_this_machine(request) or holds_token(request, token)

    async def healthz(request: web.Request) -> web.Response:
        try:
            async with asyncio.timeout(HEALTH_TIMEOUT), runtime.sessions() as session:
                await session.exec(text("SELECT 1"))  # type: ignore[call-overload]
        except Exception as error:
            # A driver's message may name the server, the database or a path: not for anyone.
            log.warning("health check: the database does not answer: %r", error)
            reason = "unavailable"
            if trusted(request):
                timeout = isinstance(error, TimeoutError)
                reason = f"no answer in {HEALTH_TIMEOUT:g}s" if timeout else str(error)
            return web.json_response({"status": "error", "database": reason}, status=503)
        return web.json_response({"status": "ok"})

    async def scrape(request: web.Request) -> web.Response:
        if not trusted(request):
            return web.Response(status=403, text="forbidden")
        backlog: int | None = None
        try:
            async with asyncio.timeout(HEALTH_TIMEOUT), runtime.sessions() as session:
                backlog = await store.backlog(session, runtime.academy.services.clock())
        except Exception as error:  # the counters are still worth serving without it
            log.warning("could not count the delivery backlog: %s", error)
        body, content_type = metrics.exposition(backlog)
        response = web.Response(body=body)
        response.headers["Content-Type"] = content_type  # has a version parameter aiohttp rejects
        return response

    app.router.add_get("/healthz", healthz)
    app.router.add_get("/metrics", scrape)


async def start_monitoring_server(runtime: Runtime, host: str, port: int) -> web.AppRunner:
    """A small server answering only `/healthz` and `/metrics` (long polling has no webhook
    server to carry them); returns the running server."""
    app = web.Application()
    add_monitoring_routes(app, runtime)
    runner = web.AppRunner(app)
    await runner.setup()
    await web.TCPSite(runner, host, port).start()
    log.info("health and metrics on %s:%s", host, port)
    return runner

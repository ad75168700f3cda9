"""`/healthz` and `/metrics` over HTTP: on the webhook server, or on METRICS_PORT when polling."""

from __future__ import annotations

import asyncio
import logging
from typing import TYPE_CHECKING

from aiohttp import web
from sqlalchemy import text

from bot import metrics
from bot.scheduling import store

if TYPE_CHECKING:
    from bot.runtime import Runtime

log = logging.getLogger(__name__)
# A database that takes longer than this to answer SELECT 1 is not healthy.
HEALTH_TIMEOUT = 5.0


def add_monitoring_routes(app: web.Application, runtime: Runtime) -> None:
    """`GET /healthz`: 200 {"status": "ok"} when the database answers, else 503 with the reason.
    `GET /metrics`: Prometheus text format, the delivery backlog counted from the database."""

    async def healthz(_request: web.Request) -> web.Response:
        try:
            async with asyncio.timeout(HEALTH_TIMEOUT), runtime.sessions() as session:
                await session.exec(text("SELECT 1"))  # type: ignore[call-overload]
        except TimeoutError:
            reason = f"no answer in {HEALTH_TIMEOUT:g}s"
            return web.json_response({"status": "error", "database": reason}, status=503)
        except Exception as error:
            return web.json_response({"status": "error", "database": str(error)}, status=503)
        return web.json_response({"status": "ok"})

    async def scrape(_request: web.Request) -> web.Response:
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

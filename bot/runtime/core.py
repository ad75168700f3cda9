"""The composition root: settings, logging, database, the Academy, and one lifecycle for every
channel (`Runtime.running`)."""

from __future__ import annotations

import asyncio
import contextlib
import logging
import signal
from collections.abc import AsyncIterator, Awaitable, Callable, Mapping, Sequence
from dataclasses import dataclass, field
from datetime import datetime

from aiohttp import web
from sqlalchemy.ext.asyncio import AsyncEngine, async_sessionmaker
from sqlmodel.ext.asyncio.session import AsyncSession

from bot.config import Settings
from bot.core.capabilities import Capabilities
from bot.core.messages import Incoming
from bot.db.engine import make_engine, make_sessionmaker
from bot.db.migrate import require_current_schema
from bot.db.people import sync_admins
from bot.handlers import build_router
from bot.lessons.content import load_courses
from bot.pipeline.app import Academy, Answer
from bot.pipeline.router import Offers, Services
from bot.qa.setup import make_asker
from bot.runtime.channel import Channel, FittedTransport
from bot.runtime.delivery import build_engine
from bot.runtime.monitoring import add_monitoring_routes
from bot.runtime.reload import ContentReloader
from bot.runtime.ticker import Ticker, start_ticker
from bot.scheduling.engine import DeliveryEngine
from bot.scheduling.transport import Transport
from bot.web.app import add_web_routes
from bot.web.pages import HOME, Dashboard

log = logging.getLogger(__name__)


def setup_logging(level: str) -> None:
    logging.basicConfig(
        level=level.upper(),
        format="%(asctime)s %(levelname)s %(name)s: %(message)s",
    )
    # Their per-start chatter is noise (and lands in the middle of the console chat).
    for chatty in ("alembic", "apscheduler"):
        logging.getLogger(chatty).setLevel(logging.WARNING)


@dataclass
class Runtime:
    """Everything a channel needs to serve people."""

    settings: Settings
    engine: AsyncEngine
    sessions: async_sessionmaker[AsyncSession]
    academy: Academy
    content: ContentReloader
    channels: list[Channel] = field(default_factory=list)
    delivery: DeliveryEngine | None = None  # with the transports of every running channel
    stopping: asyncio.Event = field(default_factory=asyncio.Event)
    # Channels' tasks that end when the channel ends by itself (the console's input).
    ended: list[asyncio.Task[None]] = field(default_factory=list)
    ticker: Ticker | None = None  # while running: the periodic jobs
    # While running: the dashboard's address when it is served (None: off, or its port taken).
    dashboard_url: str | None = None

    def every(self, seconds: float, job: Callable[[], Awaitable[object]], *, name: str) -> None:
        """Run `job` every `seconds` while the runtime runs (a channel's own periodic work)."""
        assert self.ticker is not None, "only while Runtime.running"
        self.ticker.every(seconds, job, name=name)

    async def close(self) -> None:
        await self.engine.dispose()

    async def replies_to(
        self, incoming: Incoming, session: AsyncSession, capabilities: Capabilities
    ) -> Answer:
        """The one way an update is answered on any channel: the Academy's answer, its replies
        fitted to what the channel can show (see bot.core.fitting), in the person's language,
        the choices they offer kept with the answer's commit. Raises as `Academy.answer` does."""
        return await self.academy.answer(incoming, session, capabilities)

    def stop(self) -> None:
        """Ask `until_stopped` to return (as SIGTERM and SIGINT do)."""
        self.stopping.set()

    async def until_stopped(self) -> None:
        """Serve until SIGTERM/SIGINT, `stop()`, or a channel that ends by itself."""
        ended = self.ended
        loop = asyncio.get_running_loop()
        for signum in (signal.SIGTERM, signal.SIGINT):
            with contextlib.suppress(NotImplementedError, RuntimeError):  # not the main thread
                loop.add_signal_handler(signum, self.stopping.set)
        waiting = asyncio.ensure_future(self.stopping.wait())
        try:
            await asyncio.wait([waiting, *ended], return_when=asyncio.FIRST_COMPLETED)
        finally:
            waiting.cancel()
            for signum in (signal.SIGTERM, signal.SIGINT):
                with contextlib.suppress(NotImplementedError, RuntimeError):
                    loop.remove_signal_handler(signum)
        for task in ended:  # a channel's own failure is the command's failure
            error = task.exception() if task.done() and not task.cancelled() else None
            if error is not None:
                raise error

    @classmethod
    @contextlib.asynccontextmanager
    async def running(
        cls,
        settings: Settings,
        channels: Sequence[Channel],
        *,
        lead: bool = True,
        deliveries: bool = True,
        reuse_port: bool = False,
    ) -> AsyncIterator[Runtime]:
        """Open the database, content and Academy; start every channel, the delivery ticker (the
        lead worker only, unless `deliveries` is off: then `runtime.delivery` is there to tick by
        hand), the content reload job and the web server (web-hooks, /healthz, /metrics); on
        exit stop them in the right order (the ticker first, with SHUTDOWN_GRACE; then the web
        server, the channels' intake, the database, the channels' connections)."""
        offers: dict[str, Offers] = {}
        async with contextlib.AsyncExitStack() as stack:
            for channel in channels:
                stack.push_async_callback(channel.close)  # also what a failed open() made
                offers[channel.name] = await channel.open()
            runtime = await open_runtime(settings, offers=offers)
            stack.push_async_callback(runtime.close)
            transports: list[Transport] = [
                FittedTransport(c.transport, c.capabilities)
                for c in channels
                if c.transport is not None
            ]
            runtime.channels = list(channels)
            if transports:
                runtime.delivery = build_engine(runtime, transports)
            app = web.Application()
            add_monitoring_routes(app, runtime)
            add_web_routes(app, _dashboard(runtime))
            ended: list[asyncio.Task[None]] = []
            for channel in channels:
                task = await channel.start(runtime, app)
                stack.push_async_callback(channel.stop)
                if task is not None:
                    ended.append(task)
            server = await _serve_web(app, settings, channels, reuse_port=reuse_port)
            if server is not None:
                stack.push_async_callback(server.runner.cleanup)
                if server.dashboard and settings.web_dashboard:
                    runtime.dashboard_url = settings.web_base_url + HOME
                    log.info("Dashboard: %s", runtime.dashboard_url)
            ticking = runtime.delivery if (lead and deliveries) else None
            ticker = start_ticker(ticking, settings.delivery_interval)
            if settings.content_check_seconds > 0:
                ticker.every(settings.content_check_seconds, runtime.content.check, name="content")
            # Last in, first out: a tick in hand still needs the channels and the database.
            stack.push_async_callback(ticker.stop, settings.shutdown_grace)
            runtime.ticker, runtime.ended = ticker, ended
            for channel in channels:
                await channel.live()
            yield runtime


def _dashboard(runtime: Runtime) -> Dashboard:
    services = runtime.academy.services

    def now() -> datetime:  # the services' clock as it is then (tests replace it)
        return services.clock()

    return Dashboard(
        settings=runtime.settings,
        sessions=runtime.sessions,
        courses=lambda: services.courses,
        clock=now,
        services=services,
    )


@dataclass(frozen=True)
class WebServer:
    runner: web.AppRunner
    dashboard: bool  # whether WEBHOOK_PORT is listening (web-hooks, pages, the dashboard)


async def _serve_web(
    app: web.Application, settings: Settings, channels: Sequence[Channel], *, reuse_port: bool
) -> WebServer | None:
    """Listen on WEBHOOK_PORT when a channel takes web-hooks or the dashboard is on, and on
    METRICS_PORT when set and no web-hooks come (then /healthz and /metrics are there too).
    Web-hooks on a taken port end the start; the dashboard alone on a taken port is a warning
    (the chat goes on without it)."""
    hooks = any(channel.needs_web for channel in channels)
    ports: list[tuple[int, bool]] = []  # (port, whether failing to listen ends the start)
    if hooks or settings.web_dashboard:
        ports.append((settings.webhook_port, hooks))
    if settings.metrics_port and not hooks and settings.metrics_port != settings.webhook_port:
        ports.append((settings.metrics_port, True))
    if not ports:
        return None
    runner = web.AppRunner(app)
    await runner.setup()
    listening = False
    try:
        for port, needed in ports:
            site = web.TCPSite(runner, settings.webhook_host, port, reuse_port=reuse_port)
            try:
                await site.start()
            except OSError as error:
                if needed:
                    raise
                log.warning(
                    "The web dashboard is off: cannot listen on %s:%s (%s). Another program "
                    "uses the port? Set WEBHOOK_PORT to a free one, or WEB_DASHBOARD=false.",
                    settings.webhook_host,
                    port,
                    error.strerror or error,
                )
                continue
            log.info("listening on %s:%s", settings.webhook_host, port)
            listening = listening or port == settings.webhook_port
    except BaseException:
        await runner.cleanup()
        raise
    return WebServer(runner, dashboard=listening)


async def open_runtime(
    settings: Settings, *, check_schema: bool = True, offers: Mapping[str, Offers] | None = None
) -> Runtime:
    """Load the courses, connect to the database (refusing an out-of-date schema), make the
    admins those of ADMIN_IDS, build the Academy with what each channel offers handlers (by
    channel name)."""
    courses = load_courses(settings)
    engine = make_engine(settings)
    try:
        if check_schema:
            await require_current_schema(engine)
            async with make_sessionmaker(engine)() as session:
                await sync_admins(session, settings.admins)
    except BaseException:
        await engine.dispose()
        raise
    services = Services(
        settings=settings,
        courses=courses,
        asker=make_asker(settings, courses),
        offers=dict(offers or {}),
    )
    academy = Academy(build_router(), services)
    reloader = ContentReloader(settings, services)
    services.reload_content = reloader.reload_now
    return Runtime(settings, engine, make_sessionmaker(engine), academy, reloader)

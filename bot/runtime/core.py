"""The composition root: settings, logging, database, the Academy, and one lifecycle for every
channel (`Runtime.running`)."""

from __future__ import annotations

import asyncio
import contextlib
import logging
import signal
from collections.abc import AsyncIterator, Awaitable, Callable, Sequence
from contextvars import ContextVar
from dataclasses import dataclass, field, replace
from typing import TypeVar

from aiohttp import web
from sqlalchemy.ext.asyncio import AsyncEngine, async_sessionmaker
from sqlmodel.ext.asyncio.session import AsyncSession

from bot.config import Settings
from bot.core.capabilities import Capabilities
from bot.core.fitting import Wording, fit_replies
from bot.core.messages import Incoming
from bot.db.engine import make_engine, make_sessionmaker
from bot.db.migrate import require_current_schema
from bot.db.people import sync_admins
from bot.handlers import build_router
from bot.i18n import Translator
from bot.lessons.content import load_courses
from bot.pipeline.app import Academy, Answer
from bot.pipeline.router import Services
from bot.qa.setup import make_asker
from bot.runtime.channel import Channel, FittedTransport, Offers
from bot.runtime.delivery import build_engine
from bot.runtime.monitoring import add_monitoring_routes
from bot.runtime.reload import ContentReloader
from bot.runtime.ticker import Ticker, start_ticker
from bot.scheduling.engine import DeliveryEngine
from bot.scheduling.transport import Transport

log = logging.getLogger(__name__)
T = TypeVar("T")
# The channel whose update is being answered (set by `Runtime.replies_to`): handlers get that
# channel's offers (see `offers_of`).
ANSWERING: ContextVar[str | None] = ContextVar("answering_channel", default=None)


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
        fitted to what the channel can show (see bot.core.fitting), in the person's language.
        Raises as `Academy.answer` does."""
        answering = ANSWERING.set(incoming.sender.channel)
        try:
            answer = await self.academy.answer(incoming, session)
        finally:
            ANSWERING.reset(answering)
        if answer.replies:
            wording = Wording.from_catalog(Translator(answer.language))
            answer.replies = fit_replies(answer.replies, capabilities, wording=wording)
        return answer

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
        offered: dict[str, Offers] = {}
        async with contextlib.AsyncExitStack() as stack:
            for channel in channels:
                stack.push_async_callback(channel.close)  # also what a failed open() made
                offered[channel.name] = await channel.open()
            runtime = await open_runtime(settings, offers=offers_of(offered))
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
            ended: list[asyncio.Task[None]] = []
            for channel in channels:
                task = await channel.start(runtime, app)
                stack.push_async_callback(channel.stop)
                if task is not None:
                    ended.append(task)
            server = await _serve_web(app, settings, channels, reuse_port=reuse_port)
            if server is not None:
                stack.push_async_callback(server.cleanup)
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


def offers_of(offered: dict[str, Offers]) -> Offers:
    """What handlers get from the channels that run (by name): each offer is the one of the
    channel whose update is being answered (`replies_to` says which), so a WhatsApp voice note is
    fetched from Meta and a Telegram one from Telegram; outside an update (scheduled work), the
    first channel's that offers it. One channel: its own offers, unchanged."""
    if len(offered) <= 1:
        return next(iter(offered.values()), Offers())
    links = {name: o.link_for for name, o in offered.items() if o.link_for is not None}
    fetchers = {name: o.fetch_file for name, o in offered.items() if o.fetch_file is not None}
    typers = {name: o.show_typing for name, o in offered.items() if o.show_typing is not None}

    def chosen(by_channel: dict[str, T]) -> T | None:
        channel = ANSWERING.get()
        if channel is None:
            return next(iter(by_channel.values()), None)
        return by_channel.get(channel)

    def link_for(code: str) -> str:
        made = chosen(links)
        return made(code) if made is not None else f"/join {code}"

    async def fetch_file(file_ref: str) -> bytes:
        fetch = chosen(fetchers)
        if fetch is None:
            raise LookupError(f"{ANSWERING.get()} offers no file downloads")
        return await fetch(file_ref)

    async def show_typing(user_id: str) -> None:
        show = chosen(typers)
        if show is not None:
            await show(user_id)

    return Offers(
        link_for=link_for if links else None,
        fetch_file=fetch_file if fetchers else None,
        show_typing=show_typing if typers else None,
    )


async def _serve_web(
    app: web.Application, settings: Settings, channels: Sequence[Channel], *, reuse_port: bool
) -> web.AppRunner | None:
    """Listen on WEBHOOK_PORT when a channel takes web-hooks, else on METRICS_PORT when set."""
    if any(channel.needs_web for channel in channels):
        port = settings.webhook_port
    elif settings.metrics_port:
        port = settings.metrics_port
    else:
        return None
    runner = web.AppRunner(app)
    await runner.setup()
    try:
        await web.TCPSite(runner, settings.webhook_host, port, reuse_port=reuse_port).start()
    except BaseException:
        await runner.cleanup()
        raise
    log.info("listening on %s:%s", settings.webhook_host, port)
    return runner


async def open_runtime(
    settings: Settings, *, check_schema: bool = True, offers: Offers | None = None
) -> Runtime:
    """Load the courses, connect to the database (refusing an out-of-date schema), make the
    admins those of ADMIN_IDS, build the Academy with what the channels offer handlers."""
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
    offers = offers or Offers()
    services = Services(
        settings=settings,
        courses=courses,
        asker=make_asker(settings, courses),
        fetch_file=offers.fetch_file,
        show_typing=offers.show_typing,
    )
    if offers.link_for is not None:
        services = replace(services, link_for=offers.link_for)
    academy = Academy(build_router(), services)
    reloader = ContentReloader(settings, services)
    return Runtime(settings, engine, make_sessionmaker(engine), academy, reloader)

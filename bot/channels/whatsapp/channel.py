"""WhatsApp (Meta's Cloud API) as a channel of the runtime: signed web-hooks in on the shared web
server, pywa out."""

from __future__ import annotations

import asyncio
import contextlib
import logging
from urllib.parse import quote

import httpx
from aiohttp import web
from pywa_async import WhatsApp
from pywa_async.errors import WhatsAppError

from bot.channels.whatsapp.budget import make_whatsapp_limiter
from bot.channels.whatsapp.capabilities import CAPABILITIES, CHANNEL
from bot.channels.whatsapp.client import make_client, session_of
from bot.channels.whatsapp.transport import WhatsAppTransport
from bot.channels.whatsapp.updates import UpdateHandler
from bot.channels.whatsapp.webhook import add_webhook_routes
from bot.config import Settings
from bot.runtime import Offers, Runtime, StartupError
from bot.runtime.workers import ONLY, Worker

log = logging.getLogger(__name__)
AUTH_FAILED = 190  # Meta's code for a token it does not accept


def join_link(phone: str, code: str) -> str:
    """A wa.me link that opens a chat with the business number with "/join CODE" typed."""
    return f"https://wa.me/{phone}?text={quote(f'/join {code}', safe='')}"


class WhatsAppChannel:
    """The WhatsApp business number: messages and statuses in by web-hook, replies and
    scheduled messages out through one pywa client."""

    name = CHANNEL
    capabilities = CAPABILITIES
    needs_web = True

    def __init__(self, settings: Settings, *, worker: Worker = ONLY, intake: bool = True) -> None:
        """`intake` off: only the sending side (`academy deliver`)."""
        self.settings = settings
        self.worker = worker
        self.intake = intake
        self.needs_web = intake
        self.wa: WhatsApp | None = None
        self.transport: WhatsAppTransport | None = None
        self.updates: UpdateHandler | None = None

    async def open(self) -> Offers:
        """Check the settings and the token (by asking Meta for the business number). Missing
        secrets or a refused token end with exit code 2, an unreachable API with 4."""
        settings = self.settings
        missing = [
            name
            for name, value in (
                ("WHATSAPP_APP_SECRET", settings.whatsapp_app_secret.get_secret_value()),
                ("WHATSAPP_VERIFY_TOKEN", settings.whatsapp_verify_token.get_secret_value()),
            )
            if not value
        ]
        if missing and self.intake:
            raise StartupError(
                f"WhatsApp needs {' and '.join(missing)}: the app secret from Meta's App "
                "Dashboard (App settings > Basic) and a verify token of your choice (see the "
                "README, WhatsApp).",
                2,
            )
        self.wa = wa = make_client(settings)
        try:
            await wa.get_business_phone_number()
        except WhatsAppError as error:
            if error.code == AUTH_FAILED or error.status_code in (401, 403):
                raise StartupError(
                    f"Meta refused WHATSAPP_ACCESS_TOKEN ({error.message}). Check the token "
                    "and WHATSAPP_PHONE_NUMBER_ID.",
                    2,
                ) from error
            raise StartupError(
                f"Meta refused to describe WHATSAPP_PHONE_NUMBER_ID "
                f"{settings.whatsapp_phone_number_id} ({error.message}). Check the id.",
                2,
            ) from error
        except httpx.HTTPError as error:
            server = settings.whatsapp_api_url or "graph.facebook.com"
            raise StartupError(
                f"Could not reach the WhatsApp Cloud API at {server}: {error!r}. Check the "
                "network or WHATSAPP_API_URL.",
                4,
            ) from error
        self.transport = WhatsAppTransport(wa, make_whatsapp_limiter(settings))

        async def fetch_file(media_id: str) -> bytes:
            found = await wa.get_media_url(media_id)
            return bytes(await wa.get_media_bytes(found.url))

        async def show_typing(user_id: str) -> None:
            if self.updates is not None:
                await self.updates.show_typing(user_id)

        phone = settings.whatsapp_phone_number
        return Offers(
            link_for=(lambda code: join_link(phone, code)) if phone else None,
            fetch_file=fetch_file,
            show_typing=show_typing,
        )

    async def start(self, runtime: Runtime, app: web.Application) -> asyncio.Task[None] | None:
        assert self.wa is not None and self.transport is not None, "open() first"
        services = runtime.academy.services
        self.transport.bind(lambda person: services.course_for(person).templates)
        if not self.intake:
            return None
        settings = self.settings
        self.updates = UpdateHandler(runtime, self.wa, pace=self.transport.pace)
        add_webhook_routes(
            app,
            settings.whatsapp_webhook_path,
            app_secret=settings.whatsapp_app_secret.get_secret_value(),
            verify_token=settings.whatsapp_verify_token.get_secret_value(),
            take=self.updates.take,
        )
        return None

    async def live(self) -> None:
        if self.intake:
            log.info(
                "WhatsApp web-hook worker %d of %d on %s:%s%s",
                self.worker.index + 1,
                self.worker.count,
                self.settings.webhook_host,
                self.settings.webhook_port,
                self.settings.whatsapp_webhook_path,
            )

    async def stop(self) -> None:
        """The updates in hand finish (up to SHUTDOWN_GRACE); nothing new is taken after the
        web server stops."""
        if self.updates is not None:
            await self.updates.finish(self.settings.shutdown_grace)

    async def close(self) -> None:
        if self.wa is not None:
            with contextlib.suppress(Exception):
                await session_of(self.wa).aclose()

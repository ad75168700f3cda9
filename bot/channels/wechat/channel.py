"""A WeChat service account (服务号) as a channel of the runtime: signed XML in on the shared web
server (the server URL), customer-service messages out through our own client."""

from __future__ import annotations

import asyncio
import logging
from datetime import datetime

import aiohttp
from aiohttp import web

from bot.channels.wechat.capabilities import CAPABILITIES, CHANNEL, capabilities_for
from bot.channels.wechat.client import WeChatClient, WeChatError
from bot.channels.wechat.crypto import aes_key
from bot.channels.wechat.qr import ClassQRCodes
from bot.channels.wechat.tappable import ChoiceStyle
from bot.channels.wechat.transport import WeChatTransport
from bot.channels.wechat.updates import UpdateHandler
from bot.channels.wechat.webhook import RecentRefs, add_webhook_routes
from bot.config import Settings
from bot.runtime import Offers, Runtime, StartupError
from bot.runtime.workers import ONLY, Worker

log = logging.getLogger(__name__)


class WeChatChannel:
    """The service account: messages and events in by web-hook, replies out by the
    customer-service API within each person's reply budget."""

    name = CHANNEL
    capabilities = CAPABILITIES
    needs_web = True
    # Scheduled messages: within the person's allowance as messages, else as template messages.
    transport: WeChatTransport | None = None

    def __init__(self, settings: Settings, *, worker: Worker = ONLY) -> None:
        self.settings = settings
        self.worker = worker
        self.capabilities = capabilities_for(settings.public_url)
        self.client: WeChatClient | None = None
        self.updates: UpdateHandler | None = None
        self.recent: RecentRefs | None = None
        self.qr_codes: ClassQRCodes | None = None

    async def open(self) -> Offers:
        """Check the settings and the AppID/AppSecret (by fetching the access token). Missing
        secrets, a bad EncodingAESKey or refused credentials end with exit code 2, an
        unreachable API with 4."""
        settings = self.settings
        missing = [
            name
            for name, value in (
                ("WECHAT_APP_ID", settings.wechat_app_id),
                ("WECHAT_APP_SECRET", settings.wechat_app_secret.get_secret_value()),
                ("WECHAT_TOKEN", settings.wechat_token.get_secret_value()),
            )
            if not value
        ]
        if missing:
            raise StartupError(
                f"WeChat needs {' and '.join(missing)}: the AppID and AppSecret from the "
                "account's Basic configuration (基本配置), and the Token you enter there with "
                "the server URL (see the README, WeChat).",
                2,
            )
        key = settings.wechat_encoding_aes_key.get_secret_value()
        if key:
            try:
                aes_key(key)
            except ValueError as error:
                raise StartupError(str(error), 2) from error
        self.client = client = WeChatClient.from_settings(settings)
        try:
            await client.tokens.get()
        except WeChatError as error:
            await client.close()
            raise StartupError(
                f"WeChat refused WECHAT_APP_ID / WECHAT_APP_SECRET ({error}). Check both, and "
                "that this server's IP is on the account's IP whitelist (IP白名单).",
                2,
            ) from error
        except (aiohttp.ClientError, TimeoutError) as error:
            await client.close()
            server = settings.wechat_api_url or "api.weixin.qq.com"
            raise StartupError(
                f"Could not reach the WeChat API at {server}: {error!r}. Check the network or "
                "WECHAT_API_URL.",
                4,
            ) from error

        self.transport = WeChatTransport(
            client,
            public_url=settings.public_url,
            link_secret=settings.lesson_link_secret,
            style=ChoiceStyle(settings.wechat_choices),
        )

        async def fetch_file(media_id: str) -> bytes:
            return await client.get_media(media_id)

        async def show_typing(user_id: str) -> None:
            try:
                await client.typing(user_id)
            except (WeChatError, aiohttp.ClientError, TimeoutError) as error:
                log.info("could not show typing to %s: %s", user_id, error)

        # A class's link is its permanent QR code, made once per class code (qr.py).
        self.qr_codes = qr_codes = ClassQRCodes(client)
        return Offers(
            link_for=qr_codes.link_for,
            fetch_file=fetch_file,
            show_typing=show_typing,
            prepare_link=qr_codes.prepare,
        )

    async def start(self, runtime: Runtime, app: web.Application) -> asyncio.Task[None] | None:
        assert self.client is not None, "open() first"
        settings = self.settings
        self.updates = UpdateHandler(runtime, self.client)
        if self.transport is not None:
            services = runtime.academy.services

            def now() -> datetime:  # the services' clock as it is then (tests replace it)
                return services.clock()

            self.transport.bind(
                runtime.sessions, services.course_for, clock=now, locks=self.updates.locks
            )
        self.recent = add_webhook_routes(
            app,
            settings.wechat_webhook_path,
            token=settings.wechat_token.get_secret_value(),
            take=self.updates.take,
            app_id=settings.wechat_app_id,
            encoding_aes_key=settings.wechat_encoding_aes_key.get_secret_value(),
        )
        return None

    async def live(self) -> None:
        log.info(
            "WeChat server URL, worker %d of %d, on %s:%s%s",
            self.worker.index + 1,
            self.worker.count,
            self.settings.webhook_host,
            self.settings.webhook_port,
            self.settings.wechat_webhook_path,
        )

    async def stop(self) -> None:
        """The updates in hand finish (up to SHUTDOWN_GRACE)."""
        if self.updates is not None:
            await self.updates.finish(self.settings.shutdown_grace)

    async def close(self) -> None:
        if self.client is not None:
            await self.client.close()

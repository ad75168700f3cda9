"""A class's invite on WeChat: a permanent parametric QR code whose scene is the class code.

Scanning it follows the account (or, for a follower, opens the chat) and WeChat sends the scene
with the event, which `convert.py` turns into `/start CODE`: the same as a Telegram join link.
An account may make only 100,000 permanent codes, so each class code gets one, made the first
time its link is asked for and kept in `wechat_qr_codes` (per AppID); a rotated class code is a
new code and gets a new QR code. The link handlers show (and `qr_png` draws) is the URL the
code encodes (http://weixin.qq.com/q/...), which WeChat opens as the follow page.

`prepare` is the channel's `Offers.prepare_link` (async: it may call the API and write the row
in the handler's session, committed with the answer); `link_for` (synchronous, as every
channel's) gives what `prepare` found, and `/join CODE` for any other code (role invites, /link
codes: one use, not worth a permanent code).
"""

from __future__ import annotations

import logging

import aiohttp
from sqlmodel.ext.asyncio.session import AsyncSession

from bot.channels.wechat.client import WeChatClient, WeChatError
from bot.core.locks import KeyedLock
from bot.db.models import WeChatQRCode
from bot.db.types import utcnow
from bot.db.upsert import insert_ignore
from bot.pipeline.router import join_command

log = logging.getLogger(__name__)
SCENE_LIMIT = 64  # WeChat's scene_str


class ClassQRCodes:
    """The account's QR codes for class codes: made once per code, then read back."""

    def __init__(self, client: WeChatClient) -> None:
        self.client = client
        self._urls: dict[str, str] = {}  # code -> URL, in this process
        self._making = KeyedLock()  # one API call per code in this process
        self.made = 0  # QR codes this process asked WeChat for

    async def prepare(self, session: AsyncSession, code: str) -> bool:
        """Find or make the QR code of `code`; False when WeChat refused or could not be
        reached (logged), so the lecturer is told and people type `/join CODE` meanwhile."""
        if code in self._urls:
            return True
        if not 0 < len(code) <= SCENE_LIMIT:
            return False
        async with self._making.hold(code):
            if code in self._urls:
                return True
            app_id = self.client.app_id
            kept = await session.get(WeChatQRCode, (app_id, code))
            if kept is None:
                try:
                    ticket, url = await self.client.create_qr(code, permanent=True)
                except (WeChatError, aiohttp.ClientError, TimeoutError) as error:
                    log.warning("could not make the WeChat QR code of a class: %r", error)
                    return False
                self.made += 1
                await insert_ignore(
                    session,
                    WeChatQRCode,
                    app_id=app_id,
                    code=code,
                    ticket=ticket,
                    url=url,
                    created_at=utcnow(),
                )
                # Another worker may have kept one first: theirs is the one to print.
                kept = await session.get(WeChatQRCode, (app_id, code), populate_existing=True)
                if kept is None:  # pragma: no cover - the insert or the other row is there
                    return False
            self._urls[code] = kept.url
        return True

    def link_for(self, code: str) -> str:
        """The URL of `code`'s QR code once `prepare` found it; `/join CODE` otherwise."""
        return self._urls.get(code) or join_command(code)

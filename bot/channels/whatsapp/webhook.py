"""The WhatsApp web-hook on the runtime's shared web server (WHATSAPP_WEBHOOK_PATH).

GET is Meta's one-time check of the URL: `hub.verify_token` must be WHATSAPP_VERIFY_TOKEN, and
the answer is `hub.challenge`. POST carries messages and statuses: its X-Hub-Signature-256 (an
HMAC-SHA256 of the raw body with the app secret) is checked before anything is parsed; then
Meta gets its 200 at once and the contents are handled after (Meta waits a few seconds at most
and redelivers what it did not get a 200 for; a wamid is applied once, bot.db.processed).
"""

from __future__ import annotations

import hashlib
import hmac
import json
import logging
from collections.abc import Callable

from aiohttp import web

from bot.channels.webhooks import read_body
from bot.channels.whatsapp.convert import Webhook, read_webhook

log = logging.getLogger(__name__)
SIGNATURE_HEADER = "X-Hub-Signature-256"
# Meta's web-hook bodies are a few kilobytes (up to a thousand statuses): more is not Meta.


def signature_of(body: bytes, app_secret: str) -> str:
    """The header Meta sends with `body`: "sha256=" and the hex HMAC-SHA256."""
    return "sha256=" + hmac.new(app_secret.encode(), body, hashlib.sha256).hexdigest()


def signed_by(body: bytes, header: str, app_secret: str) -> bool:
    """Whether `header` is the signature of `body` with the app secret (constant time)."""
    expected = signature_of(body, app_secret)
    return hmac.compare_digest(header.strip().encode(), expected.encode())


def add_webhook_routes(
    app: web.Application,
    path: str,
    *,
    app_secret: str,
    verify_token: str,
    take: Callable[[Webhook], None],
) -> None:
    """The GET check and the POST of the web-hook at `path`; `take` starts handling what a
    signed POST carried (it must not wait: Meta is waiting for the 200)."""

    async def verify(request: web.Request) -> web.Response:
        query = request.query
        given = query.get("hub.verify_token", "")
        if query.get("hub.mode") == "subscribe" and hmac.compare_digest(
            given.encode(), verify_token.encode()
        ):
            return web.Response(text=query.get("hub.challenge", ""))
        log.warning("WhatsApp web-hook check refused: wrong hub.verify_token or mode")
        return web.Response(status=403, text="Forbidden")

    async def receive(request: web.Request) -> web.Response:
        body = await read_body(request)
        if body is None:
            return web.Response(status=413, text="Payload Too Large")
        header = request.headers.get(SIGNATURE_HEADER, "")
        if not header or not signed_by(body, header, app_secret):
            log.warning(
                "WhatsApp web-hook call refused: %s", "wrong signature" if header else "unsigned"
            )
            return web.Response(status=401, text="Unauthorized")
        try:
            parsed = json.loads(body)
        except ValueError as error:  # signed by Meta, so not an attack: it would redeliver
            log.warning("WhatsApp web-hook body is not JSON (%s): ignored", error)
            return web.Response(text="ignored")
        try:
            take(read_webhook(parsed))
        except Exception:  # never make Meta redeliver what we cannot read
            log.exception("a WhatsApp web-hook body could not be taken")
        return web.Response(text="EVENT_RECEIVED")

    app.router.add_get(path, verify)
    app.router.add_post(path, receive)

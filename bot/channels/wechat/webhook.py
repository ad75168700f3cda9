"""The WeChat server URL (服务器地址) on the runtime's shared web server (WECHAT_WEBHOOK_PATH).

GET is WeChat's check of the URL: a right `signature` is answered with `echostr`. POST carries
a message or event as XML, in plaintext or, in safe mode (`encrypt_type=aes`), encrypted with its
own `msg_signature`. Each call is refused before anything is parsed unless its `signature` is
right and its timestamp recent (403); a body over 1 MB is refused (413) before it is read. A
signed call is WeChat's, so anything wrong inside it (malformed XML, a DTD, a message that does
not decrypt) is answered "success" and logged: another answer only makes WeChat retry it in
vain, three times. WeChat waits 5 seconds for the answer, so the message is given to `take` and
answered at once; the channel handles it after. A message or event seen lately (WeChat's retries,
a replayed call) is not given again.
"""

from __future__ import annotations

import logging
import time
from collections import OrderedDict
from collections.abc import Callable, Mapping

from aiohttp import web

from bot.channels.webhooks import MAX_BODY, read_body
from bot.channels.wechat.convert import Inbound, TemplateReport, Unfollowed, read_message
from bot.channels.wechat.crypto import (
    MessageCipher,
    SafeModeError,
    fresh,
    message_signature,
    same_signature,
    url_signature,
)
from bot.channels.wechat.xml import ENVELOPE_LIMIT, BadXml, parse_xml

log = logging.getLogger(__name__)
# WeChat's calls are a few kilobytes: more is not WeChat.
REMEMBERED = 10_000  # update refs kept to recognise retries and replays
SUCCESS = "success"  # what WeChat wants back when the account sends no passive reply

Taken = Inbound | Unfollowed | TemplateReport


class _NoKey(Exception):
    """Safe mode without an EncodingAESKey."""


class RecentRefs:
    """The update refs of the last REMEMBERED messages taken, oldest forgotten first."""

    def __init__(self, size: int = REMEMBERED) -> None:
        self.size = size
        self._refs: OrderedDict[str, None] = OrderedDict()

    def first_time(self, ref: str) -> bool:
        """Whether `ref` is new (and remember it); an empty ref is always new."""
        if not ref:
            return True
        if ref in self._refs:
            self._refs.move_to_end(ref)
            return False
        self._refs[ref] = None
        if len(self._refs) > self.size:
            self._refs.popitem(last=False)
        return True

    def clear(self) -> None:
        self._refs.clear()


def update_ref_of(taken: Taken) -> str:
    return taken.incoming.update_ref if isinstance(taken, Inbound) else taken.update_ref


def _signed(query: Mapping[str, str], token: str, now: float) -> bool:
    """Whether the call's `signature` is the Token's and its timestamp recent (logged if not)."""
    timestamp, nonce = query.get("timestamp", ""), query.get("nonce", "")
    given = query.get("signature", "")
    if not given or not same_signature(given, url_signature(token, timestamp, nonce)):
        log.warning("WeChat call refused: %s", "wrong signature" if given else "unsigned")
        return False
    if not fresh(timestamp, now):
        log.warning(
            "WeChat call refused: its timestamp %r is over 5 minutes from this server's clock "
            "(a replay, or the clock is wrong)",
            timestamp[:20],
        )
        return False
    return True


def add_webhook_routes(
    app: web.Application,
    path: str,
    *,
    token: str,
    take: Callable[[Taken], None],
    app_id: str = "",
    encoding_aes_key: str = "",
    clock: Callable[[], float] = time.time,
    recent: RecentRefs | None = None,
) -> RecentRefs:
    """The GET check and the POST of the server URL at `path`. `take` starts handling a
    message (it must not wait: WeChat is waiting for the answer). Safe mode needs the
    EncodingAESKey and the AppID (ValueError for a key that is not 43 base64 characters).
    Returns the refs it remembers (a channel's tests may clear them)."""
    cipher = MessageCipher(encoding_aes_key, app_id) if encoding_aes_key else None
    remembered = recent if recent is not None else RecentRefs()

    async def check(request: web.Request) -> web.Response:
        if not _signed(request.query, token, clock()):
            return web.Response(status=403, text="Forbidden")
        return web.Response(text=request.query.get("echostr", ""))

    async def receive(request: web.Request) -> web.Response:
        query = request.query
        if (request.content_length or 0) > MAX_BODY:
            return web.Response(status=413, text="Payload Too Large")
        if not _signed(query, token, clock()):
            return web.Response(status=403, text="Forbidden")
        body = await read_body(request)
        if body is None:
            return web.Response(status=413, text="Payload Too Large")
        try:
            if query.get("encrypt_type", "raw").lower() == "aes":
                xml = _opened(query, body, token, cipher)
                if xml is None:
                    return web.Response(status=403, text="Forbidden")
            else:
                xml = body
            taken = read_message(parse_xml(xml))
        except (BadXml, SafeModeError) as error:  # WeChat's, signed: a retry would not help
            log.warning("a WeChat message could not be read (%s): ignored", error)
            return web.Response(text=SUCCESS)
        except _NoKey:
            log.error(
                "a WeChat message came in safe mode, but WECHAT_ENCODING_AES_KEY is not set: "
                "set it (and WECHAT_APP_ID), or choose plaintext mode in the server settings"
            )
            return web.Response(text=SUCCESS)
        if taken is None:
            return web.Response(text=SUCCESS)
        if not remembered.first_time(update_ref_of(taken)):
            log.info("a WeChat message seen lately came again: ignored")
            return web.Response(text=SUCCESS)
        try:
            take(taken)
        except Exception:  # never make WeChat retry what we cannot take
            log.exception("a WeChat message could not be taken")
        return web.Response(text=SUCCESS)

    app.router.add_get(path, check)
    app.router.add_post(path, receive)
    return remembered


def _opened(
    query: Mapping[str, str], body: bytes, token: str, cipher: MessageCipher | None
) -> bytes | None:
    """The XML inside a safe-mode envelope; None when its `msg_signature` is wrong. BadXml or
    SafeModeError when the envelope or what it holds is not a message; _NoKey without a key."""
    envelope = parse_xml(body, limit=ENVELOPE_LIMIT)
    if not envelope.encrypt:
        raise BadXml("a safe-mode envelope without Encrypt")
    expected = message_signature(
        token, query.get("timestamp", ""), query.get("nonce", ""), envelope.encrypt
    )
    given = query.get("msg_signature", "")
    if not given or not same_signature(given, expected):
        log.warning("WeChat message refused: %s msg_signature", "wrong" if given else "no")
        return None
    if cipher is None:
        raise _NoKey
    return cipher.decrypt(envelope.encrypt)

"""WeChat's side of the server URL: builds the XML WeChat posts (messages and events), signs it,
encrypts it in safe mode, and posts it over real HTTP; also what an attacker or a broken proxy
sends (a wrong signature, a replay, 5 MB, malformed XML, an XML bomb).

The signing and the encryption are written here again from WeChat's description, not imported
from `bot.channels.wechat.crypto`, so a test through the poster also checks that module against
a second implementation.
"""

from __future__ import annotations

import base64
import hashlib
import itertools
import os
import struct
import time
from collections.abc import AsyncIterator, Callable
from dataclasses import dataclass
from types import TracebackType
from typing import Literal, Self
from urllib.parse import urlencode

import aiohttp
from cryptography.hazmat.primitives.ciphers import Cipher, algorithms, modes

Signing = Literal["good", "bad", "none"]
ACCOUNT = "gh_5a1b2c3d4e5f"  # the account's original id, WeChat's ToUserName
MB = 1024 * 1024


@dataclass(frozen=True)
class Answer:
    status: int
    text: str


def sha1_of(*parts: str) -> str:
    return hashlib.sha1("".join(sorted(parts)).encode()).hexdigest()


def cdata(text: str) -> str:
    """`text` as CDATA; a "]]>" inside is split over two sections, as XML requires."""
    return "<![CDATA[" + text.replace("]]>", "]]]]><![CDATA[>") + "]]>"


def xml_of(fields: dict[str, str | int]) -> bytes:
    """WeChat's flat `<xml>`: numbers bare, text in CDATA."""
    inner = "".join(
        f"<{name}>{value if isinstance(value, int) else cdata(value)}</{name}>"
        for name, value in fields.items()
    )
    return f"<xml>{inner}</xml>".encode()


def seal(xml: bytes, encoding_aes_key: str, app_id: str) -> str:
    """`xml` encrypted as WeChat's safe mode does (the `Encrypt` text)."""
    key = base64.b64decode(encoding_aes_key + "=")
    plain = os.urandom(16) + struct.pack(">I", len(xml)) + xml + app_id.encode()
    amount = 32 - len(plain) % 32
    plain += bytes([amount]) * amount
    encryptor = Cipher(algorithms.AES(key), modes.CBC(key[:16])).encryptor()
    return base64.b64encode(encryptor.update(plain) + encryptor.finalize()).decode()


def bomb() -> bytes:
    """The "billion laughs": ten levels of entities, each ten of the one below."""
    lines = ['<!ENTITY lol0 "lol">']
    for level in range(1, 10):
        lines.append(f'<!ENTITY lol{level} "{f"&lol{level - 1};" * 10}">')
    dtd = "".join(lines)
    return (
        f'<?xml version="1.0"?><!DOCTYPE xml [{dtd}]>'
        "<xml><FromUserName>o_bomb</FromUserName><MsgType>text</MsgType>"
        "<Content>&lol9;</Content><MsgId>1</MsgId></xml>"
    ).encode()


def external_entity() -> bytes:
    """A message that asks the parser to read a file of the server into its text."""
    return (
        b'<?xml version="1.0"?><!DOCTYPE xml [<!ENTITY secret SYSTEM "file:///etc/passwd">]>'
        b"<xml><FromUserName>o_xxe</FromUserName><MsgType>text</MsgType>"
        b"<Content>&secret;</Content><MsgId>2</MsgId></xml>"
    )


MALFORMED = b"<xml><FromUserName><![CDATA[o_broken]]></FromUserName><MsgType>text</Msg"


class WeChatPoster:
    """Posts to the server URL at `url` as WeChat does for the account with `token` (and, for
    safe mode, `encoding_aes_key` and `app_id`). Use as an async context manager."""

    def __init__(
        self,
        url: str,
        *,
        token: str,
        app_id: str = "",
        encoding_aes_key: str = "",
        clock: Callable[[], float] = time.time,
    ) -> None:
        self.url = url
        self.token = token
        self.app_id = app_id
        self.encoding_aes_key = encoding_aes_key
        self.clock = clock
        self._ids = itertools.count(24_600_000_000_000_001)
        self._nonces = itertools.count(381_000_001)
        self._client: aiohttp.ClientSession | None = None

    async def __aenter__(self) -> Self:
        self._client = aiohttp.ClientSession()
        return self

    async def __aexit__(
        self,
        exc_type: type[BaseException] | None,
        exc: BaseException | None,
        tb: TracebackType | None,
    ) -> None:
        if self._client is not None:
            await self._client.close()

    # What WeChat posts.

    def message(self, openid: str, msg_type: str, **fields: str | int) -> bytes:
        """A message of `msg_type` from `openid` with its own MsgId; `fields` are WeChat's
        elements by name (Content="...", MediaId="...")."""
        head: dict[str, str | int] = {
            "ToUserName": ACCOUNT,
            "FromUserName": openid,
            "CreateTime": int(self.clock()),
            "MsgType": msg_type,
        }
        return xml_of({**head, **fields, "MsgId": fields.get("MsgId", next(self._ids))})

    def text(self, openid: str, content: str, *, menu_id: str | None = None) -> bytes:
        """A text; `menu_id`: sent by tapping a weixin://bizmsgmenu link with that id."""
        extra: dict[str, str | int] = {} if menu_id is None else {"bizmsgmenuid": menu_id}
        return self.message(openid, "text", Content=content, **extra)

    def voice(
        self, openid: str, media_id: str, *, recognition: str = "", format: str = "amr"
    ) -> bytes:
        """A voice note (AMR, or `format`: "speex"); `recognition`: WeChat's own transcript,
        which must be ignored."""
        extra: dict[str, str | int] = {"Recognition": recognition} if recognition else {}
        return self.message(openid, "voice", MediaId=media_id, Format=format, **extra)

    def image(self, openid: str, media_id: str) -> bytes:
        url = f"http://mmbiz.qpic.cn/mmbiz_jpg/{media_id}/0"
        return self.message(openid, "image", PicUrl=url, MediaId=media_id)

    def event(self, openid: str, event: str, key: str = "", *, ticket: str = "") -> bytes:
        """An event (subscribe, unsubscribe, SCAN, CLICK, VIEW...): no MsgId."""
        fields: dict[str, str | int] = {
            "ToUserName": ACCOUNT,
            "FromUserName": openid,
            "CreateTime": int(self.clock()),
            "MsgType": "event",
            "Event": event,
        }
        if key:
            fields["EventKey"] = key
        if ticket:
            fields["Ticket"] = ticket
        return xml_of(fields)

    def template_finished(self, openid: str, msgid: int | str, status: str = "success") -> bytes:
        """TEMPLATESENDJOBFINISH: what became of the template `msgid` sent to `openid`; WeChat's
        statuses are "success", "failed:user block" and "failed: system failed"."""
        fields: dict[str, str | int] = {
            "ToUserName": ACCOUNT,
            "FromUserName": openid,
            "CreateTime": int(self.clock()),
            "MsgType": "event",
            "Event": "TEMPLATESENDJOBFINISH",
            "MsgID": int(msgid),
            "Status": status,
        }
        return xml_of(fields)

    # How it posts.

    def query(
        self, *, signing: Signing = "good", timestamp: int | None = None, nonce: str = ""
    ) -> dict[str, str]:
        """The query of a call: timestamp, nonce and, signed well or badly, signature."""
        stamp = str(int(self.clock()) if timestamp is None else timestamp)
        once = nonce or str(next(self._nonces))
        query = {"timestamp": stamp, "nonce": once}
        if signing != "none":
            token = self.token if signing == "good" else self.token + "-wrong"
            query["signature"] = sha1_of(token, stamp, once)
        return query

    def envelope(
        self,
        xml: bytes,
        query: dict[str, str],
        *,
        signing: Signing = "good",
        app_id: str | None = None,
    ) -> bytes:
        """`xml` in safe mode's envelope; adds encrypt_type and msg_signature to `query`.
        `app_id`: encrypt for another account."""
        encrypt = seal(xml, self.encoding_aes_key, self.app_id if app_id is None else app_id)
        query["encrypt_type"] = "aes"
        query["openid"] = "o_not_read"
        if signing != "none":
            token = self.token if signing == "good" else self.token + "-wrong"
            query["msg_signature"] = sha1_of(token, query["timestamp"], query["nonce"], encrypt)
        return xml_of({"ToUserName": ACCOUNT, "Encrypt": encrypt})

    async def post(
        self,
        xml: bytes,
        *,
        safe: bool = False,
        signing: Signing = "good",
        msg_signing: Signing = "good",
        timestamp: int | None = None,
        nonce: str = "",
        app_id: str | None = None,
        chunked: bool = False,
    ) -> Answer:
        """POST `xml` as WeChat would (in safe mode with `safe`), signed as asked; `chunked`
        sends the body without a Content-Length, in pieces."""
        query = self.query(signing=signing, timestamp=timestamp, nonce=nonce)
        body = self.envelope(xml, query, signing=msg_signing, app_id=app_id) if safe else xml
        return await self.post_raw(body, query, chunked=chunked)

    async def post_raw(
        self, body: bytes, query: dict[str, str], *, chunked: bool = False
    ) -> Answer:
        assert self._client is not None, "use the poster as an async context manager"
        data: bytes | AsyncIterator[bytes] = _pieces(body) if chunked else body
        target = f"{self.url}?{urlencode(query)}"
        headers = {"Content-Type": "text/xml"}
        async with self._client.post(target, data=data, headers=headers) as response:
            return Answer(response.status, await response.text())

    async def check_url(
        self, echostr: str, *, signing: Signing = "good", timestamp: int | None = None
    ) -> Answer:
        """WeChat's GET when the server URL is saved in the account's settings."""
        assert self._client is not None, "use the poster as an async context manager"
        query = self.query(signing=signing, timestamp=timestamp) | {"echostr": echostr}
        async with self._client.get(self.url, params=query) as response:
            return Answer(response.status, await response.text())


async def _pieces(body: bytes, size: int = 64 * 1024) -> AsyncIterator[bytes]:
    for start in range(0, len(body), size):
        yield body[start : start + size]

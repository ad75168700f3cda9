"""A fake of WeChat's official-account API (api.weixin.qq.com) for end-to-end tests.

The client talks to it over HTTP on 127.0.0.1 (WECHAT_API_URL = `fake.base_url`)::

    async with FakeWeChatAPI() as fake:
        fake.person_wrote("oAna")  # Ana wrote to the account: 5 messages in 48 hours
        ... the bot sends ...
        [hello] = fake.messages("oAna")

What it does as WeChat does: an access token lives 7200 s and fetching a new one invalidates the
previous one (40001; an expired one 42001; an unknown one 40014); customer-service messages
(text ≤ 2048 bytes, image, msgmenu ≤ 10 items, news, link) are recorded and held to the reply
window: at most 5 in the
48 hours after a person's last message, 3 in the minute after a menu click, a follow or a QR scan
(45015 outside the window, 45047 when spent); template messages (each field ≤ 20 characters,
else 47003; a link of http(s) and ≤ 1024 bytes, else 40066), typing, media upload and
download, the custom menu (WeChat's limits) and parametric QR codes. Scripted failures:
`fail_next` (a code, an HTTP 5xx, per openid), `slow_next`, `unfollow`; an account that is not
verified (`verified=False`) is refused menu messages (48001). Every error is HTTP 200 with
`{"errcode": N, "errmsg": "..."}`.

Tapping: `Sent.taps` are the (content, id) a person can tap in a message (its
`weixin://bizmsgmenu` links, or a menu's items); WeChat then posts a text of the content with
the id as `bizmsgmenuid` (tests/fakes/wechat_poster.py, `text(..., menu_id=...)`).
The clock (`fake.clock`, seconds) is replaceable, so tests move time without sleeping.
"""

from __future__ import annotations

import asyncio
import html
import itertools
import json
import re
import time
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any
from urllib.parse import parse_qs

from aiohttp import web

from .server import LocalServer

__all__ = ["ERRORS", "FakeWeChatAPI", "Sent", "Template"]

JsonDict = dict[str, Any]

# WeChat's error codes the fake answers, with their errmsg.
ERRORS: dict[int, str] = {
    -1: "system error",
    40002: "invalid grant_type",
    40004: "invalid media type",
    40001: "invalid credential, access_token is invalid or not latest",
    40003: "invalid openid",
    40007: "invalid media_id",
    40013: "invalid appid",
    40014: "invalid access_token",
    40016: "invalid button size",
    40017: "invalid button type",
    40018: "invalid button name size",
    40019: "invalid button key size",
    40020: "invalid button url size",
    40023: "invalid sub button size",
    40025: "invalid sub button name size",
    40026: "invalid sub button key size",
    40027: "invalid sub button url size",
    40037: "invalid template_id",
    40053: "invalid action_info, please check document",
    40066: "invalid url",
    40125: "invalid appsecret",
    40164: "invalid ip, not in whitelist",
    41001: "access_token missing",
    41005: "media data missing",
    42001: "access_token expired",
    43004: "require subscribe",
    44002: "empty post data",
    45002: "content size out of limit",
    45015: "response out of time limit or subscription is canceled",
    45047: "out of response count limit",
    47001: "data format error",
    47003: "argument invalid!",
    48001: "api unauthorized",
}
TOKEN_LIFETIME = 7200
MESSAGE_WINDOW = 48 * 3600.0  # after a person's message
MESSAGE_QUOTA = 5
EVENT_WINDOW = 60.0  # after a menu click, a follow, a QR scan
EVENT_QUOTA = 3
TEMPLATE_FIELD_LIMIT = 20
TEXT_BYTES = 2048  # a customer-service text, UTF-8
MENU_ITEMS = 10  # a msgmenu's items
TOP_BUTTONS, SUB_BUTTONS = 3, 5
TOP_NAME_BYTES, SUB_NAME_BYTES = 16, 60
KEY_BYTES, URL_BYTES = 128, 1024
SCENE_STR_LIMIT = 64
QR_TEMPORARY_MAX = 30 * 24 * 3600
SEND_TYPES = frozenset({"text", "image", "voice", "msgmenu", "news", "link", "mpnews"})
EVENT_KINDS = frozenset({"click", "subscribe", "scan", "view"})
SAMPLE_PNG = b"\x89PNG\r\n\x1a\nfake-qr-code"
SAMPLE_AMR = b"#!AMR\nfake-voice-note"
# A tappable line in a text: <a href="weixin://bizmsgmenu?msgmenucontent=...&msgmenuid=...">
LINK = re.compile(r'<a href="weixin://bizmsgmenu\?([^"]*)">(.*?)</a>', re.DOTALL)


class WeChatError(Exception):
    """An error answer, in WeChat's shape."""

    def __init__(self, errcode: int, errmsg: str | None = None) -> None:
        self.errcode = errcode
        self.errmsg = errmsg or ERRORS.get(errcode, "error")
        super().__init__(f"{errcode}: {self.errmsg}")

    def response(self) -> web.Response:
        body = {"errcode": self.errcode, "errmsg": f"{self.errmsg} rid: fake-rid"}
        return web.json_response(body)


@dataclass
class Sent:
    """One customer-service message the fake accepted."""

    openid: str
    msgtype: str
    body: JsonDict
    at: float

    @property
    def payload(self) -> JsonDict:
        part = self.body.get(self.msgtype)
        return part if isinstance(part, dict) else {}

    @property
    def text(self) -> str:
        """What a person reads: the text, or a menu's head, items and tail one a line."""
        if self.msgtype == "text":  # a link reads as its words
            content = str(self.payload.get("content", ""))
            return LINK.sub(lambda link: html.unescape(link.group(2)), content)
        if self.msgtype == "msgmenu":
            lines = [str(self.payload.get("head_content", ""))]
            lines += [str(item.get("content", "")) for item in self.payload.get("list", [])]
            lines.append(str(self.payload.get("tail_content", "")))
            return "\n".join(line for line in lines if line)
        if self.msgtype in ("news", "link"):
            articles = self.payload.get("articles") or [self.payload]
            return str(articles[0].get("title", ""))
        return ""

    @property
    def taps(self) -> list[tuple[str, str]]:
        """What a person can tap: (content WeChat posts back, bizmsgmenuid) per link of a text
        or item of a menu, in order."""
        if self.msgtype == "msgmenu":
            return [(content, item_id) for item_id, content in self.menu]
        found = []
        for link in LINK.finditer(str(self.payload.get("content", ""))):
            query = parse_qs(link.group(1))
            found.append((query["msgmenucontent"][0], query["msgmenuid"][0]))
        return found

    def tap(self, words: str) -> tuple[str, str]:
        """The (content, id) of the link or item that reads `words` (a menu item "2 words")."""
        for content, item_id in self.taps:
            number, _, rest = content.partition(" ")
            if content == words or (number.isdigit() and rest == words):
                return content, item_id
        raise AssertionError(f"nothing to tap reads {words!r} in {self.text!r}")

    @property
    def menu(self) -> list[tuple[str, str]]:
        """A msgmenu's items as (id, content)."""
        if self.msgtype != "msgmenu":
            return []
        return [(str(i.get("id", "")), str(i.get("content", ""))) for i in self.payload["list"]]

    @property
    def media_id(self) -> str:
        return str(self.payload.get("media_id", ""))


@dataclass
class Template:
    """One template message the fake accepted."""

    msgid: int
    openid: str
    template_id: str
    data: dict[str, str]
    url: str | None
    miniprogram: JsonDict | None
    body: JsonDict
    at: float


@dataclass
class Media:
    media_id: str
    content: bytes
    content_type: str
    filename: str = ""


@dataclass
class QRCode:
    ticket: str
    scene: str
    permanent: bool
    expire_seconds: int | None
    url: str


@dataclass
class _Grant:
    """What one interaction of a person allows: `quota` messages until `until`."""

    until: float
    quota: int
    used: int = 0


@dataclass
class _Person:
    after_message: _Grant | None = None
    after_event: _Grant | None = None
    following: bool = True


@dataclass
class _Failure:
    errcode: int | None  # None: an HTTP `status` without WeChat's body
    openid: str | None
    remaining: int
    status: int = 200
    path: str | None = None


@dataclass
class _Token:
    value: str
    expires_at: float


class FakeWeChatAPI(LocalServer):
    """In-process fake of the part of api.weixin.qq.com the bot uses."""

    def __init__(
        self,
        *,
        app_id: str = "wx5fakeappid0001",
        secret: str = "fake-secret",
        verified: bool = True,
    ) -> None:
        self.app_id = app_id
        self.secret = secret
        self.verified = verified  # a verified service account: menu messages are allowed
        self.base_url = ""
        self.clock: Callable[[], float] = time.time  # replaceable: tests move time
        self.token_fetches = 0
        self.sent: list[Sent] = []
        self.templates: list[Template] = []
        self.typing: list[tuple[str, str]] = []  # (openid, "Typing" | "CancelTyping")
        self.media: dict[str, Media] = {}
        self.menu: JsonDict | None = None  # the last custom menu created
        self.qrcodes: dict[str, QRCode] = {}
        self.errors_answered: list[tuple[str, str, int]] = []  # (path, openid, errcode)
        self.template_ids: set[str] | None = None  # None: every template id is known
        self._token: _Token | None = None
        self._people: dict[str, _Person] = {}
        self._failures: list[_Failure] = []
        self._slow: list[float] = []
        self._ids = itertools.count(1)
        self._changed = asyncio.Condition()

    # --- lifecycle ------------------------------------------------------------------------

    def make_app(self) -> web.Application:
        self._changed = asyncio.Condition()
        app = web.Application(client_max_size=20 * 1024 * 1024)
        app.middlewares.append(self._scripted_middleware)
        routes = [
            ("GET", "/cgi-bin/token", self._token_endpoint),
            ("POST", "/cgi-bin/message/custom/send", self._custom_send),
            ("POST", "/cgi-bin/message/custom/typing", self._typing),
            ("POST", "/cgi-bin/message/template/send", self._template_send),
            ("POST", "/cgi-bin/media/upload", self._upload),
            ("GET", "/cgi-bin/media/get", self._media_get),
            ("POST", "/cgi-bin/menu/create", self._menu_create),
            ("POST", "/cgi-bin/qrcode/create", self._qr_create),
            ("GET", "/cgi-bin/showqrcode", self._show_qr),
        ]
        for method, path, handler in routes:
            app.router.add_route(method, path, handler)
        return app

    # --- what tests use -------------------------------------------------------------------

    @property
    def token(self) -> str | None:
        """The one valid access token (None before the first fetch)."""
        return self._token.value if self._token else None

    def revoke_token(self) -> None:
        """Invalidate the current token as a fetch elsewhere would (calls with it: 40001)."""
        if self._token is not None:
            self._token = _Token(f"revoked-{self._token.value}", self._token.expires_at)

    def expire_token(self) -> None:
        """Let the current token's 7200 s run out (calls with it: 42001)."""
        if self._token is not None:
            self._token.expires_at = self.clock() - 1

    def person_wrote(self, openid: str, kind: str = "text") -> None:
        """`openid` wrote to the account: a message (any `kind` but an event) allows 5 messages
        in 48 hours; an event ("click", "subscribe", "scan", "view") 3 in one minute. A new
        interaction of the same sort starts its allowance again."""
        person = self._person(openid)
        now = self.clock()
        if kind in EVENT_KINDS:
            person.after_event = _Grant(now + EVENT_WINDOW, EVENT_QUOTA)
        else:
            person.after_message = _Grant(now + MESSAGE_WINDOW, MESSAGE_QUOTA)
        if kind == "subscribe":
            person.following = True

    def unfollow(self, openid: str) -> None:
        """`openid` unfollowed the account: every message to them answers 43004."""
        self._person(openid).following = False

    def messages(self, openid: str) -> list[Sent]:
        return [sent for sent in self.sent if sent.openid == openid]

    def templates_to(self, openid: str) -> list[Template]:
        return [sent for sent in self.templates if sent.openid == openid]

    def add_media(self, content: bytes, content_type: str, filename: str = "") -> Media:
        """Media WeChat holds (e.g. a voice note a person sent: AMR bytes)."""
        media = Media(f"MEDIA_{next(self._ids):08d}_fake", content, content_type, filename)
        self.media[media.media_id] = media
        return media

    def fail_next(
        self,
        errcode: int | None,
        *,
        times: int = 1,
        openid: str | None = None,
        status: int = 200,
        path: str | None = None,
    ) -> None:
        """The next `times` calls (to `openid`; to `path`, e.g. "/cgi-bin/message/custom/send";
        else any call but the token's) answer WeChat's `errcode`, or, with `errcode` None, HTTP
        `status` (e.g. 502) with no WeChat body."""
        self._failures.append(_Failure(errcode, openid, times, status, path))

    def slow_next(self, seconds: float, *, times: int = 1) -> None:
        """The next `times` calls (any but the token's) answer after `seconds`."""
        self._slow.extend([seconds] * times)

    def count_errors(self, errcode: int) -> int:
        return sum(1 for *_, answered in self.errors_answered if answered == errcode)

    async def wait_for(self, predicate: Callable[[], bool], seconds: float) -> None:
        async with self._changed, asyncio.timeout(seconds):
            await self._changed.wait_for(predicate)

    # --- the API --------------------------------------------------------------------------

    def _person(self, openid: str) -> _Person:
        return self._people.setdefault(openid, _Person())

    @web.middleware
    async def _scripted_middleware(
        self, request: web.Request, handler: Callable[[web.Request], Any]
    ) -> web.StreamResponse:
        if request.path == "/cgi-bin/token":
            response: web.StreamResponse = await handler(request)
            return response
        if self._slow:
            await asyncio.sleep(self._slow.pop(0))
        try:
            self._check_token(request)
        except WeChatError as error:
            return self._refuse(request, "", error)
        response = await handler(request)
        return response

    def _scripted(self, request: web.Request, openid: str) -> web.Response | None:
        """A scripted failure for this call, answered and used up; None when none applies."""
        for rule in self._failures:
            if rule.openid not in (None, openid) or rule.path not in (None, request.path):
                continue
            rule.remaining -= 1
            self._failures = [r for r in self._failures if r.remaining > 0]
            if rule.errcode is None:
                self.errors_answered.append((request.path, openid, rule.status))
                return web.Response(status=rule.status, text="Bad Gateway")
            return self._refuse(request, openid, WeChatError(rule.errcode))
        return None

    def _refuse(self, request: web.Request, openid: str, error: WeChatError) -> web.Response:
        self.errors_answered.append((request.path, openid, error.errcode))
        return error.response()

    def _check_token(self, request: web.Request) -> None:
        if request.path == "/cgi-bin/showqrcode":  # opened by ticket, as on mp.weixin.qq.com
            return
        given = request.query.get("access_token")
        if not given:
            raise WeChatError(41001)
        token = self._token
        if token is not None and given == token.value:
            if self.clock() >= token.expires_at:
                raise WeChatError(42001)
            return
        if given.startswith("fake-token-"):  # one we issued before the current one
            raise WeChatError(40001)
        raise WeChatError(40014)

    async def _token_endpoint(self, request: web.Request) -> web.Response:
        query = request.query
        if query.get("grant_type") != "client_credential":
            return self._refuse(request, "", WeChatError(40002))
        if query.get("appid") != self.app_id:
            return self._refuse(request, "", WeChatError(40013))
        if query.get("secret") != self.secret:
            return self._refuse(request, "", WeChatError(40125))
        self.token_fetches += 1
        value = f"fake-token-{self.token_fetches:04d}-{next(self._ids)}"
        self._token = _Token(value, self.clock() + TOKEN_LIFETIME)
        return web.json_response({"access_token": value, "expires_in": TOKEN_LIFETIME})

    @staticmethod
    async def _json(request: web.Request) -> JsonDict:
        raw = await request.read()
        if not raw:
            raise WeChatError(44002)
        try:
            body = json.loads(raw)
        except ValueError:
            raise WeChatError(47001) from None
        if not isinstance(body, dict):
            raise WeChatError(47001)
        return body

    async def _custom_send(self, request: web.Request) -> web.Response:
        openid = ""
        try:
            body = await self._json(request)
            openid = str(body.get("touser", ""))
            if (scripted := self._scripted(request, openid)) is not None:
                return scripted
            msgtype = str(body.get("msgtype", ""))
            self._check_message(msgtype, body)
            self._take_slot(openid)
        except WeChatError as error:
            return self._refuse(request, openid, error)
        self.sent.append(Sent(openid, msgtype, body, self.clock()))
        await self._notify()
        return web.json_response({"errcode": 0, "errmsg": "ok"})

    def _check_message(self, msgtype: str, body: JsonDict) -> None:
        if not body.get("touser"):
            raise WeChatError(40003)
        part = body.get(msgtype)
        if msgtype not in SEND_TYPES or not isinstance(part, dict):
            raise WeChatError(47001)
        if msgtype == "text" and not str(part.get("content", "")):
            raise WeChatError(44002, "empty content")
        if msgtype == "text" and len(str(part["content"]).encode()) > TEXT_BYTES:
            raise WeChatError(45002)
        if msgtype in ("image", "voice") and str(part.get("media_id", "")) not in self.media:
            raise WeChatError(40007)
        if msgtype == "msgmenu":
            if not self.verified:
                raise WeChatError(48001)
            items = part.get("list")
            if not isinstance(items, list) or not 0 < len(items) <= MENU_ITEMS:
                raise WeChatError(47001, "msgmenu list takes 1 to 10 items")
            if any(
                not isinstance(i, dict) or not i.get("id") or not i.get("content") for i in items
            ):
                raise WeChatError(47001, "msgmenu item needs id and content")
        if msgtype == "news":
            articles = part.get("articles")
            if not isinstance(articles, list) or len(articles) != 1:
                raise WeChatError(47001, "news takes exactly one article")

    def _take_slot(self, openid: str) -> None:
        """Spend one message of the person's allowance: the minute after an event first, then
        the 48 hours after their last message."""
        person = self._person(openid)
        if not person.following:
            raise WeChatError(43004)
        now = self.clock()
        live = [g for g in (person.after_event, person.after_message) if g and now < g.until]
        for grant in live:
            if grant.used < grant.quota:
                grant.used += 1
                return
        raise WeChatError(45047 if live else 45015)

    async def _typing(self, request: web.Request) -> web.Response:
        openid = ""
        try:
            body = await self._json(request)
            openid = str(body.get("touser", ""))
            if (scripted := self._scripted(request, openid)) is not None:
                return scripted
            command = str(body.get("command", ""))
            if command not in ("Typing", "CancelTyping"):
                raise WeChatError(47001, "command must be Typing or CancelTyping")
            person = self._person(openid)
            now = self.clock()
            if not person.following:
                raise WeChatError(43004)
            grants = (person.after_event, person.after_message)
            if not any(g and now < g.until for g in grants):
                raise WeChatError(45015)
        except WeChatError as error:
            return self._refuse(request, openid, error)
        self.typing.append((openid, command))
        await self._notify()
        return web.json_response({"errcode": 0, "errmsg": "ok"})

    async def _template_send(self, request: web.Request) -> web.Response:
        openid = ""
        try:
            body = await self._json(request)
            openid = str(body.get("touser", ""))
            if (scripted := self._scripted(request, openid)) is not None:
                return scripted
            if not openid:
                raise WeChatError(40003)
            template_id = str(body.get("template_id", ""))
            known = self.template_ids
            if not template_id or (known is not None and template_id not in known):
                raise WeChatError(40037)
            data = self._template_data(body.get("data"))
            self._check_template_url(body.get("url"))
            if not self._person(openid).following:
                raise WeChatError(43004)
        except WeChatError as error:
            return self._refuse(request, openid, error)
        url = body.get("url")
        miniprogram = body.get("miniprogram")
        template = Template(
            next(self._ids),
            openid,
            template_id,
            data,
            str(url) if url else None,
            miniprogram if isinstance(miniprogram, dict) else None,
            body,
            self.clock(),
        )
        self.templates.append(template)
        await self._notify()
        return web.json_response({"errcode": 0, "errmsg": "ok", "msgid": template.msgid})

    @staticmethod
    def _check_template_url(url: object) -> None:
        """A template's link, when given: a web address of at most 1,024 bytes."""
        if url in (None, ""):
            return
        text = str(url)
        if not text.startswith(("http://", "https://")) or len(text.encode()) > URL_BYTES:
            raise WeChatError(40066)

    @staticmethod
    def _template_data(data: object) -> dict[str, str]:
        if not isinstance(data, dict) or not data:
            raise WeChatError(47001, "data is required")
        values: dict[str, str] = {}
        for key, entry in data.items():
            if not isinstance(entry, dict) or "value" not in entry:
                raise WeChatError(47001, f"data.{key} needs a value")
            value = str(entry["value"])
            if len(value) > TEMPLATE_FIELD_LIMIT:
                raise WeChatError(47003, f"argument invalid! data.{key}.value exceeds limit")
            values[str(key)] = value
        return values

    async def _upload(self, request: web.Request) -> web.Response:
        if (scripted := self._scripted(request, "")) is not None:
            return scripted
        kind = request.query.get("type", "")
        if kind not in ("image", "voice", "video", "thumb"):
            return self._refuse(request, "", WeChatError(40004))
        form = await request.post()
        upload = form.get("media")
        if not isinstance(upload, web.FileField):
            return self._refuse(request, "", WeChatError(41005))
        content = upload.file.read()
        media = self.add_media(content, upload.content_type, upload.filename)
        created = int(self.clock())
        return web.json_response({"type": kind, "media_id": media.media_id, "created_at": created})

    async def _media_get(self, request: web.Request) -> web.Response:
        if (scripted := self._scripted(request, "")) is not None:
            return scripted
        media = self.media.get(request.query.get("media_id", ""))
        if media is None:
            return self._refuse(request, "", WeChatError(40007))
        disposition = f'attachment; filename="{media.filename or media.media_id}"'
        return web.Response(
            body=media.content,
            content_type=media.content_type,
            headers={"Content-disposition": disposition},
        )

    async def _menu_create(self, request: web.Request) -> web.Response:
        try:
            if (scripted := self._scripted(request, "")) is not None:
                return scripted
            body = await self._json(request)
            self._check_menu(body)
        except WeChatError as error:
            return self._refuse(request, "", error)
        self.menu = body
        return web.json_response({"errcode": 0, "errmsg": "ok"})

    @staticmethod
    def _check_menu(body: JsonDict) -> None:
        buttons = body.get("button")
        if not isinstance(buttons, list) or not 1 <= len(buttons) <= TOP_BUTTONS:
            raise WeChatError(40016)
        for button in buttons:
            if not isinstance(button, dict):
                raise WeChatError(47001)
            if not 0 < len(str(button.get("name", "")).encode()) <= TOP_NAME_BYTES:
                raise WeChatError(40018)
            subs = button.get("sub_button")
            if subs:
                if not isinstance(subs, list) or len(subs) > SUB_BUTTONS:
                    raise WeChatError(40023)
                for sub in subs:
                    if not 0 < len(str(sub.get("name", "")).encode()) <= SUB_NAME_BYTES:
                        raise WeChatError(40025)
                    _check_action(sub, key_error=40026, url_error=40027)
            else:
                _check_action(button, key_error=40019, url_error=40020)

    async def _qr_create(self, request: web.Request) -> web.Response:
        try:
            if (scripted := self._scripted(request, "")) is not None:
                return scripted
            body = await self._json(request)
            action = body.get("action_name")
            scene = (body.get("action_info") or {}).get("scene") or {}
            scene_str = str(scene.get("scene_str", ""))
            if action not in ("QR_LIMIT_STR_SCENE", "QR_STR_SCENE"):
                raise WeChatError(40053)
            if not 0 < len(scene_str) <= SCENE_STR_LIMIT:
                raise WeChatError(40053)
        except WeChatError as error:
            return self._refuse(request, "", error)
        permanent = action == "QR_LIMIT_STR_SCENE"
        expire: int | None = None
        if not permanent:
            expire = min(int(body.get("expire_seconds") or 60), QR_TEMPORARY_MAX)
        number = next(self._ids)
        ticket = f"gQH{number:06d}fakeTicket=="
        qr = QRCode(ticket, scene_str, permanent, expire, f"http://weixin.qq.com/q/fake{number}")
        self.qrcodes[ticket] = qr
        answer: JsonDict = {"ticket": ticket, "url": qr.url}
        if expire is not None:
            answer["expire_seconds"] = expire
        return web.json_response(answer)

    async def _show_qr(self, request: web.Request) -> web.Response:
        qr = self.qrcodes.get(request.query.get("ticket", ""))
        if qr is None:
            return web.Response(status=404)
        return web.Response(body=SAMPLE_PNG + qr.scene.encode(), content_type="image/png")

    async def _notify(self) -> None:
        async with self._changed:
            self._changed.notify_all()


def _check_action(button: JsonDict, *, key_error: int, url_error: int) -> None:
    """A clickable button: its type and what that type needs."""
    kind = button.get("type")
    if kind in ("click", "scancode_push", "scancode_waitmsg", "pic_sysphoto", "location_select"):
        if not 0 < len(str(button.get("key", "")).encode()) <= KEY_BYTES:
            raise WeChatError(key_error)
    elif kind == "view":
        if not 0 < len(str(button.get("url", "")).encode()) <= URL_BYTES:
            raise WeChatError(url_error)
    elif kind == "miniprogram":
        if not (button.get("appid") and button.get("pagepath") and button.get("url")):
            raise WeChatError(url_error)
    else:
        raise WeChatError(40017)

"""A fake of Meta's WhatsApp Cloud API (the Graph API) for end-to-end tests.

The channel talks to it over HTTP on 127.0.0.1 (WHATSAPP_API_URL = `fake.base_url`)::

    async with FakeGraph() as fake:
        fake.webhook_url = "http://127.0.0.1:8080/whatsapp"  # where our server listens
        ana = fake.user("MX.1001", "Ana", wa_id="5215550001001")
        await ana.send_text("hola")
        [welcome] = await ana.wait_messages()
        await ana.tap("Lección 1")

What the bot sends to `POST /v{version}/{phone_number_id}/messages` is recorded per recipient
and answered like Meta (a `wamid.` id per message); media can be uploaded, looked up and
downloaded; scripted errors (`fail_next`, `fail_for`, `slow_next`) and Meta's limits
(`enforce_limits`: 80 messages/s per number, the pair rate per person) answer Meta's error
bodies. Inbound messages and statuses are POSTed to `webhook_url` as Meta posts them: signed
with the app secret (X-Hub-Signature-256), or unsigned, wrongly signed, twice, or malformed.
"""

from __future__ import annotations

import asyncio
import hashlib
import hmac
import itertools
import json
import time
from collections import deque
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any, Literal

import aiohttp
from aiohttp import web

from .server import LocalServer

__all__ = ["ERRORS", "FakeGraph", "GraphUser", "Sent", "sign"]

JsonDict = dict[str, Any]
Signing = Literal["good", "none", "bad"]

# Meta's error codes the fake answers, with their HTTP status and message.
ERRORS: dict[int, tuple[int, str]] = {
    190: (401, "Invalid OAuth access token - Cannot parse access token"),
    100: (400, "(#100) Invalid parameter"),
    131000: (500, "Something went wrong"),
    131026: (400, "Message undeliverable"),
    131047: (
        400,
        "Re-engagement message: more than 24 hours have passed since the recipient last replied",
    ),
    131049: (
        400,
        "This message was not delivered to maintain healthy ecosystem engagement.",
    ),
    131050: (400, "The recipient has chosen to stop receiving marketing messages"),
    131056: (400, "(Business Account, Consumer Account) pair rate limit hit"),
    130429: (400, "Rate limit hit: Cloud API message throughput has been reached."),
    133010: (400, "Phone number not registered"),
}
TEXT_LIMIT = 4096
BODY_WITH_BUTTONS_LIMIT = 1024
BUTTON_TITLE_LIMIT = 20
ROW_TITLE_LIMIT = 24
ROW_DESCRIPTION_LIMIT = 72
SAMPLE_VOICE = b"OggS\x00fake-opus-voice-note"
SAMPLE_IMAGE = b"\xff\xd8\xff\xe0fake-jpeg"


def sign(body: bytes, secret: str) -> str:
    """The X-Hub-Signature-256 header Meta sends with `body`."""
    return "sha256=" + hmac.new(secret.encode(), body, hashlib.sha256).hexdigest()


class GraphError(Exception):
    """An error answer, in Meta's shape."""

    def __init__(self, code: int, message: str | None = None, status: int | None = None) -> None:
        default_status, default_message = ERRORS.get(code, (400, "Error"))
        self.code = code
        self.status = status or default_status
        self.message = message or default_message
        super().__init__(f"{self.code}: {self.message}")

    def body(self) -> JsonDict:
        return {
            "error": {
                "message": self.message,
                "type": "OAuthException",
                "code": self.code,
                "error_data": {"messaging_product": "whatsapp", "details": self.message},
                "fbtrace_id": "AfakeTrace",
            }
        }


@dataclass
class Sent:
    """One message the bot sent (as the fake accepted it)."""

    wamid: str
    to: str  # the BSUID (`recipient`) or the phone (`to`) it was addressed to
    type: str  # text, interactive, template, image, document, ...
    body: JsonDict  # the request's JSON
    at: float

    @property
    def payload(self) -> JsonDict:
        """The part named by `type` (the `text`, `interactive`, `image`... object)."""
        part = self.body.get(self.type)
        return part if isinstance(part, dict) else {}

    @property
    def interactive_type(self) -> str:
        return str(self.payload.get("type", "")) if self.type == "interactive" else ""

    @property
    def text(self) -> str:
        """What a person reads: the text, the interactive body, the caption ("" for none)."""
        part = self.payload
        if self.type == "text":
            return str(part.get("body", ""))
        if self.type == "interactive":
            return str(part.get("body", {}).get("text", ""))
        return str(part.get("caption", ""))

    @property
    def buttons(self) -> list[tuple[str, str]]:
        """The reply buttons as (title, id)."""
        if self.interactive_type != "button":
            return []
        return [
            (b["reply"]["title"], b["reply"]["id"])
            for b in self.payload.get("action", {}).get("buttons", [])
        ]

    @property
    def rows(self) -> list[JsonDict]:
        """The list rows (id, title, description) of an interactive list."""
        if self.interactive_type != "list":
            return []
        sections = self.payload.get("action", {}).get("sections", [])
        return [row for section in sections for row in section.get("rows", [])]

    @property
    def list_button(self) -> str:
        return str(self.payload.get("action", {}).get("button", ""))

    @property
    def header(self) -> JsonDict:
        header = self.payload.get("header") if self.type == "interactive" else None
        return header if isinstance(header, dict) else {}

    @property
    def media_id(self) -> str:
        """The uploaded media's id: of an image or document, or an interactive header's."""
        if self.type in ("image", "document", "audio", "video", "sticker"):
            return str(self.payload.get("id", ""))
        kind = self.header.get("type")
        if kind in ("image", "document", "video"):
            return str(self.header.get(str(kind), {}).get("id", ""))
        return ""

    @property
    def template(self) -> str:
        return str(self.payload.get("name", "")) if self.type == "template" else ""

    def choices(self) -> list[tuple[str, str]]:
        """Every choice offered: buttons, or list rows, as (title, id)."""
        return self.buttons or [(str(r["title"]), str(r["id"])) for r in self.rows]


@dataclass
class Media:
    media_id: str
    content: bytes
    mime_type: str
    filename: str = ""


@dataclass
class _Failure:
    code: int
    recipient: str | None
    remaining: int
    status: int | None = None


@dataclass
class _Bucket:
    """The pair rate: `burst` messages at once, then one every `every` seconds."""

    burst: float
    every: float
    tokens: float
    at: float

    def take(self, now: float) -> bool:
        self.tokens = min(self.burst, self.tokens + (now - self.at) / self.every)
        self.at = now
        if self.tokens >= 1:
            self.tokens -= 1
            return True
        return False


@dataclass
class _Limits:
    per_second: int
    pair_burst: int
    pair_every: float
    window: deque[float] = field(default_factory=deque)
    pairs: dict[str, _Bucket] = field(default_factory=dict)


class GraphUser:
    """A scripted WhatsApp user writing to the business number."""

    def __init__(
        self, fake: FakeGraph, user_id: str, name: str, wa_id: str | None, language: str
    ) -> None:
        self._fake = fake
        self.user_id = user_id  # the business-scoped user id (BSUID)
        self.name = name
        self.wa_id = wa_id
        self.language = language
        self._seen = 0

    @property
    def address(self) -> str:
        """What the bot sends to: the BSUID."""
        return self.user_id

    def contact(self) -> JsonDict:
        data: JsonDict = {"profile": {"name": self.name}, "user_id": self.user_id}
        if self.wa_id:
            data["wa_id"] = self.wa_id
        return data

    def message(self, kind: str, content: JsonDict, *, context: JsonDict | None = None) -> JsonDict:
        """One inbound message of `kind` from this user (not sent)."""
        message: JsonDict = {
            "from_user_id": self.user_id,
            "id": self._fake.new_wamid(),
            "timestamp": str(int(time.time())),
            "type": kind,
            kind: content,
        }
        if self.wa_id:
            message["from"] = self.wa_id
        if context is not None:
            message["context"] = context
        return message

    def text_message(self, text: str) -> JsonDict:
        return self.message("text", {"body": text})

    def tap_message(self, label_or_id: str, sent: Sent | None = None) -> JsonDict:
        """The webhook message for a tap on a reply button or list row of `sent` (default: the
        newest message with choices), by its title or id."""
        sent = sent or self._newest_with_choices()
        for title, choice_id in sent.choices():
            if label_or_id in (title, choice_id):
                break
        else:
            raise AssertionError(
                f"no choice {label_or_id!r} in {sent.wamid} to {self.user_id}; "
                f"offered: {sent.choices()}"
            )
        context = {"from": self._fake.display_phone_number, "id": sent.wamid}
        if sent.interactive_type == "list":
            reply = {"type": "list_reply", "list_reply": {"id": choice_id, "title": title}}
        else:
            reply = {"type": "button_reply", "button_reply": {"id": choice_id, "title": title}}
        return self.message("interactive", reply, context=context)

    def template_tap_message(self, text: str, payload: str, sent: Sent | None = None) -> JsonDict:
        """A tap on a template's quick-reply button (type `button`)."""
        context = {"from": self._fake.display_phone_number, "id": sent.wamid} if sent else None
        return self.message("button", {"payload": payload, "text": text}, context=context)

    def voice_message(self, content: bytes = SAMPLE_VOICE) -> JsonDict:
        media = self._fake.add_media(content, "audio/ogg; codecs=opus")
        audio = {
            "mime_type": "audio/ogg; codecs=opus",
            "sha256": hashlib.sha256(content).hexdigest(),
            "id": media.media_id,
            "voice": True,
        }
        return self.message("audio", audio)

    def image_message(self, caption: str = "", content: bytes = SAMPLE_IMAGE) -> JsonDict:
        media = self._fake.add_media(content, "image/jpeg")
        image: JsonDict = {
            "mime_type": "image/jpeg",
            "sha256": hashlib.sha256(content).hexdigest(),
            "id": media.media_id,
        }
        if caption:
            image["caption"] = caption
        return self.message("image", image)

    def sticker_message(self) -> JsonDict:
        media = self._fake.add_media(b"RIFFfake-webp", "image/webp")
        return self.message(
            "sticker", {"mime_type": "image/webp", "id": media.media_id, "animated": False}
        )

    def location_message(self) -> JsonDict:
        return self.message("location", {"latitude": 19.43, "longitude": -99.13})

    def unsupported_message(self) -> JsonDict:
        message = self.message("unsupported", {"type": "video_note"})
        del message["unsupported"]
        message["errors"] = [
            {"code": 131051, "title": "Message type unknown", "message": "Message type unknown"}
        ]
        return message

    async def send(self, message: JsonDict, *, signing: Signing = "good") -> int:
        """POST `message` to the webhook; the HTTP status."""
        return await self._fake.post_webhook(self._fake.envelope(self, [message]), signing=signing)

    async def send_text(self, text: str) -> str:
        """Write `text`; its wamid."""
        message = self.text_message(text)
        await self._sent_ok(message)
        return str(message["id"])

    async def tap(self, label_or_id: str, sent: Sent | None = None) -> str:
        """Tap a reply button or list row by its title or id; the tap's wamid."""
        message = self.tap_message(label_or_id, sent)
        await self._sent_ok(message)
        return str(message["id"])

    async def tap_template(self, text: str, payload: str, sent: Sent | None = None) -> str:
        message = self.template_tap_message(text, payload, sent)
        await self._sent_ok(message)
        return str(message["id"])

    async def send_voice(self, content: bytes = SAMPLE_VOICE) -> str:
        message = self.voice_message(content)
        await self._sent_ok(message)
        return str(message["id"])

    async def send_image(self, caption: str = "") -> str:
        message = self.image_message(caption)
        await self._sent_ok(message)
        return str(message["id"])

    async def _sent_ok(self, message: JsonDict) -> None:
        status = await self.send(message)
        if status != 200:
            raise AssertionError(f"the webhook answered HTTP {status}")

    def messages(self) -> list[Sent]:
        return self._fake.messages(self.user_id)

    async def wait_messages(
        self,
        count: int = 1,
        timeout: float = 5.0,  # noqa: ASYNC109 - part of the tests' API
    ) -> list[Sent]:
        """Wait until `count` new messages arrived for this user; return all new ones."""
        fake, start = self._fake, self._seen
        try:
            await fake.wait_for(lambda: len(fake.messages(self.user_id)) - start >= count, timeout)
        except TimeoutError:
            arrived = [f"{m.type}: {m.text!r}" for m in fake.messages(self.user_id)[start:]]
            raise AssertionError(
                f"expected {count} new message(s) for {self.user_id} within {timeout}s, got "
                f"{len(arrived)}: {arrived}; errors answered: {fake.errors_answered[-5:]}"
            ) from None
        new = fake.messages(self.user_id)[start:]
        self._seen = start + len(new)
        return new

    def _newest_with_choices(self) -> Sent:
        offering = [m for m in self.messages() if m.choices()]
        if not offering:
            raise AssertionError(f"no message with buttons or a list for {self.user_id}")
        return offering[-1]


class FakeGraph(LocalServer):
    """In-process fake of the WhatsApp Cloud API (the part the bot uses)."""

    def __init__(
        self,
        *,
        phone_number_id: str = "106540352242922",
        token: str = "EAAG-fake-token",
        app_secret: str = "fake-app-secret",
        display_phone_number: str = "15550783881",
        waba_id: str = "102290129340398",
    ) -> None:
        self.phone_number_id = phone_number_id
        self.token = token
        self.app_secret = app_secret
        self.display_phone_number = display_phone_number
        self.waba_id = waba_id
        self.base_url = ""
        self.webhook_url: str | None = None
        self.clock: Callable[[], float] = time.monotonic  # the limits' clock; replaceable
        self.sent: list[Sent] = []
        self.read_receipts: list[tuple[str, bool]] = []  # (message id, typing shown)
        self.errors_answered: list[tuple[str, int]] = []  # (recipient, code)
        self.automation: JsonDict = {}  # the last conversational automation set
        self.media: dict[str, Media] = {}
        self._by_recipient: dict[str, list[Sent]] = {}
        self._users: dict[str, GraphUser] = {}
        self._ids = itertools.count(1)
        self._failures: list[_Failure] = []
        self._failing: dict[str, int] = {}  # recipient -> the code every send to them gets
        self._slow: list[float] = []  # seconds to wait before answering, next sends
        self._limits: _Limits | None = None
        self._changed = asyncio.Condition()
        self._client: aiohttp.ClientSession | None = None

    # --- lifecycle ------------------------------------------------------------------------

    def make_app(self) -> web.Application:
        self._changed = asyncio.Condition()
        app = web.Application(client_max_size=100 * 1024 * 1024)
        app.router.add_post("/{version:v[0-9.]+}/{phone_id}/messages", self._messages)
        app.router.add_post("/{version:v[0-9.]+}/{phone_id}/media", self._upload)
        app.router.add_post(
            "/{version:v[0-9.]+}/{phone_id}/conversational_automation", self._automation
        )
        app.router.add_get("/{version:v[0-9.]+}/{node}", self._node)
        app.router.add_delete("/{version:v[0-9.]+}/{node}", self._delete_media)
        app.router.add_get("/download/{media_id}", self._download)
        return app

    async def before_stop(self) -> None:
        if self._client is not None:
            await self._client.close()
            self._client = None

    # --- what tests use -------------------------------------------------------------------

    def user(
        self, user_id: str, name: str = "Ana", *, wa_id: str | None = None, language: str = "es"
    ) -> GraphUser:
        """A user with this business-scoped id (e.g. "MX.1001"); `wa_id`: their phone, when
        Meta sends it."""
        found = self._users.get(user_id)
        if found is None:
            found = self._users[user_id] = GraphUser(self, user_id, name, wa_id, language)
        return found

    def messages(self, recipient: str) -> list[Sent]:
        return list(self._by_recipient.get(recipient, []))

    def new_wamid(self) -> str:
        return f"wamid.HBgL{next(self._ids):012d}FAKE="

    def add_media(self, content: bytes, mime_type: str, filename: str = "") -> Media:
        media = Media(str(900_000_000 + next(self._ids)), content, mime_type, filename)
        self.media[media.media_id] = media
        return media

    def fail_next(
        self, code: int, *, times: int = 1, recipient: str | None = None, status: int | None = None
    ) -> None:
        """The next `times` sends (to `recipient`, or anyone) answer Meta's error `code`
        (`status`: another HTTP status, e.g. 503 with code 131000)."""
        self._failures.append(_Failure(code, recipient, times, status))

    def fail_for(self, recipient: str, code: int | None) -> None:
        """Every send to `recipient` answers `code` (None: stop)."""
        if code is None:
            self._failing.pop(recipient, None)
        else:
            self._failing[recipient] = code

    def slow_next(self, seconds: float, *, times: int = 1) -> None:
        """The next `times` sends answer only after `seconds`."""
        self._slow.extend([seconds] * times)

    def enforce_limits(
        self, *, per_second: int = 80, pair_burst: int = 6, pair_every: float = 6.0
    ) -> None:
        """Meta's throughput: `per_second` messages a second from the number (130429 beyond),
        and per person a burst of `pair_burst`, then one every `pair_every` seconds (131056)."""
        self._limits = _Limits(per_second, pair_burst, pair_every)

    def count_errors(self, code: int) -> int:
        return sum(1 for _, answered in self.errors_answered if answered == code)

    async def wait_for(self, predicate: Callable[[], bool], seconds: float) -> None:
        async with self._changed, asyncio.timeout(seconds):
            await self._changed.wait_for(predicate)

    # --- webhooks to the bot --------------------------------------------------------------

    def envelope(
        self,
        user: GraphUser | None,
        messages: list[JsonDict] | None = None,
        statuses: list[JsonDict] | None = None,
    ) -> JsonDict:
        """A webhook body as Meta posts it."""
        value: JsonDict = {
            "messaging_product": "whatsapp",
            "metadata": {
                "display_phone_number": self.display_phone_number,
                "phone_number_id": self.phone_number_id,
            },
        }
        if user is not None and messages:
            value["contacts"] = [user.contact()]
        elif statuses:  # Meta names the people the statuses are about
            about = {str(report.get("recipient_user_id", "")) for report in statuses}
            known = [self._users[found] for found in sorted(about) if found in self._users]
            if known:
                value["contacts"] = [person.contact() for person in known]
        if messages:
            value["messages"] = messages
        if statuses:
            value["statuses"] = statuses
        change = {"value": value, "field": "messages"}
        entry = {"id": self.waba_id, "changes": [change]}
        return {"object": "whatsapp_business_account", "entry": [entry]}

    def status(
        self,
        sent: Sent | str,
        status: str,
        *,
        error_code: int | None = None,
        user: GraphUser | None = None,
        at: int | None = None,
    ) -> JsonDict:
        """A status report ("sent", "delivered", "read", "failed") of a sent message."""
        wamid = sent.wamid if isinstance(sent, Sent) else sent
        recipient = sent.to if isinstance(sent, Sent) else (user.user_id if user else "")
        user = user or self._users.get(recipient)
        report: JsonDict = {
            "id": wamid,
            "status": status,
            "timestamp": str(at if at is not None else int(time.time())),
            "recipient_user_id": recipient,
        }
        if user is not None and user.wa_id:
            report["recipient_id"] = user.wa_id
        if error_code is not None:
            _, message = ERRORS.get(error_code, (400, "Error"))
            report["errors"] = [
                {
                    "code": error_code,
                    "title": message,
                    "message": message,
                    "error_data": {"details": message},
                }
            ]
        return report

    async def post_statuses(self, statuses: list[JsonDict], *, signing: Signing = "good") -> int:
        return await self.post_webhook(self.envelope(None, statuses=statuses), signing=signing)

    async def report(
        self, status: str, messages: list[Sent] | None = None, *, per_call: int = 100
    ) -> None:
        """Post `status` ("delivered", "read"...) for `messages` (default: every message sent so
        far), `per_call` statuses in each web-hook call as Meta batches them."""
        chosen = self.sent if messages is None else messages
        for start in range(0, len(chosen), per_call):
            statuses = [self.status(sent, status) for sent in chosen[start : start + per_call]]
            code = await self.post_statuses(statuses)
            if code != 200:
                raise AssertionError(f"the webhook answered HTTP {code} to statuses")

    async def post_webhook(
        self,
        body: JsonDict | bytes,
        *,
        signing: Signing = "good",
        url: str | None = None,
        times: int = 1,
    ) -> int:
        """POST `body` (JSON, or raw bytes such as malformed JSON) to the webhook, signed with
        the app secret ("good"), unsigned ("none") or wrongly ("bad"); `times` > 1 posts the
        same bytes again, as Meta redelivers. The last HTTP status."""
        target = url or self.webhook_url
        assert target, "set fake.webhook_url first"
        raw = body if isinstance(body, bytes) else json.dumps(body).encode()
        headers = {"Content-Type": "application/json"}
        if signing == "good":
            headers["X-Hub-Signature-256"] = sign(raw, self.app_secret)
        elif signing == "bad":
            headers["X-Hub-Signature-256"] = sign(raw, self.app_secret + "-wrong")
        if self._client is None:
            self._client = aiohttp.ClientSession()
        status = 0
        for _ in range(times):
            async with self._client.post(target, data=raw, headers=headers) as response:
                status = response.status
        return status

    # --- the API --------------------------------------------------------------------------

    def _authorised(self, request: web.Request) -> None:
        if request.headers.get("Authorization") != f"Bearer {self.token}":
            raise GraphError(190)

    @staticmethod
    def _answer(error: GraphError) -> web.Response:
        return web.json_response(error.body(), status=error.status)

    async def _node(self, request: web.Request) -> web.Response:
        try:
            self._authorised(request)
        except GraphError as error:
            return self._answer(error)
        node = request.match_info["node"]
        if node == self.phone_number_id:
            return web.json_response(
                {
                    "verified_name": "Village Academy",
                    "display_phone_number": self.display_phone_number,
                    "quality_rating": "GREEN",
                    "platform_type": "CLOUD_API",
                    "throughput": {"level": "STANDARD"},
                    "id": self.phone_number_id,
                }
            )
        media = self.media.get(node)
        if media is None:
            return self._answer(GraphError(100, "Unsupported get request. Object does not exist"))
        return web.json_response(
            {
                "url": f"{self._root(request)}/download/{media.media_id}",
                "mime_type": media.mime_type,
                "sha256": hashlib.sha256(media.content).hexdigest(),
                "file_size": len(media.content),
                "id": media.media_id,
                "messaging_product": "whatsapp",
            }
        )

    @staticmethod
    def _root(request: web.Request) -> str:
        return f"{request.scheme}://{request.host}"

    async def _download(self, request: web.Request) -> web.Response:
        try:
            self._authorised(request)
        except GraphError as error:
            return self._answer(error)
        media = self.media.get(request.match_info["media_id"])
        if media is None:
            return web.Response(status=404)
        return web.Response(body=media.content, content_type=media.mime_type.split(";")[0])

    async def _delete_media(self, request: web.Request) -> web.Response:
        try:
            self._authorised(request)
        except GraphError as error:
            return self._answer(error)
        self.media.pop(request.match_info["node"], None)
        return web.json_response({"success": True})

    async def _upload(self, request: web.Request) -> web.Response:
        try:
            self._authorised(request)
            self._phone(request)
            form = await request.post()
        except GraphError as error:
            return self._answer(error)
        upload = form.get("file")
        if not isinstance(upload, web.FileField) or form.get("messaging_product") != "whatsapp":
            return self._answer(GraphError(100, "(#100) The parameter file is required."))
        content = upload.file.read()
        mime = str(form.get("type") or upload.content_type)
        media = self.add_media(content, mime, upload.filename)
        return web.json_response({"id": media.media_id})

    async def _automation(self, request: web.Request) -> web.Response:
        try:
            self._authorised(request)
            self._phone(request)
            body = await request.json()
        except GraphError as error:
            return self._answer(error)
        except ValueError:
            return self._answer(GraphError(100))
        prompts = body.get("prompts") or []
        commands = body.get("commands") or []
        if isinstance(commands, str):
            commands = json.loads(commands)
        if len(prompts) > 4 or any(len(p) > 80 for p in prompts):
            return self._answer(GraphError(100, "(#100) Up to 4 ice breakers of 80 characters"))
        if len(commands) > 30 or any(
            len(c.get("command_name", "")) > 32 or len(c.get("command_description", "")) > 256
            for c in commands
        ):
            return self._answer(GraphError(100, "(#100) Invalid commands"))
        self.automation = {"prompts": list(prompts), "commands": list(commands)}
        return web.json_response({"success": True})

    def _phone(self, request: web.Request) -> None:
        if request.match_info["phone_id"] != self.phone_number_id:
            raise GraphError(100, "Unsupported post request. Object does not exist")

    async def _messages(self, request: web.Request) -> web.Response:
        try:
            self._authorised(request)
            self._phone(request)
            body = await request.json()
        except GraphError as error:
            return self._answer(error)
        except ValueError:
            return self._answer(GraphError(100, "(#100) Invalid JSON"))
        if body.get("messaging_product") != "whatsapp":
            return self._answer(GraphError(100, "(#100) messaging_product is required"))
        if body.get("status") == "read":
            typing = (body.get("typing_indicator") or {}).get("type") == "text"
            self.read_receipts.append((str(body.get("message_id", "")), typing))
            await self._notify()
            return web.json_response({"success": True})
        recipient = str(body.get("recipient") or body.get("to") or "")
        try:
            if not recipient:
                raise GraphError(100, "(#100) The parameter to is required.")
            self._check(body)
            if self._slow:
                await asyncio.sleep(self._slow.pop(0))
            self._scripted(recipient)
            self._limit(recipient)
        except GraphError as error:
            self.errors_answered.append((recipient, error.code))
            return self._answer(error)
        sent = Sent(self.new_wamid(), recipient, str(body.get("type", "text")), body, self.clock())
        self.sent.append(sent)
        self._by_recipient.setdefault(recipient, []).append(sent)
        await self._notify()
        contact = {"input": recipient}
        contact["user_id" if "." in recipient else "wa_id"] = recipient
        return web.json_response(
            {
                "messaging_product": "whatsapp",
                "contacts": [contact],
                "messages": [{"id": sent.wamid}],
            }
        )

    def _scripted(self, recipient: str) -> None:
        if recipient in self._failing:
            raise GraphError(self._failing[recipient])
        for rule in self._failures:
            if rule.recipient in (None, recipient):
                rule.remaining -= 1
                self._failures = [r for r in self._failures if r.remaining > 0]
                raise GraphError(rule.code, status=rule.status)

    def _limit(self, recipient: str) -> None:
        limits = self._limits
        if limits is None:
            return
        now = self.clock()
        while limits.window and now - limits.window[0] >= 1.0:
            limits.window.popleft()
        if len(limits.window) >= limits.per_second:
            raise GraphError(130429)
        bucket = limits.pairs.get(recipient)
        if bucket is None:
            bucket = limits.pairs[recipient] = _Bucket(
                limits.pair_burst, limits.pair_every, limits.pair_burst, now
            )
        if not bucket.take(now):
            raise GraphError(131056)
        limits.window.append(now)

    def _check(self, body: JsonDict) -> None:
        """Refuse what Meta refuses (the limits the bot must fit its replies to)."""
        kind = body.get("type", "text")
        part = body.get(kind)
        if not isinstance(part, dict):
            raise GraphError(100, f"(#100) The parameter {kind} is required.")
        if kind == "text" and not 0 < len(str(part.get("body", ""))) <= TEXT_LIMIT:
            raise GraphError(100, "(#100) Param text['body'] must be 1 to 4096 characters")
        if kind in ("image", "document", "audio", "video", "sticker"):
            if "link" in part:
                return  # allowed by Meta; the bot never sends links (tests check that)
            if str(part.get("id", "")) not in self.media:
                raise GraphError(131053, "Media upload error: unknown media id", 400)
            if len(str(part.get("caption", ""))) > BODY_WITH_BUTTONS_LIMIT:
                raise GraphError(100, "(#100) caption is too long")
        if kind == "interactive":
            self._check_interactive(part)
        if kind == "template" and not part.get("name"):
            raise GraphError(100, "(#100) The parameter template['name'] is required.")

    def _check_interactive(self, part: JsonDict) -> None:
        body = str(part.get("body", {}).get("text", ""))
        if not 0 < len(body) <= BODY_WITH_BUTTONS_LIMIT:
            raise GraphError(100, "(#100) Param interactive['body']['text'] must be 1 to 1024")
        action = part.get("action", {})
        if part.get("type") == "button":
            buttons = action.get("buttons", [])
            if not 1 <= len(buttons) <= 3:
                raise GraphError(100, "(#100) buttons must have 1 to 3 items")
            titles = [b["reply"]["title"] for b in buttons]
            if any(not 0 < len(t) <= BUTTON_TITLE_LIMIT for t in titles):
                raise GraphError(100, "(#100) Button title length invalid")
            if len(set(titles)) != len(titles):
                raise GraphError(100, "(#100) Button titles must be unique")
            if any(len(b["reply"]["id"]) > 256 for b in buttons):
                raise GraphError(100, "(#100) Button id too long")
            header = part.get("header")
            if isinstance(header, dict) and header.get("type") in ("image", "document"):
                media = header.get(header["type"], {})
                if "link" not in media and str(media.get("id", "")) not in self.media:
                    raise GraphError(131053, "Media upload error: unknown media id", 400)
        elif part.get("type") == "list":
            rows = [r for s in action.get("sections", []) for r in s.get("rows", [])]
            if not 1 <= len(rows) <= 10:
                raise GraphError(100, "(#100) a list has 1 to 10 rows")
            if not 0 < len(str(action.get("button", ""))) <= BUTTON_TITLE_LIMIT:
                raise GraphError(100, "(#100) list button title length invalid")
            for row in rows:
                if not 0 < len(row["title"]) <= ROW_TITLE_LIMIT or len(row["id"]) > 200:
                    raise GraphError(100, "(#100) Row title or id length invalid")
                if len(row.get("description", "")) > ROW_DESCRIPTION_LIMIT:
                    raise GraphError(100, "(#100) Row description too long")
            ids = [row["id"] for row in rows]
            if len(set(ids)) != len(ids):
                raise GraphError(100, "(#100) Row ids must be unique")
        else:
            raise GraphError(100, f"(#100) interactive type {part.get('type')!r} not supported")

    async def _notify(self) -> None:
        async with self._changed:
            self._changed.notify_all()

"""Data types, request decoding and Telegram-like validation for the fake Bot API server."""

from __future__ import annotations

import json
import math
import mimetypes
import re
import time
from collections import deque
from dataclasses import dataclass, field
from http import HTTPStatus
from pathlib import PurePosixPath
from typing import Any

from aiohttp import BodyPartReader, MultipartReader, web

JsonDict = dict[str, Any]
# Telegram's limits on what a bot says about itself and on the text field's hint.
DESCRIPTION_LIMIT, SHORT_DESCRIPTION_LIMIT, PLACEHOLDER_LIMIT = 512, 120, 64

# Parameters that are always plain strings, even when they look like JSON ("42", "true").
STRING_FIELDS = frozenset(
    {
        "text",
        "caption",
        "callback_query_id",
        "parse_mode",
        "url",
        "secret_token",
        "file_id",
        "inline_message_id",
        "language_code",
        "action",
        "ip_address",
        "business_connection_id",
        "message_effect_id",
        "description",
        "short_description",
        "name",
    }
)

DEFAULT_DESCRIPTIONS: dict[int, str] = {
    400: "Bad Request: chat not found",
    401: "Unauthorized",
    403: "Forbidden: bot was blocked by the user",
    404: "Not Found",
    409: "Conflict: terminated by other getUpdates request; "
    "make sure that only one bot instance is running",
    500: "Internal Server Error",
    502: "Bad Gateway",
}


class ApiError(Exception):
    """An error answer of the Bot API: `{"ok": false, "error_code": ..., "description": ...}`."""

    def __init__(self, status: int, description: str | None = None, retry_after: int = 0) -> None:
        self.status = status
        if status == 429 and description is None:
            description = f"Too Many Requests: retry after {retry_after}"
        if description is None:
            description = DEFAULT_DESCRIPTIONS.get(status) or HTTPStatus(status).phrase
        self.description = description
        self.retry_after = retry_after
        super().__init__(f"{status} {description}")

    def payload(self) -> JsonDict:
        body: JsonDict = {"ok": False, "error_code": self.status, "description": self.description}
        if self.status == 429:
            body["parameters"] = {"retry_after": self.retry_after}
        return body


def bad_request(reason: str) -> ApiError:
    return ApiError(400, f"Bad Request: {reason}")


@dataclass
class UploadedFile:
    """A file part of a multipart request."""

    filename: str
    content: bytes = field(repr=False)


@dataclass
class StoredFile:
    """A file the fake knows: downloadable via getFile + /file/bot<token>/<file_path>."""

    file_id: str
    file_unique_id: str
    file_path: str
    content: bytes = field(repr=False)
    file_name: str | None = None


@dataclass
class Request:
    """One Bot API call as the fake received it."""

    method: str
    params: JsonDict
    chat_id: int | None
    status: int = 0  # 0 while the call (e.g. a long poll) is still pending
    time: float = 0.0  # FakeTelegram.clock() when it arrived
    error: str | None = None  # the error description answered, if any


@dataclass
class SentMessage:
    """A message the bot sent; edits are applied in place."""

    message_id: int
    chat_id: int
    kind: str  # "text" | "photo" | "document"
    text: str | None  # text, or the caption of a photo/document
    reply_markup: JsonDict | None = None
    file_name: str | None = None
    file_bytes: bytes | None = field(default=None, repr=False)
    edits: int = 0
    parse_mode: str | None = None
    file_id: str | None = None
    media: Any = field(default=None, repr=False)  # the API's "photo" list / "document" dict
    reply_to_message_id: int | None = None
    deleted: bool = False
    date: int = field(default_factory=lambda: int(time.time()))
    edit_date: int | None = None

    def inline_buttons(self) -> list[list[JsonDict]]:
        markup = self.reply_markup or {}
        return [list(row) for row in markup.get("inline_keyboard") or []]

    def reply_keyboard(self) -> list[list[str]]:
        markup = self.reply_markup or {}
        return [
            [b if isinstance(b, str) else str(b.get("text", "")) for b in row]
            for row in markup.get("keyboard") or []
        ]

    def find_button(self, label_or_data: str) -> JsonDict | None:
        buttons = [b for row in self.inline_buttons() for b in row]
        for key in ("text", "callback_data"):
            for button in buttons:
                if button.get(key) == label_or_data:
                    return button
        return None


@dataclass
class FailureRule:
    method: str
    status: int
    retry_after: int
    description: str | None
    chat_id: int | None
    remaining: int

    def matches(self, method: str, chat_id: int | None) -> bool:
        same_chat = self.chat_id is None or self.chat_id == chat_id
        return self.remaining > 0 and self.method.lower() == method.lower() and same_chat


class SlidingWindow:
    """At most `capacity` events in any window of `window` seconds.

    capacity = max(burst, floor(rate), 1) and window = max(1, capacity / rate): for a whole
    rate >= burst this is exactly "rate events per sliding second"; slower or burstier limits
    keep the same average rate over a longer window.
    """

    def __init__(self, rate: float, burst: int) -> None:
        if rate <= 0:
            raise ValueError("rate must be positive")
        self.capacity = max(burst, math.floor(rate), 1)
        self.window = max(1.0, self.capacity / rate)
        self._stamps: deque[float] = deque()

    def retry_after(self, now: float) -> int | None:
        """None when an event is allowed now, else whole seconds (>= 1) to wait."""
        while self._stamps and self._stamps[0] <= now - self.window:
            self._stamps.popleft()
        if len(self._stamps) < self.capacity:
            return None
        return max(1, math.ceil(self._stamps[0] + self.window - now))

    def add(self, now: float) -> None:
        self._stamps.append(now)


# --- constants and payload helpers ---------------------------------------------------------

NOT_MODIFIED = (
    "message is not modified: specified new message content and reply markup are exactly "
    "the same as a current content and reply markup of the message"
)
CHAT_ACTIONS = frozenset(
    {"typing", "upload_photo", "record_video", "upload_video", "record_voice", "upload_voice"}
    | {"upload_document", "choose_sticker", "find_location", "record_video_note"}
    | {"upload_video_note"}
)
NOT_DELIVERED_BY_DEFAULT = frozenset({"chat_member", "message_reaction", "message_reaction_count"})
SAMPLE_FILES: dict[str, tuple[bytes, str]] = {
    "voice": (b"OggS\x00\x02" + bytes(58), ".oga"),
    "photo": (b"\xff\xd8\xff\xe0\x00\x10JFIF" + bytes(54), ".jpg"),
    "sticker": (b"RIFF\x00\x00\x00\x00WEBPVP8 " + bytes(48), ".webp"),
    "document": (b"%PDF-1.4\n" + bytes(55), ".pdf"),
}
FOLDERS = {"voice": "voice", "photo": "photos", "sticker": "stickers", "document": "documents"}


def as_int(value: Any) -> int | None:
    if isinstance(value, bool):
        return None
    if isinstance(value, int):
        return value
    if isinstance(value, str) and re.fullmatch(r"-?\d+", value):
        return int(value)
    return None


def file_ref(stored: StoredFile) -> JsonDict:
    return {
        "file_id": stored.file_id,
        "file_unique_id": stored.file_unique_id,
        "file_size": len(stored.content),
    }


def media_payload(kind: str, stored: StoredFile) -> Any:
    """The Message field for a stored file: a "photo" PhotoSize list or a "document"."""
    if kind == "photo":
        return [{**file_ref(stored), "width": 1280, "height": 960}]
    name = stored.file_name or PurePosixPath(stored.file_path).name
    mime = mimetypes.guess_type(name)[0] or "application/octet-stream"
    return {**file_ref(stored), "file_name": name, "mime_type": mime}


# --- request decoding -------------------------------------------------------------------------


def decode_value(key: str, value: str) -> Any:
    if key in STRING_FIELDS:
        return value
    try:
        return json.loads(value)
    except ValueError:
        return value


async def read_multipart(reader: MultipartReader) -> tuple[dict[str, str], dict[str, UploadedFile]]:
    fields: dict[str, str] = {}
    files: dict[str, UploadedFile] = {}
    while (part := await reader.next()) is not None:
        if not isinstance(part, BodyPartReader) or part.name is None:
            continue
        data = await part.read(decode=True)
        if part.filename is not None:
            files[part.name] = UploadedFile(part.filename, bytes(data))
        else:
            fields[part.name] = bytes(data).decode(part.get_charset(default="utf-8"))
    return fields, files


def build_params(
    fields: dict[str, str], typed: JsonDict, files: dict[str, UploadedFile]
) -> JsonDict:
    """Decode string fields, merge typed JSON ones and resolve `attach://name` uploads."""
    params: JsonDict = {key: decode_value(key, value) for key, value in fields.items()}
    params.update(typed)
    referenced: set[str] = set()
    for key, value in params.items():
        if isinstance(value, str) and value.startswith("attach://"):
            name = value.removeprefix("attach://")
            if name in files:
                params[key] = files[name]
                referenced.add(name)
    for name, upload in files.items():
        if name not in referenced and name not in params:
            params[name] = upload
    return params


async def read_request_params(request: web.Request) -> JsonDict:
    fields: dict[str, str] = dict(request.query)
    typed: JsonDict = {}
    files: dict[str, UploadedFile] = {}
    if request.body_exists:
        if request.content_type == "application/json":
            try:
                body = await request.json()
            except ValueError as exc:
                raise bad_request("can't parse JSON object") from exc
            if not isinstance(body, dict):
                raise bad_request("can't parse JSON object")
            typed = body
        elif request.content_type == "multipart/form-data":
            more, files = await read_multipart(await request.multipart())
            fields.update(more)
        else:
            form = await request.post()
            fields.update({k: v for k, v in form.items() if isinstance(v, str)})
    return build_params(fields, typed, files)


# --- Telegram-like validation -----------------------------------------------------------------

HTML_TAGS = frozenset(
    {"b", "strong", "i", "em", "u", "ins", "s", "strike", "del", "span", "tg-spoiler", "a"}
    | {"code", "pre", "blockquote", "tg-emoji"}
)
_HTML_TAG = re.compile(r"<(/?)([a-zA-Z][a-zA-Z0-9-]*)\b[^<>]*>")
_MD_RESERVED = set("_*[]()~`>#+-=|{}.!")
_MD_PAIRS = {"*": "Bold", "_": "Italic", "~": "Strikethrough", "||": "Spoiler"}


def utf16_len(text: str) -> int:
    return len(text.encode("utf-16-le")) // 2


def _byte_offset(text: str, index: int) -> int:
    return len(text[:index].encode("utf-8"))


def _check_html(text: str) -> str:
    """Validate Telegram HTML; returns the visible text."""
    stack: list[str] = []
    visible: list[str] = []
    pos = 0
    while (start := text.find("<", pos)) != -1:
        visible.append(text[pos:start])
        match = _HTML_TAG.match(text, start)
        if match is None:
            word = re.match(r"[^\s<>]*", text[start + 1 :])
            found = word.group(0) if word else ""
            raise bad_request(
                f'can\'t parse entities: Unsupported start tag "{found}" at byte offset '
                f"{_byte_offset(text, start)}"
            )
        closing, name = match.group(1) == "/", match.group(2).lower()
        if name not in HTML_TAGS:
            kind = "end" if closing else "start"
            raise bad_request(
                f'can\'t parse entities: Unsupported {kind} tag "{name}" at byte offset '
                f"{_byte_offset(text, start)}"
            )
        if not closing:
            stack.append(name)
        elif not stack or stack[-1] != name:
            expected = f'"</{stack[-1]}>"' if stack else "no end tag"
            raise bad_request(
                f"can't parse entities: Unmatched end tag at byte offset "
                f'{_byte_offset(text, start)}, expected {expected}, found "</{name}>"'
            )
        else:
            stack.pop()
        pos = match.end()
    visible.append(text[pos:])
    if stack:
        raise bad_request(
            f"can't parse entities: Can't find end tag corresponding to start tag \"{stack[-1]}\""
        )
    plain = "".join(visible)
    for entity, char in (("&lt;", "<"), ("&gt;", ">"), ("&quot;", '"'), ("&amp;", "&")):
        plain = plain.replace(entity, char)
    return plain


def _check_markdown_v2(text: str) -> None:
    """Reserved characters must be escaped; */_/~/|| must be balanced (code spans excepted)."""
    counts = {key: 0 for key in _MD_PAIRS}
    first: dict[str, int] = {}
    i, n, code = 0, len(text), ""
    while i < n:
        if text[i] == "\\":
            i += 2
            continue
        if text.startswith("```", i) and code in ("", "```"):
            code = "" if code else "```"
            i += 3
            continue
        if text[i] == "`" and code in ("", "`"):
            code = "" if code else "`"
            i += 1
            continue
        if code:
            i += 1
            continue
        if text.startswith("](", i):  # link URL: skip to the closing parenthesis
            end = text.find(")", i + 2)
            i = end + 1 if end != -1 else n
            continue
        token = "||" if text.startswith("||", i) else text[i]
        if token in _MD_PAIRS:
            counts[token] += 1
            first.setdefault(token, i)
        elif token not in "[]" and token in _MD_RESERVED:
            at_line_start = i == 0 or text[i - 1] == "\n"
            if not (token == ">" and at_line_start):
                raise bad_request(
                    f"can't parse entities: Character '{token}' is reserved and must be "
                    "escaped with the preceding '\\'"
                )
        i += len(token)
    for token, count in counts.items():
        if count % 2:
            raise bad_request(
                f"can't parse entities: Can't find end of {_MD_PAIRS[token]} entity at byte "
                f"offset {_byte_offset(text, first[token])}"
            )


def check_text(value: Any, parse_mode: Any, *, caption: bool = False) -> str | None:
    """Validate a message text / caption the way Telegram does (subset)."""
    if caption and value in (None, ""):
        return None
    if not caption and (not isinstance(value, str) or not value.strip()):
        raise bad_request("message text is empty")
    value = str(value)
    visible = value
    if parse_mode is not None:
        mode = str(parse_mode).lower()
        if mode == "html":
            visible = _check_html(value)
        elif mode == "markdownv2":
            _check_markdown_v2(value)
        elif mode != "markdown":
            raise bad_request(f"unsupported parse_mode {parse_mode}")
    if caption and utf16_len(visible) > 1024:
        raise bad_request("message caption is too long")
    if not caption and utf16_len(visible) > 4096:
        raise bad_request("message is too long")
    return value


def check_markup(markup: Any) -> JsonDict | None:
    if markup is None:
        return None
    if not isinstance(markup, dict):
        raise bad_request("can't parse reply keyboard markup JSON object")
    placeholder = markup.get("input_field_placeholder")
    if placeholder is not None and not 1 <= len(str(placeholder)) <= PLACEHOLDER_LIMIT:
        raise bad_request("can't parse reply keyboard markup JSON object")
    for row in markup.get("inline_keyboard") or []:
        for button in row:
            if not isinstance(button, dict) or not button.get("text"):
                raise bad_request("can't parse inline keyboard button: Text must be non-empty")
            data = button.get("callback_data")
            if data is not None and not 1 <= len(str(data).encode()) <= 64:
                raise bad_request("BUTTON_DATA_INVALID")
            if len(button) < 2:
                raise bad_request(
                    "can't parse inline keyboard button: "
                    "Text buttons are unallowed in the inline keyboard"
                )
    return markup


def inline_rows(markup: JsonDict | None) -> list[Any]:
    return list((markup or {}).get("inline_keyboard") or [])


def command_entities(text: str) -> list[JsonDict]:
    """A bot_command entity when the text starts with "/command"."""
    match = re.match(r"/[A-Za-z0-9_]+(@[A-Za-z0-9_]+)?", text)
    if match is None:
        return []
    return [{"type": "bot_command", "offset": 0, "length": utf16_len(match.group(0))}]

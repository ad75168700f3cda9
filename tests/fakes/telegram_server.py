"""A fake Telegram Bot API server for end-to-end tests.

The real aiogram bot talks to it over HTTP on 127.0.0.1::

    async with FakeTelegram() as fake:
        api = TelegramAPIServer.from_base(fake.base_url)
        bot = Bot(fake.token, session=AiohttpSession(api=api))
        ana = fake.user(42)
        await ana.send_text("/start")
        [welcome] = await ana.wait_messages()
        await ana.press("Next")

Scripted users queue updates for getUpdates (or POST them to the webhook set by setWebhook);
what the bot sends is recorded per chat. Errors can be injected with fail_next/block and
Telegram's flood limits enforced with set_rate_limits.
"""

from __future__ import annotations

import asyncio
import contextlib
import itertools
import json
import re
import time
from collections.abc import Awaitable, Callable
from pathlib import PurePosixPath
from typing import Any

import aiohttp
from aiohttp import MultipartReader, web

from .server import LocalServer
from .telegram_models import (
    CHAT_ACTIONS,
    DESCRIPTION_LIMIT,
    FOLDERS,
    NOT_DELIVERED_BY_DEFAULT,
    NOT_MODIFIED,
    SAMPLE_FILES,
    SHORT_DESCRIPTION_LIMIT,
    ApiError,
    FailureRule,
    JsonDict,
    Request,
    SentMessage,
    SlidingWindow,
    StoredFile,
    UploadedFile,
    as_int,
    bad_request,
    build_params,
    check_markup,
    check_text,
    command_entities,
    file_ref,
    inline_rows,
    media_payload,
    read_multipart,
    read_request_params,
)

__all__ = ["FakeTelegram", "FakeUser", "Request", "SentMessage"]

Handler = Callable[[JsonDict], Awaitable[Any]]


class FakeUser:
    """A scripted Telegram user chatting with the bot in a private chat (chat.id == user id)."""

    def __init__(
        self,
        fake: FakeTelegram,
        user_id: int,
        first_name: str,
        language_code: str | None,
        username: str | None,
    ) -> None:
        self._fake = fake
        self.id = user_id
        self.first_name = first_name
        self.language_code = language_code
        self.username = username
        self._seen_messages = 0
        self._seen_requests = 0

    def to_api(self) -> JsonDict:
        data: JsonDict = {"id": self.id, "is_bot": False, "first_name": self.first_name}
        if self.username:
            data["username"] = self.username
        if self.language_code:
            data["language_code"] = self.language_code
        return data

    def chat(self) -> JsonDict:
        data: JsonDict = {"id": self.id, "type": "private", "first_name": self.first_name}
        if self.username:
            data["username"] = self.username
        return data

    def _message(self, **content: Any) -> JsonDict:
        message_id = self._fake._allocate_message_id(self.id)
        return {
            "message_id": message_id,
            "date": int(time.time()),
            "chat": self.chat(),
            "from": self.to_api(),
            **content,
        }

    async def _send(self, message: JsonDict) -> int:
        await self._fake._deliver({"message": message})
        return int(message["message_id"])

    def text_message(self, text: str) -> JsonDict:
        """A new Message dict from this user (not sent): e.g. for post_update_to."""
        content: JsonDict = {"text": text}
        if entities := command_entities(text):
            content["entities"] = entities
        return self._message(**content)

    async def send_text(self, text: str) -> int:
        return await self._send(self.text_message(text))

    async def send_voice(self, duration: int = 3) -> int:
        stored = self._fake._store_file("voice")
        voice = {**file_ref(stored), "duration": duration, "mime_type": "audio/ogg"}
        return await self._send(self._message(voice=voice))

    async def send_photo(self) -> int:
        stored = self._fake._store_file("photo")
        return await self._send(self._message(photo=media_payload("photo", stored)))

    async def send_sticker(self) -> int:
        stored = self._fake._store_file("sticker")
        sticker = {
            **file_ref(stored),
            "type": "regular",
            "width": 512,
            "height": 512,
            "is_animated": False,
            "is_video": False,
            "emoji": "👍",
        }
        return await self._send(self._message(sticker=sticker))

    async def reply_to(self, message: SentMessage, text: str) -> int:
        reply = self._fake._message_payload(message)
        return await self._send(self._message(text=text, reply_to_message=reply))

    async def press(self, label_or_data: str, message: SentMessage | None = None) -> None:
        """Press an inline button (by label or callback_data) of `message` or the newest one."""
        if message is None:
            with_keyboard = [m for m in self._fake.messages(self.id) if m.inline_buttons()]
            candidates = [m for m in with_keyboard if not m.deleted]
            if not candidates:
                raise AssertionError(f"no bot message with an inline keyboard in chat {self.id}")
            message = candidates[-1]
        button = message.find_button(label_or_data)
        if button is None:
            available = [
                f"{b.get('text')!r} (data={b.get('callback_data')!r})"
                for row in message.inline_buttons()
                for b in row
            ]
            raise AssertionError(
                f"no button {label_or_data!r} in message {message.message_id} of chat {self.id}; "
                f"available: {', '.join(available) or 'none'}"
            )
        if "callback_data" not in button:
            raise AssertionError(f"button {button.get('text')!r} has no callback_data: {button}")
        query = {
            "id": self._fake._new_callback_query(self.id),
            "from": self.to_api(),
            "message": self._fake._message_payload(message),
            "chat_instance": f"ci-{self.id}",
            "data": button["callback_data"],
        }
        await self._fake._deliver({"callback_query": query})

    async def wait_messages(
        self,
        count: int = 1,
        timeout: float = 5.0,  # noqa: ASYNC109 - part of the tests' API
    ) -> list[SentMessage]:
        """Wait until `count` new bot messages arrived in this chat; return all new ones."""
        fake, start = self._fake, self._seen_messages
        try:
            await fake._wait_for(lambda: len(fake.messages(self.id)) - start >= count, timeout)
        except TimeoutError:
            arrived = [f"{m.kind}: {m.text!r}" for m in fake.messages(self.id)[start:]]
            failed = [
                f"{r.method} -> {r.status} {r.error}"
                for r in fake.requests[self._seen_requests :]
                if r.chat_id == self.id and r.status not in (0, 200)
            ]
            raise AssertionError(
                f"expected {count} new message(s) in chat {self.id} within {timeout}s, "
                f"got {len(arrived)}: {arrived}; failed API calls for this chat: {failed}"
            ) from None
        new = fake.messages(self.id)[start:]
        self._seen_messages = start + len(new)
        self._seen_requests = len(fake.requests)
        return new

    def last_message(self) -> SentMessage:
        messages = self._fake.messages(self.id)
        if not messages:
            raise AssertionError(f"the bot sent nothing to chat {self.id}")
        return messages[-1]

    @property
    def answered_callbacks(self) -> list[JsonDict]:
        """answerCallbackQuery params (successful calls) for this user's button presses."""
        owners = self._fake._callback_owner
        return [
            r.params
            for r in self._fake.requests
            if r.method == "answerCallbackQuery"
            and r.status == 200
            and owners.get(str(r.params.get("callback_query_id"))) == self.id
        ]


class FakeTelegram(LocalServer):
    """In-process fake of the Telegram Bot API (a subset), served by aiohttp on 127.0.0.1.

    Like Telegram: unknown chats answer 400 "chat not found" (register users with `user()`),
    texts/captions/keyboards are validated (length, HTML/MarkdownV2 entities, callback_data
    size), getUpdates honours allowed_updates and a newer poll terminates an older one (409).
    """

    def __init__(
        self, token: str = "123456:TEST-token", bot_username: str = "academy_test_bot"
    ) -> None:
        self.token = token
        self.bot_username = bot_username
        prefix = token.split(":", 1)[0]
        self.bot_id = int(prefix) if prefix.isdigit() else 123456
        self.bot_first_name = "Village Academy"
        self.base_url = ""
        self.requests: list[Request] = []
        self.too_many_requests = 0
        self.webhook_url: str | None = None
        self.webhook_secret: str | None = None
        self.clock: Callable[[], float] = time.monotonic  # used by rate limits; replaceable
        self._users: dict[int, FakeUser] = {}
        self._chat_messages: dict[int, list[SentMessage]] = {}
        self._last_message_id: dict[int, int] = {}
        self._updates: list[JsonDict] = []
        self._update_ids = itertools.count(1)
        self._file_ids = itertools.count(1)
        self._query_ids = itertools.count(1)
        self._allowed_updates: list[str] | None = None
        self._poll_generation = 0
        self._closing = False
        self._changed = asyncio.Condition()
        self._files: dict[str, StoredFile] = {}
        self._callback_owner: dict[str, int] = {}
        self._answered: set[str] = set()
        self._failures: list[FailureRule] = []
        self._blocked: set[int] = set()
        self._global_limit: SlidingWindow | None = None
        self._chat_rate: float | None = None
        self._burst = 1
        self._chat_limits: dict[int, SlidingWindow] = {}
        self._commands: dict[tuple[str, str], list[JsonDict]] = {}
        # (kind, language code) -> text; kind is "description" or "short_description"
        self.descriptions: dict[tuple[str, str], str] = {}
        # chat id (None: the bot's default for every chat) -> the MenuButton set, as sent
        self.menu_buttons: dict[int | None, JsonDict] = {}
        self._client: aiohttp.ClientSession | None = None
        handlers: dict[str, Handler] = {
            "getMe": self._get_me,
            "getUpdates": self._get_updates,
            "sendMessage": self._send_message,
            "sendPhoto": self._send_photo,
            "sendDocument": self._send_document,
            "sendChatAction": self._send_chat_action,
            "editMessageText": self._edit_message_text,
            "editMessageReplyMarkup": self._edit_message_reply_markup,
            "editMessageCaption": self._edit_message_caption,
            "deleteMessage": self._delete_message,
            "answerCallbackQuery": self._answer_callback_query,
            "setMyCommands": self._set_my_commands,
            "getMyCommands": self._get_my_commands,
            "deleteMyCommands": self._delete_my_commands,
            "setWebhook": self._set_webhook,
            "deleteWebhook": self._delete_webhook,
            "getWebhookInfo": self._get_webhook_info,
            "getFile": self._get_file,
            "close": self._true,
            "logOut": self._true,
            "setMyDescription": self._set_my_description,
            "getMyDescription": self._get_my_description,
            "setMyShortDescription": self._set_my_short_description,
            "getMyShortDescription": self._get_my_short_description,
            "setChatMenuButton": self._set_chat_menu_button,
            "getChatMenuButton": self._get_chat_menu_button,
        }
        self._methods = {name.lower(): (name, handler) for name, handler in handlers.items()}

    # --- lifecycle ------------------------------------------------------------------------

    def make_app(self) -> web.Application:
        self._changed = asyncio.Condition()
        self._closing = False
        app = web.Application(client_max_size=64 * 1024 * 1024)
        app.router.add_route("*", "/bot{token}/{method}", self._handle_api)
        app.router.add_get("/file/bot{token}/{path:.+}", self._handle_file)
        return app

    async def before_stop(self) -> None:
        self._closing = True
        await self._notify()  # release pending long polls
        if self._client is not None:
            await self._client.close()
            self._client = None

    # --- public helpers for tests ---------------------------------------------------------

    def user(
        self,
        user_id: int,
        first_name: str = "Ana",
        language_code: str | None = "en",
        username: str | None = None,
    ) -> FakeUser:
        """Register (or update and return the existing) user; their private chat exists."""
        user = self._users.get(user_id)
        if user is None:
            user = self._users[user_id] = FakeUser(
                self, user_id, first_name, language_code, username
            )
        else:
            user.first_name, user.language_code = first_name, language_code
            user.username = username
        return user

    def messages(self, chat_id: int) -> list[SentMessage]:
        return list(self._chat_messages.get(chat_id, []))

    @property
    def pending_updates(self) -> list[JsonDict]:
        return list(self._updates)

    def my_commands(
        self, scope: JsonDict | None = None, language_code: str | None = None
    ) -> list[JsonDict]:
        return list(self._commands.get(self._commands_key(scope, language_code), []))

    def add_file(self, content: bytes, kind: str = "document", file_name: str | None = None) -> str:
        """Store a file so the bot can send it by file_id or download it; returns the file_id."""
        return self._store_file(kind, content, file_name).file_id

    def fail_next(
        self,
        method: str,
        *,
        status: int = 429,
        retry_after: int = 1,
        description: str | None = None,
        chat_id: int | None = None,
        times: int = 1,
    ) -> None:
        self._failures.append(FailureRule(method, status, retry_after, description, chat_id, times))

    def block(self, user_id: int) -> None:
        self._blocked.add(user_id)

    def unblock(self, user_id: int) -> None:
        self._blocked.discard(user_id)

    def set_rate_limits(
        self,
        *,
        global_per_second: float | None = None,
        per_chat_per_second: float | None = None,
        burst: int = 1,
    ) -> None:
        self._global_limit = SlidingWindow(global_per_second, burst) if global_per_second else None
        self._chat_rate, self._burst = per_chat_per_second, burst
        self._chat_limits.clear()

    async def post_update_to(
        self, url: str, update: JsonDict, secret_token: str | None = None
    ) -> int:
        """POST an update to a webhook like Telegram does; runs a method returned in the reply."""
        if "update_id" not in update:
            update = {"update_id": next(self._update_ids), **update}
        headers = {"X-Telegram-Bot-Api-Secret-Token": secret_token} if secret_token else {}
        if self._client is None:
            self._client = aiohttp.ClientSession()
        async with self._client.post(url, json=update, headers=headers) as response:
            if 200 <= response.status < 300:
                await self._run_webhook_reply(response)
            return response.status

    # --- plumbing -------------------------------------------------------------------------

    async def _handle_api(self, request: web.Request) -> web.Response:
        try:
            params = await read_request_params(request)
        except ApiError as error:
            return web.json_response(error.payload(), status=error.status)
        method, token = request.match_info["method"], request.match_info["token"]
        status, body = await self._call(method, params, token)
        return web.json_response(body, status=status)

    async def _handle_file(self, request: web.Request) -> web.Response:
        if request.match_info["token"] != self.token:
            return web.json_response(ApiError(401).payload(), status=401)
        for stored in self._files.values():
            if stored.file_path == request.match_info["path"]:
                return web.Response(body=stored.content, content_type="application/octet-stream")
        return web.json_response(ApiError(404).payload(), status=404)

    async def _call(self, method: str, params: JsonDict, token: str) -> tuple[int, JsonDict]:
        entry = self._methods.get(method.lower())
        name = entry[0] if entry else method
        record = Request(name, params, self._chat_of(name, params), time=self.clock())
        self.requests.append(record)
        try:
            if token != self.token:
                raise ApiError(401)
            if entry is None:
                raise ApiError(404)
            self._check_injected(record)
            try:
                result = await entry[1](params)
            except (TypeError, ValueError) as exc:
                raise bad_request(f"invalid parameters: {exc}") from exc
        except ApiError as error:
            record.status, record.error = error.status, error.description
            if error.status == 429:
                self.too_many_requests += 1
            return error.status, error.payload()
        record.status = 200
        return 200, {"ok": True, "result": result}

    def _chat_of(self, method: str, params: JsonDict) -> int | None:
        if method == "answerCallbackQuery":
            return self._callback_owner.get(str(params.get("callback_query_id")))
        return as_int(params.get("chat_id"))

    def _check_injected(self, record: Request) -> None:
        for rule in self._failures:
            if rule.matches(record.method, record.chat_id):
                rule.remaining -= 1
                self._failures = [r for r in self._failures if r.remaining > 0]
                raise ApiError(rule.status, rule.description, rule.retry_after)
        lowered = record.method.lower()
        if record.chat_id in self._blocked and lowered.startswith(("send", "edit")):
            raise ApiError(403, "Forbidden: bot was blocked by the user")
        if lowered.startswith("send") and lowered != "sendchataction":
            now = self.clock()
            limiters = [self._global_limit]
            if self._chat_rate and record.chat_id is not None:
                limiters.append(
                    self._chat_limits.setdefault(
                        record.chat_id, SlidingWindow(self._chat_rate, self._burst)
                    )
                )
            active = [limiter for limiter in limiters if limiter is not None]
            waits = [wait for lim in active if (wait := lim.retry_after(now)) is not None]
            if waits:
                raise ApiError(429, retry_after=max(waits))
            for limiter in active:
                limiter.add(now)

    async def _notify(self) -> None:
        async with self._changed:
            self._changed.notify_all()

    async def _wait_for(self, predicate: Callable[[], bool], seconds: float) -> None:
        async with self._changed, asyncio.timeout(seconds):
            await self._changed.wait_for(predicate)

    async def _deliver(self, update: JsonDict) -> None:
        update = {"update_id": next(self._update_ids), **update}
        if self.webhook_url:
            status = await self.post_update_to(self.webhook_url, update, self.webhook_secret)
            if not 200 <= status < 300:
                raise AssertionError(f"webhook {self.webhook_url} answered HTTP {status}")
            return
        self._updates.append(update)
        await self._notify()

    async def _run_webhook_reply(self, response: aiohttp.ClientResponse) -> None:
        if response.content_type == "multipart/form-data":
            reader = MultipartReader(response.headers, response.content)
            fields, files = await read_multipart(reader)
            params = build_params(fields, {}, files)
        elif response.content_type == "application/json":
            body = await response.json()
            params = body if isinstance(body, dict) else {}
        else:
            return
        method = params.pop("method", None)
        if isinstance(method, str):
            await self._call(method, params, self.token)

    def _allowed(self, update: JsonDict) -> bool:
        kind = next(key for key in update if key != "update_id")
        if self._allowed_updates:
            return kind in self._allowed_updates
        return kind not in NOT_DELIVERED_BY_DEFAULT

    def _allocate_message_id(self, chat_id: int) -> int:
        self._last_message_id[chat_id] = self._last_message_id.get(chat_id, 0) + 1
        return self._last_message_id[chat_id]

    def _new_callback_query(self, user_id: int) -> str:
        query_id = str(4_000_000_000 + next(self._query_ids))
        self._callback_owner[query_id] = user_id
        return query_id

    def _store_file(
        self, kind: str, content: bytes | None = None, file_name: str | None = None
    ) -> StoredFile:
        sample, extension = SAMPLE_FILES.get(kind, SAMPLE_FILES["document"])
        number = next(self._file_ids)
        if file_name:
            extension = PurePosixPath(file_name).suffix or extension
        stored = StoredFile(
            file_id=f"fake-{kind}-{number}",
            file_unique_id=f"fakeuniq{number}",
            file_path=f"{FOLDERS.get(kind, 'documents')}/file_{number}{extension}",
            content=sample + str(number).encode() if content is None else content,
            file_name=file_name,
        )
        self._files[stored.file_id] = stored
        return stored

    def bot_user(self) -> JsonDict:
        return {
            "id": self.bot_id,
            "is_bot": True,
            "first_name": self.bot_first_name,
            "username": self.bot_username,
        }

    def _message_payload(self, msg: SentMessage) -> JsonDict:
        user = self._users.get(msg.chat_id)
        chat = user.chat() if user else {"id": msg.chat_id, "type": "private", "first_name": "?"}
        data: JsonDict = {
            "message_id": msg.message_id,
            "date": msg.date,
            "chat": chat,
            "from": self.bot_user(),
        }
        if msg.edit_date is not None:
            data["edit_date"] = msg.edit_date
        if msg.kind == "text":
            data["text"] = msg.text
        else:
            data[msg.kind] = msg.media
            if msg.text:
                data["caption"] = msg.text
        if rows := inline_rows(msg.reply_markup):
            data["reply_markup"] = {"inline_keyboard": rows}
        return data

    def _chat(self, params: JsonDict) -> FakeUser:
        if params.get("chat_id") in (None, ""):
            raise bad_request("chat_id is empty")
        user = self._users.get(as_int(params["chat_id"]) or 0)
        if user is None:
            raise bad_request("chat not found")
        return user

    def _find_message(self, params: JsonDict, missing: str) -> SentMessage:
        if params.get("inline_message_id"):
            raise bad_request("MESSAGE_ID_INVALID")
        user = self._chat(params)
        message_id = as_int(params.get("message_id"))
        for msg in self._chat_messages.get(user.id, []):
            if msg.message_id == message_id and not msg.deleted:
                return msg
        raise bad_request(missing)

    async def _record_sent(self, chat_id: int, params: JsonDict, msg: SentMessage) -> JsonDict:
        msg.parse_mode = params.get("parse_mode")
        reply = params.get("reply_parameters")
        msg.reply_to_message_id = as_int(params.get("reply_to_message_id")) or (
            as_int(reply.get("message_id")) if isinstance(reply, dict) else None
        )
        self._chat_messages.setdefault(chat_id, []).append(msg)
        await self._notify()
        return self._message_payload(msg)

    async def _apply_edit(
        self, msg: SentMessage, text: str | None, markup: JsonDict | None, parse_mode: Any
    ) -> JsonDict:
        old_rows, new_rows = inline_rows(msg.reply_markup), inline_rows(markup)
        if text == msg.text and parse_mode == msg.parse_mode and new_rows == old_rows:
            raise bad_request(NOT_MODIFIED)
        msg.text, msg.parse_mode = text, parse_mode
        if markup is not None or "inline_keyboard" in (msg.reply_markup or {}):
            msg.reply_markup = markup  # a reply keyboard stays when the edit carries no markup
        msg.edits += 1
        msg.edit_date = int(time.time())
        await self._notify()
        return self._message_payload(msg)

    @staticmethod
    def _commands_key(scope: Any, language_code: Any) -> tuple[str, str]:
        return json.dumps(scope or {"type": "default"}, sort_keys=True), str(language_code or "")

    # --- Bot API methods ------------------------------------------------------------------

    async def _true(self, params: JsonDict) -> bool:
        return True

    async def _get_me(self, params: JsonDict) -> JsonDict:
        extra = {"can_join_groups": True, "can_read_all_group_messages": False}
        return {**self.bot_user(), **extra, "supports_inline_queries": False}

    async def _get_updates(self, params: JsonDict) -> list[JsonDict]:
        if self.webhook_url:
            raise ApiError(
                409,
                "Conflict: can't use getUpdates method while webhook is active; "
                "use deleteWebhook to delete the webhook first",
            )
        offset = as_int(params.get("offset")) or 0
        limit = min(max(as_int(params.get("limit")) or 100, 1), 100)
        timeout = float(params.get("timeout") or 0)
        if isinstance(params.get("allowed_updates"), list):
            self._allowed_updates = params["allowed_updates"] or None
        if offset < 0:
            self._updates = self._updates[offset:]
        elif offset:
            self._updates = [u for u in self._updates if u["update_id"] >= offset]
        self._poll_generation += 1
        generation = self._poll_generation
        await self._notify()  # an older pending poll is terminated with 409, like Telegram

        def ready() -> bool:
            superseded = generation != self._poll_generation
            return self._closing or superseded or any(map(self._allowed, self._updates))

        with contextlib.suppress(TimeoutError):
            await self._wait_for(ready, timeout)
        if generation != self._poll_generation:
            raise ApiError(409)
        self._updates = [u for u in self._updates if self._allowed(u)]
        return self._updates[:limit]

    async def _send_message(self, params: JsonDict) -> JsonDict:
        user = self._chat(params)
        text = check_text(params.get("text"), params.get("parse_mode"))
        markup = check_markup(params.get("reply_markup"))
        msg = SentMessage(self._allocate_message_id(user.id), user.id, "text", text, markup)
        return await self._record_sent(user.id, params, msg)

    async def _send_photo(self, params: JsonDict) -> JsonDict:
        return await self._send_media(params, "photo")

    async def _send_document(self, params: JsonDict) -> JsonDict:
        return await self._send_media(params, "document")

    async def _send_media(self, params: JsonDict, kind: str) -> JsonDict:
        user = self._chat(params)
        caption = check_text(params.get("caption"), params.get("parse_mode"), caption=True)
        markup = check_markup(params.get("reply_markup"))
        source = params.get(kind)
        upload = source if isinstance(source, UploadedFile) else None
        if upload is not None:
            stored = self._store_file(kind, upload.content, upload.filename)
        elif isinstance(source, str) and source in self._files:
            stored = self._files[source]
        elif isinstance(source, str) and source.startswith(("http://", "https://")):
            name = PurePosixPath(source.split("?", 1)[0]).name or None
            stored = self._store_file(kind, b"downloaded:" + source.encode(), name)
        elif source in (None, ""):
            raise bad_request(f"there is no {kind} in the request")
        else:
            raise bad_request("wrong file identifier/HTTP URL specified")
        msg = SentMessage(
            self._allocate_message_id(user.id),
            user.id,
            kind,
            caption,
            markup,
            file_name=upload.filename if upload else None,
            file_bytes=upload.content if upload else None,
            file_id=stored.file_id,
            media=media_payload(kind, stored),
        )
        return await self._record_sent(user.id, params, msg)

    async def _send_chat_action(self, params: JsonDict) -> bool:
        self._chat(params)
        if params.get("action") not in CHAT_ACTIONS:
            raise bad_request("wrong parameter action in request")
        return True

    async def _edit_message_text(self, params: JsonDict) -> JsonDict:
        msg = self._find_message(params, "message to edit not found")
        if msg.kind != "text":
            raise bad_request("there is no text in the message to edit")
        text = check_text(params.get("text"), params.get("parse_mode"))
        markup = check_markup(params.get("reply_markup"))
        return await self._apply_edit(msg, text, markup, params.get("parse_mode"))

    async def _edit_message_caption(self, params: JsonDict) -> JsonDict:
        msg = self._find_message(params, "message to edit not found")
        if msg.kind == "text":
            raise bad_request("there is no caption in the message to edit")
        caption = check_text(params.get("caption"), params.get("parse_mode"), caption=True)
        markup = check_markup(params.get("reply_markup"))
        return await self._apply_edit(msg, caption, markup, params.get("parse_mode"))

    async def _edit_message_reply_markup(self, params: JsonDict) -> JsonDict:
        msg = self._find_message(params, "message to edit not found")
        markup = check_markup(params.get("reply_markup"))
        return await self._apply_edit(msg, msg.text, markup, msg.parse_mode)

    async def _delete_message(self, params: JsonDict) -> bool:
        self._find_message(params, "message to delete not found").deleted = True
        await self._notify()
        return True

    async def _answer_callback_query(self, params: JsonDict) -> bool:
        query_id = str(params.get("callback_query_id", ""))
        if query_id not in self._callback_owner or query_id in self._answered:
            raise bad_request(
                "query is too old and response timeout expired or query ID is invalid"
            )
        if len(str(params.get("text") or "")) > 200:
            raise bad_request("MESSAGE_TOO_LONG")
        self._answered.add(query_id)
        return True

    async def _set_my_commands(self, params: JsonDict) -> bool:
        commands = params.get("commands")
        if not isinstance(commands, list):
            raise bad_request("can't parse commands JSON object")
        for command in commands:
            name, description = str(command.get("command")), str(command.get("description"))
            if not re.fullmatch(r"[a-z0-9_]{1,32}", name) or not 1 <= len(description) <= 256:
                raise bad_request("BOT_COMMAND_INVALID")
        key = self._commands_key(params.get("scope"), params.get("language_code"))
        cleaned = [{"command": c["command"], "description": c["description"]} for c in commands]
        self._commands[key] = cleaned
        return True

    async def _get_my_commands(self, params: JsonDict) -> list[JsonDict]:
        return self.my_commands(params.get("scope"), params.get("language_code"))

    async def _delete_my_commands(self, params: JsonDict) -> bool:
        self._commands.pop(self._commands_key(params.get("scope"), params.get("language_code")), 0)
        return True

    async def _set_my_description(self, params: JsonDict) -> bool:
        return self._describe(params, "description", DESCRIPTION_LIMIT)

    async def _set_my_short_description(self, params: JsonDict) -> bool:
        return self._describe(params, "short_description", SHORT_DESCRIPTION_LIMIT)

    def _describe(self, params: JsonDict, kind: str, limit: int) -> bool:
        text = str(params.get(kind) or "")
        if len(text) > limit:  # Telegram counts characters here
            raise bad_request(f"{kind.upper()}_INVALID")
        language = str(params.get("language_code") or "")
        if text:
            self.descriptions[(kind, language)] = text
        else:  # an empty text removes the one for that language
            self.descriptions.pop((kind, language), None)
        return True

    async def _get_my_description(self, params: JsonDict) -> JsonDict:
        language = str(params.get("language_code") or "")
        return {"description": self.descriptions.get(("description", language), "")}

    async def _get_my_short_description(self, params: JsonDict) -> JsonDict:
        language = str(params.get("language_code") or "")
        text = self.descriptions.get(("short_description", language), "")
        return {"short_description": text}

    async def _set_chat_menu_button(self, params: JsonDict) -> bool:
        chat = None
        if params.get("chat_id") is not None:
            chat = self._chat(params).id  # a private chat the bot knows, like Telegram
        button = params.get("menu_button", {"type": "default"})
        if not isinstance(button, dict):
            raise bad_request("can't parse menu button: MenuButton must be an Object")
        kind = button.get("type")
        if kind == "web_app":
            text, web_app = button.get("text"), button.get("web_app")
            if not isinstance(text, str) or not text:
                raise bad_request("can't parse menu button: Text must be non-empty")
            url = web_app.get("url") if isinstance(web_app, dict) else None
            if not isinstance(url, str) or not url.startswith("https://"):
                raise bad_request(
                    f"can't parse menu button: Web App URL '{url}' is invalid: "
                    "Only HTTPS links are allowed"
                )
            self.menu_buttons[chat] = {"type": kind, "text": text, "web_app": {"url": url}}
        elif kind in ("commands", "default"):
            self.menu_buttons[chat] = {"type": kind}
        else:
            raise bad_request("can't parse menu button: unsupported menu button type")
        return True

    async def _get_chat_menu_button(self, params: JsonDict) -> JsonDict:
        chat = self._chat(params).id if params.get("chat_id") is not None else None
        found = self.menu_buttons.get(chat) or self.menu_buttons.get(None)
        return found or {"type": "commands"}

    async def _set_webhook(self, params: JsonDict) -> bool:
        url = str(params.get("url") or "")
        secret = params.get("secret_token")
        if secret is not None and not re.fullmatch(r"[A-Za-z0-9_-]{1,256}", str(secret)):
            raise bad_request("secret token contains unallowed characters")
        if params.get("drop_pending_updates"):
            self._updates.clear()
        if isinstance(params.get("allowed_updates"), list):
            self._allowed_updates = params["allowed_updates"] or None
        self.webhook_url = url or None
        self.webhook_secret = str(secret) if url and secret else None
        await self._notify()
        return True

    async def _delete_webhook(self, params: JsonDict) -> bool:
        if params.get("drop_pending_updates"):
            self._updates.clear()
        self.webhook_url = self.webhook_secret = None
        return True

    async def _get_webhook_info(self, params: JsonDict) -> JsonDict:
        info: JsonDict = {
            "url": self.webhook_url or "",
            "has_custom_certificate": False,
            "pending_update_count": len(self._updates),
        }
        if self._allowed_updates:
            info["allowed_updates"] = list(self._allowed_updates)
        return info

    async def _get_file(self, params: JsonDict) -> JsonDict:
        stored = self._files.get(str(params.get("file_id")))
        if stored is None:
            raise bad_request("invalid file_id")
        return {**file_ref(stored), "file_path": stored.file_path}

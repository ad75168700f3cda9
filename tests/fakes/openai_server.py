"""A fake OpenAI-compatible API server for tests of the LLM side.

The real `openai.AsyncOpenAI` client talks to it over HTTP on 127.0.0.1::

    async with FakeOpenAI() as fake:
        client = AsyncOpenAI(base_url=fake.base_url, api_key="test", max_retries=0)
        fake.reply("Use daylight [photos-light].")
        completion = await client.chat.completions.create(model="m", messages=[...])
        assert fake.requests[-1].body["messages"][0]["role"] == "system"

Served: `POST /v1/chat/completions` (JSON, or SSE chunks ending with `data: [DONE]` when
`stream` is true), `POST /v1/audio/transcriptions` (multipart) and `POST /v1/embeddings`
(deterministic unit vectors, float or base64). Scripted with reply / fail_next / delay_next /
transcribe_as; every request is recorded in `requests`.
"""

from __future__ import annotations

import asyncio
import base64
import hashlib
import itertools
import json
import math
import re
import struct
import time
from collections import deque
from dataclasses import dataclass, field
from typing import Any

from aiohttp import BodyPartReader, web

from .server import LocalServer

__all__ = ["FakeOpenAI", "RecordedRequest", "UploadedAudio", "fake_embedding"]

JsonDict = dict[str, Any]

ERROR_TYPES = {
    400: "invalid_request_error",
    401: "authentication_error",
    404: "not_found_error",
    429: "rate_limit_exceeded",
}


@dataclass
class UploadedAudio:
    """The `file` part of a transcription request."""

    filename: str
    content: bytes = field(repr=False)
    content_type: str | None = None


@dataclass
class RecordedRequest:
    """One request as the fake received it (recorded before any injected failure or delay)."""

    path: str  # e.g. "/v1/chat/completions"
    body: JsonDict  # JSON body; for multipart: the fields, with "file" as UploadedAudio
    headers: dict[str, str]
    status: int = 0  # the HTTP status answered; 0 while pending (or cut off by the client)
    time: float = 0.0  # time.monotonic() on arrival


@dataclass
class _Failure:
    status: int
    message: str
    times: int
    retry_after: float | None


def fake_embedding(text: str, dimensions: int = 16) -> list[float]:
    """The deterministic unit vector FakeOpenAI returns for `text`."""
    values: list[float] = []
    for block in itertools.count():
        digest = hashlib.sha256(f"{block}:{text}".encode()).digest()
        values.extend((byte - 127.5) / 127.5 for byte in digest)
        if len(values) >= dimensions:
            break
    values = values[:dimensions]
    norm = math.sqrt(sum(v * v for v in values)) or 1.0
    return [v / norm for v in values]


class FakeOpenAI(LocalServer):
    """In-process fake of the OpenAI HTTP API (a subset), served by aiohttp on 127.0.0.1.

    Scripting applies to the next request to any of the endpoints, in order:
    `reply(text)` queues a chat completion's content (otherwise `default_reply`),
    `fail_next(status)` answers an OpenAI-style error, `delay_next(seconds)` waits before
    answering (so client timeouts fire), `transcribe_as(text)` queues a transcription.
    With `api_key` set, requests without `Authorization: Bearer <api_key>` get 401.
    """

    url_suffix = "/v1"
    shutdown_timeout = 0.5

    def __init__(self, api_key: str | None = None, default_reply: str = "OK") -> None:
        self.api_key = api_key
        self.default_reply = default_reply
        self.default_transcript = ""
        self.base_url = ""
        self.requests: list[RecordedRequest] = []
        self._replies: deque[tuple[str, str]] = deque()  # (content, finish_reason)
        self._transcripts: deque[str] = deque()
        self._alike: list[tuple[str, str]] = []  # (fragment, key) for embed_like
        self._failures: deque[_Failure] = deque()
        self._delays: deque[float] = deque()
        self._ids = itertools.count(1)

    # --- lifecycle ------------------------------------------------------------------------

    def make_app(self) -> web.Application:
        app = web.Application(client_max_size=32 * 1024 * 1024)
        app.router.add_post("/v1/chat/completions", self._chat_completions)
        app.router.add_post("/v1/audio/transcriptions", self._transcriptions)
        app.router.add_post("/v1/embeddings", self._embeddings)
        app.router.add_get("/v1/models", self._models)
        return app

    # --- scripting ------------------------------------------------------------------------

    def reply(self, text: str, *, finish_reason: str = "stop") -> None:
        """Queue the content of the next chat completion (streamed word by word if asked)."""
        self._replies.append((text, finish_reason))

    def fail_next(
        self,
        status: int = 500,
        message: str = "The server had an error while processing your request.",
        *,
        times: int = 1,
        retry_after: float | None = None,
    ) -> None:
        """Answer the next `times` requests with an OpenAI-style error of HTTP `status`."""
        self._failures.append(_Failure(status, message, times, retry_after))

    def delay_next(self, seconds: float) -> None:
        """Wait `seconds` before answering the next request (e.g. to trigger a timeout)."""
        self._delays.append(seconds)

    def embed_like(self, fragment: str, key: str) -> None:
        """Embed every input containing `fragment` as `key` (first rule that matches wins), so
        texts given the same key have cosine similarity 1 and others a random one."""
        self._alike.append((fragment, key))

    def transcribe_as(self, text: str) -> None:
        """Queue the text of the next audio transcription (otherwise `default_transcript`)."""
        self._transcripts.append(text)

    @property
    def chat_requests(self) -> list[JsonDict]:
        """The bodies of all chat completion requests, oldest first."""
        return [r.body for r in self.requests if r.path.endswith("/chat/completions")]

    # --- endpoints ------------------------------------------------------------------------

    async def _chat_completions(self, request: web.Request) -> web.StreamResponse:
        body, record, error = await self._begin(request, await self._read_json(request))
        if error is not None:
            return self._finish(record, error)
        messages = body.get("messages")
        if not isinstance(messages, list) or not messages or "model" not in body:
            return self._finish(record, self._error(400, "'model' and 'messages' are required"))
        content, finish_reason = (
            self._replies.popleft() if self._replies else (self.default_reply, "stop")
        )
        completion_id = f"chatcmpl-fake{next(self._ids)}"
        model = str(body["model"])
        usage = {
            "prompt_tokens": _count_tokens(json.dumps(messages, ensure_ascii=False)),
            "completion_tokens": _count_tokens(content),
        }
        usage["total_tokens"] = usage["prompt_tokens"] + usage["completion_tokens"]
        if not body.get("stream"):
            return self._finish(
                record,
                web.json_response(
                    {
                        "id": completion_id,
                        "object": "chat.completion",
                        "created": int(time.time()),
                        "model": model,
                        "choices": [
                            {
                                "index": 0,
                                "message": {"role": "assistant", "content": content},
                                "finish_reason": finish_reason,
                                "logprobs": None,
                            }
                        ],
                        "usage": usage,
                    }
                ),
            )
        response = web.StreamResponse(
            headers={"Content-Type": "text/event-stream", "Cache-Control": "no-cache"}
        )
        record.status = 200
        await response.prepare(request)
        base = {
            "id": completion_id,
            "object": "chat.completion.chunk",
            "created": int(time.time()),
            "model": model,
        }

        def chunk(delta: JsonDict, finish: str | None = None) -> JsonDict:
            choice = {"index": 0, "delta": delta, "finish_reason": finish, "logprobs": None}
            return {**base, "choices": [choice]}

        events = [chunk({"role": "assistant", "content": ""})]
        events += [chunk({"content": piece}) for piece in re.findall(r"\S+\s*|\s+", content)]
        events.append(chunk({}, finish_reason))
        options = body.get("stream_options")
        if isinstance(options, dict) and options.get("include_usage"):
            events.append({**base, "choices": [], "usage": usage})
        for event in events:
            await response.write(f"data: {json.dumps(event, ensure_ascii=False)}\n\n".encode())
        await response.write(b"data: [DONE]\n\n")
        await response.write_eof()
        return response

    async def _transcriptions(self, request: web.Request) -> web.StreamResponse:
        try:
            fields = await self._read_multipart(request)
        except ValueError as exc:
            fields = {"_error": str(exc)}
        body, record, error = await self._begin(request, fields)
        if error is not None:
            return self._finish(record, error)
        if not isinstance(body.get("file"), UploadedAudio) or "model" not in body:
            return self._finish(record, self._error(400, "'file' and 'model' are required"))
        text = self._transcripts.popleft() if self._transcripts else self.default_transcript
        if body.get("response_format") == "text":
            return self._finish(record, web.Response(text=text))
        return self._finish(record, web.json_response({"text": text}))

    async def _embeddings(self, request: web.Request) -> web.StreamResponse:
        body, record, error = await self._begin(request, await self._read_json(request))
        if error is not None:
            return self._finish(record, error)
        raw = body.get("input")
        inputs = [raw] if isinstance(raw, str) else raw
        if not isinstance(inputs, list) or not inputs or "model" not in body:
            return self._finish(record, self._error(400, "'model' and 'input' are required"))
        dimensions = body.get("dimensions") or 16
        data = []
        for index, item in enumerate(inputs):
            key = next((k for fragment, k in self._alike if fragment in str(item)), str(item))
            vector = fake_embedding(key, int(dimensions))
            embedding: list[float] | str = vector
            if body.get("encoding_format") == "base64":
                packed = struct.pack(f"<{len(vector)}f", *vector)
                embedding = base64.b64encode(packed).decode("ascii")
            data.append({"object": "embedding", "index": index, "embedding": embedding})
        tokens = sum(_count_tokens(str(item)) for item in inputs)
        return self._finish(
            record,
            web.json_response(
                {
                    "object": "list",
                    "data": data,
                    "model": str(body["model"]),
                    "usage": {"prompt_tokens": tokens, "total_tokens": tokens},
                }
            ),
        )

    async def _models(self, request: web.Request) -> web.StreamResponse:
        _, record, error = await self._begin(request, {})
        if error is not None:
            return self._finish(record, error)
        model = {"id": "fake-model", "object": "model", "created": 0, "owned_by": "fake"}
        return self._finish(record, web.json_response({"object": "list", "data": [model]}))

    # --- plumbing -------------------------------------------------------------------------

    async def _begin(
        self, request: web.Request, body: JsonDict
    ) -> tuple[JsonDict, RecordedRequest, web.Response | None]:
        """Record the request, apply a scripted delay, then any auth error or scripted failure."""
        record = RecordedRequest(request.path, body, dict(request.headers), time=time.monotonic())
        self.requests.append(record)
        if self._delays:
            await asyncio.sleep(self._delays.popleft())
        if "_error" in body:
            return body, record, self._error(400, str(body["_error"]))
        authorization = request.headers.get("Authorization")
        if self.api_key is not None and authorization != f"Bearer {self.api_key}":
            return body, record, self._error(401, "Incorrect API key provided.")
        if self._failures:
            failure = self._failures[0]
            failure.times -= 1
            if failure.times <= 0:
                self._failures.popleft()
            response = self._error(failure.status, failure.message)
            if failure.retry_after is not None:
                response.headers["Retry-After"] = str(failure.retry_after)
            return body, record, response
        return body, record, None

    @staticmethod
    def _finish(record: RecordedRequest, response: web.StreamResponse) -> web.StreamResponse:
        record.status = response.status
        return response

    @staticmethod
    def _error(status: int, message: str) -> web.Response:
        kind = ERROR_TYPES.get(status, "server_error" if status >= 500 else "invalid_request_error")
        payload = {"error": {"message": message, "type": kind, "param": None, "code": None}}
        return web.json_response(payload, status=status)

    @staticmethod
    async def _read_json(request: web.Request) -> JsonDict:
        try:
            body = await request.json()
        except (ValueError, UnicodeDecodeError):
            return {"_error": "We could not parse the JSON body of your request."}
        return body if isinstance(body, dict) else {"_error": "The body must be a JSON object."}

    @staticmethod
    async def _read_multipart(request: web.Request) -> JsonDict:
        if not request.content_type.startswith("multipart/"):
            raise ValueError("Expected a multipart/form-data body.")
        fields: JsonDict = {}
        reader = await request.multipart()
        while (part := await reader.next()) is not None:
            if not isinstance(part, BodyPartReader) or part.name is None:
                continue
            data = bytes(await part.read(decode=True))
            if part.filename is not None:
                content_type = part.headers.get("Content-Type")
                fields[part.name] = UploadedAudio(part.filename, data, content_type)
            else:
                fields[part.name] = data.decode(part.get_charset(default="utf-8"))
        return fields


def _count_tokens(text: str) -> int:
    """A rough token count (words, and each CJK character)."""
    return len(re.findall(r"[\u3400-\u9fff]|[^\s\u3400-\u9fff]+", text))

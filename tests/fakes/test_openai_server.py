"""Tests of the fake OpenAI-compatible server, driven by the real openai.AsyncOpenAI client."""

from __future__ import annotations

import time
from collections.abc import AsyncIterator

import aiohttp
import openai
import pytest
import pytest_asyncio
from openai import AsyncOpenAI

from .openai_server import FakeOpenAI, UploadedAudio, fake_embedding

pytestmark = pytest.mark.asyncio

MESSAGES = [{"role": "user", "content": "Hello"}]


@pytest_asyncio.fixture
async def fake() -> AsyncIterator[FakeOpenAI]:
    async with FakeOpenAI() as server:
        yield server


@pytest_asyncio.fixture
async def client(fake: FakeOpenAI) -> AsyncIterator[AsyncOpenAI]:
    async with AsyncOpenAI(base_url=fake.base_url, api_key="test-key", max_retries=0) as c:
        yield c


async def test_chat_completion_returns_queued_reply_and_records_the_body(
    fake: FakeOpenAI, client: AsyncOpenAI
) -> None:
    assert fake.base_url.startswith("http://127.0.0.1:") and fake.base_url.endswith("/v1")
    fake.reply("Hi there")
    completion = await client.chat.completions.create(
        model="test-model", messages=MESSAGES, temperature=0.1
    )
    assert completion.choices[0].message.content == "Hi there"
    assert completion.choices[0].finish_reason == "stop"
    assert completion.model == "test-model"
    [request] = fake.requests
    assert request.path == "/v1/chat/completions"
    assert request.body["messages"] == MESSAGES
    assert request.body["temperature"] == 0.1
    assert request.headers["Authorization"] == "Bearer test-key"
    assert request.status == 200
    assert fake.chat_requests == [request.body]


async def test_replies_are_used_in_order_then_the_default(
    fake: FakeOpenAI, client: AsyncOpenAI
) -> None:
    fake.reply("one")
    fake.reply("two", finish_reason="length")
    contents = []
    for _ in range(3):
        completion = await client.chat.completions.create(model="m", messages=MESSAGES)
        contents.append(
            (completion.choices[0].message.content, completion.choices[0].finish_reason)
        )
    assert contents == [("one", "stop"), ("two", "length"), (fake.default_reply, "stop")]


async def test_streaming_sends_chunks_then_done(fake: FakeOpenAI, client: AsyncOpenAI) -> None:
    fake.reply("Take photos by the window 在窗边")
    stream = await client.chat.completions.create(
        model="m", messages=MESSAGES, stream=True, stream_options={"include_usage": True}
    )
    pieces: list[str] = []
    finish: list[str] = []
    usage = None
    async for chunk in stream:
        if chunk.usage is not None:
            usage = chunk.usage
        for choice in chunk.choices:
            if choice.delta.content:
                pieces.append(choice.delta.content)
            if choice.finish_reason:
                finish.append(choice.finish_reason)
    assert len(pieces) > 1
    assert "".join(pieces) == "Take photos by the window 在窗边"
    assert finish == ["stop"]
    assert usage is not None and usage.completion_tokens > 0
    assert fake.requests[0].body["stream"] is True


async def test_stream_ends_with_done_marker(fake: FakeOpenAI) -> None:
    fake.reply("a b")
    async with (
        aiohttp.ClientSession() as session,
        session.post(
            f"{fake.base_url}/chat/completions",
            json={"model": "m", "messages": MESSAGES, "stream": True},
        ) as response,
    ):
        assert response.headers["Content-Type"].startswith("text/event-stream")
        body = await response.text()
    events = [line for line in body.split("\n\n") if line]
    assert all(event.startswith("data: ") for event in events)
    assert events[-1] == "data: [DONE]"


async def test_fail_next_answers_an_openai_error(fake: FakeOpenAI, client: AsyncOpenAI) -> None:
    fake.fail_next(500)
    with pytest.raises(openai.InternalServerError) as info:
        await client.chat.completions.create(model="m", messages=MESSAGES)
    assert info.value.status_code == 500
    fake.fail_next(429, "Slow down", times=2)
    for _ in range(2):
        with pytest.raises(openai.RateLimitError, match="Slow down"):
            await client.chat.completions.create(model="m", messages=MESSAGES)
    completion = await client.chat.completions.create(model="m", messages=MESSAGES)
    assert completion.choices[0].message.content == fake.default_reply
    assert [r.status for r in fake.requests] == [500, 429, 429, 200]


async def test_fail_next_applies_before_streaming(fake: FakeOpenAI, client: AsyncOpenAI) -> None:
    fake.fail_next(503)
    with pytest.raises(openai.APIStatusError) as info:
        await client.chat.completions.create(model="m", messages=MESSAGES, stream=True)
    assert info.value.status_code == 503


async def test_client_retries_reach_the_fake(fake: FakeOpenAI) -> None:
    fake.fail_next(500, retry_after=0)
    async with AsyncOpenAI(base_url=fake.base_url, api_key="k", max_retries=1) as retrying:
        completion = await retrying.chat.completions.create(model="m", messages=MESSAGES)
    assert completion.choices[0].message.content == fake.default_reply
    assert [r.status for r in fake.requests] == [500, 200]


async def test_delay_next_triggers_the_client_timeout(
    fake: FakeOpenAI, client: AsyncOpenAI
) -> None:
    fake.delay_next(5)
    started = time.monotonic()
    with pytest.raises(openai.APITimeoutError):
        await client.chat.completions.create(model="m", messages=MESSAGES, timeout=0.3)
    assert time.monotonic() - started < 2
    completion = await client.chat.completions.create(model="m", messages=MESSAGES)
    assert completion.choices[0].message.content == fake.default_reply


async def test_api_key_is_checked_when_set() -> None:
    async with FakeOpenAI(api_key="right") as fake:
        async with AsyncOpenAI(base_url=fake.base_url, api_key="wrong", max_retries=0) as c:
            with pytest.raises(openai.AuthenticationError):
                await c.chat.completions.create(model="m", messages=MESSAGES)
        async with AsyncOpenAI(base_url=fake.base_url, api_key="right", max_retries=0) as c:
            await c.chat.completions.create(model="m", messages=MESSAGES)


async def test_missing_messages_is_a_bad_request(fake: FakeOpenAI, client: AsyncOpenAI) -> None:
    with pytest.raises(openai.BadRequestError):
        await client.chat.completions.create(model="m", messages=[])


async def test_transcription_reads_the_multipart_upload(
    fake: FakeOpenAI, client: AsyncOpenAI
) -> None:
    fake.transcribe_as("怎么拍照片")
    result = await client.audio.transcriptions.create(
        file=("voice.ogg", b"OggS fake audio"), model="whisper-1", language="zh"
    )
    assert result.text == "怎么拍照片"
    [request] = fake.requests
    assert request.path == "/v1/audio/transcriptions"
    upload = request.body["file"]
    assert isinstance(upload, UploadedAudio)
    assert (upload.filename, upload.content) == ("voice.ogg", b"OggS fake audio")
    assert request.body["model"] == "whisper-1"
    assert request.body["language"] == "zh"
    text = await client.audio.transcriptions.create(
        file=("v.ogg", b"x"), model="whisper-1", response_format="text"
    )
    assert str(text).strip() == fake.default_transcript


async def test_embeddings_are_deterministic_in_both_encodings(
    fake: FakeOpenAI, client: AsyncOpenAI
) -> None:
    first = await client.embeddings.create(model="emb", input=["apples", "pears"])
    again = await client.embeddings.create(model="emb", input="apples", encoding_format="float")
    sized = await client.embeddings.create(model="emb", input="apples", dimensions=8)
    apples, pears = (item.embedding for item in first.data)
    assert apples == pytest.approx(fake_embedding("apples"), abs=1e-6)
    assert again.data[0].embedding == pytest.approx(apples, abs=1e-6)
    assert apples != pytest.approx(pears)
    assert len(apples) == 16 and len(sized.data[0].embedding) == 8
    assert sum(v * v for v in apples) == pytest.approx(1.0, abs=1e-5)
    assert [r.body["input"] for r in fake.requests] == [["apples", "pears"], "apples", "apples"]

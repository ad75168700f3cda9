"""Voice questions on WeChat end to end over real HTTP: WeChat posts a voice message (its
MediaId, Format amr), the channel fetches the AMR from the fake API, the handler converts it to
a WAV for the fake OpenAI server's transcription, and the answer goes back as the typed question's
would."""

from __future__ import annotations

import io
import wave
from collections.abc import AsyncIterator

import pytest
from sqlmodel import select

from bot.db.models import Delivery, DeliveryKind, TraineeQuestion
from bot.i18n import Translator
from tests.channels.wechat.conftest import LiveWeChat, running_wechat, wechat_settings
from tests.channels.wechat.test_e2e import CODE, choices, make_class
from tests.fakes.openai_server import FakeOpenAI
from tests.fakes.wechat_api import FakeWeChatAPI, Sent
from tests.qa.test_audio import AMR, SECONDS

zh = Translator("zh")
QUESTION = "杨梅怎么包装"  # what tests/fixtures/yangmei.amr says


@pytest.fixture
async def llm() -> AsyncIterator[FakeOpenAI]:
    async with FakeOpenAI() as fake:
        yield fake


@pytest.fixture
async def live(
    fake_wechat: FakeWeChatAPI, llm: FakeOpenAI, database_url: str
) -> AsyncIterator[LiveWeChat]:
    settings = wechat_settings(
        fake_wechat,
        database_url,
        llm_base_url=llm.base_url,
        llm_api_key="k",
        transcription_model="whisper-1",
    )
    async with running_wechat(fake_wechat, settings) as live:
        yield live


async def speak(live: LiveWeChat, openid: str, audio: bytes, format: str = "amr") -> list[Sent]:
    media = live.fake.add_media(audio, "audio/amr", f"voice.{format}")
    # WeChat's own Recognition is there and must not be read.
    xml = live.poster.voice(openid, media.media_id, recognition="别读这个", format=format)
    return await live.post(openid, xml, "voice")


def transcribed(llm: FakeOpenAI) -> list[bytes]:
    """What reached the transcription endpoint, in order."""
    return [
        request.body["file"].content
        for request in llm.requests
        if request.path.endswith("/audio/transcriptions")
    ]


async def test_a_chinese_trainee_asks_by_voice_and_the_question_reaches_the_lecturer(
    live: LiveWeChat, llm: FakeOpenAI
) -> None:
    await make_class(live)
    await live.event("oAna", "subscribe", f"qrscene_{CODE}")

    llm.transcribe_as(QUESTION)
    (by_voice,) = await speak(live, "oAna", AMR)
    (wav,) = transcribed(llm)
    assert wav[:4] == b"RIFF"
    with wave.open(io.BytesIO(wav)) as heard:
        assert (heard.getframerate(), heard.getnchannels()) == (16000, 1)
        assert heard.getnframes() / 16000 == pytest.approx(SECONDS, abs=0.05)
    # Answered as the same words typed are: the sample course has no bayberries, so the answer
    # offers the lecturer, as a number to reply with.
    (by_text,) = await live.say("oAna", QUESTION)
    assert by_voice.text == by_text.text
    assert zh("qa.ask_lecturer") in choices(by_voice)
    async with live.runtime.sessions() as session:
        asked = list(await session.exec(select(TraineeQuestion)))
    assert [question.text for question in asked] == [QUESTION, QUESTION]  # not "别读这个"

    (passed,) = await live.say("oAna", choices(by_voice)[zh("qa.ask_lecturer")])
    async with live.runtime.sessions() as session:
        (for_lecturer,) = await session.exec(
            select(Delivery).where(Delivery.kind == DeliveryKind.question)
        )
        handed = await session.exec(select(TraineeQuestion).where(TraineeQuestion.handed_off))
        assert [question.text for question in handed] == [QUESTION]
    assert passed.text and for_lecturer is not None
    assert not live.fake.errors_answered


async def test_the_transcription_down_asks_to_type_and_loses_nothing(
    live: LiveWeChat, llm: FakeOpenAI
) -> None:
    await live.event("oBo", "subscribe")
    llm.fail_next(503)
    (sorry,) = await speak(live, "oBo", AMR)
    assert sorry.text.startswith(zh("error.voice"))
    (sorry,) = await speak(live, "oBo", b"#!AMR\n" + b"\xff" * 300)  # broken: not even tried
    assert sorry.text.startswith(zh("error.voice")) and len(transcribed(llm)) == 1
    # Nothing is stuck and the allowance was not wasted: the next message is answered.
    llm.transcribe_as(QUESTION)
    (answer,) = await speak(live, "oBo", AMR)
    assert answer.text != sorry.text and len(transcribed(llm)) == 2
    assert not live.fake.errors_answered


async def test_wechat_s_own_speex_is_refused_with_words(live: LiveWeChat, llm: FakeOpenAI) -> None:
    """WeChat's Speex is not in an Ogg file (JS-SDK frames): FFmpeg cannot read it."""
    await live.event("oCai", "subscribe")
    (sorry,) = await speak(live, "oCai", b"\x2a" + bytes(42) * 20, format="speex")
    assert sorry.text.startswith(zh("error.voice")) and transcribed(llm) == []

"""Voice questions through the handler, with the provider over real HTTP (the fake OpenAI
server): an AMR voice message reaches the transcription endpoint as a 16 kHz WAV, an Ogg one
as it came; broken, too long or untranscribed audio is answered with words, never a crash."""

from __future__ import annotations

import io
import wave
from collections.abc import AsyncIterator
from dataclasses import dataclass

import pytest

from bot.core.messages import Incoming, Kind, Reply, Sender
from bot.i18n import Translator
from bot.pipeline.router import Offers
from bot.qa.audio import MAX_SECONDS
from bot.runtime import Runtime
from tests.conftest import FixedClock, make_settings, migrated_runtime
from tests.fakes.openai_server import FakeOpenAI, UploadedAudio
from tests.qa.test_audio import AMR, AMR_HEADER, SECONDS

en, zh = Translator("en"), Translator("zh")
QUESTION = "How do I use daylight by a window for my photos?"


@dataclass
class Voices:
    """A school whose "test" channel serves the voice messages in `files` by ref."""

    school: Runtime
    llm: FakeOpenAI
    files: dict[str, bytes]

    async def say(self, audio: bytes, file_format: str = "", language: str = "en") -> Reply:
        ref = f"voice-{len(self.files)}"
        self.files[ref] = audio
        sender = Sender("test", f"ana-{language}", "Ana", language)
        voice = Incoming(sender, Kind.voice, file_ref=ref, file_format=file_format)
        async with self.school.sessions() as session:
            (reply,) = await self.school.academy.handle(voice, session)
        return reply

    def uploads(self) -> list[UploadedAudio]:
        return [
            request.body["file"]
            for request in self.llm.requests
            if request.path.endswith("/audio/transcriptions")
        ]


@pytest.fixture
async def voices(database_url: str) -> AsyncIterator[Voices]:
    async with FakeOpenAI() as llm:
        settings = make_settings(
            database_url,
            llm_base_url=llm.base_url,
            llm_api_key="k",
            transcription_model="whisper-1",
        )
        school = await migrated_runtime(settings)
        school.academy.services.clock = FixedClock()
        files: dict[str, bytes] = {}

        async def fetch(ref: str) -> bytes:
            return files[ref]

        school.academy.services.offers = {"test": Offers(fetch_file=fetch)}
        try:
            yield Voices(school, llm, files)
        finally:
            await school.close()


async def test_an_amr_question_reaches_the_endpoint_as_a_16_khz_wav(voices: Voices) -> None:
    voices.llm.transcribe_as(QUESTION)
    voices.llm.reply("Take it by a window in daylight [good-photos].")
    answer = await voices.say(AMR, "amr")
    assert answer.text == "Take it by a window in daylight."
    (upload,) = voices.uploads()
    assert upload.filename == "voice.wav" and upload.content[:4] == b"RIFF"
    with wave.open(io.BytesIO(upload.content)) as heard:
        assert (heard.getframerate(), heard.getnchannels(), heard.getsampwidth()) == (16000, 1, 2)
        assert heard.getnframes() / 16000 == pytest.approx(SECONDS, abs=0.05)


async def test_an_ogg_voice_note_goes_as_it_came(voices: Voices) -> None:
    voices.llm.transcribe_as(QUESTION)
    voices.llm.reply("Take it by a window in daylight [good-photos].")
    await voices.say(b"OggS-voice-of-ana")  # Telegram and WhatsApp name no format
    (upload,) = voices.uploads()
    assert (upload.filename, upload.content) == ("voice.ogg", b"OggS-voice-of-ana")


async def test_broken_audio_is_asked_to_be_typed_without_calling_the_endpoint(
    voices: Voices,
) -> None:
    reply = await voices.say(AMR_HEADER + b"\xff" * 400, "amr", language="zh")
    assert reply.text == zh("error.voice") and reply.menu is not None
    reply = await voices.say(b"not speex at all", "speex")
    assert reply.text == en("error.voice")
    assert voices.uploads() == []


async def test_a_voice_message_over_two_minutes_is_told_so(voices: Voices) -> None:
    frames = AMR.removeprefix(AMR_HEADER)
    reply = await voices.say(AMR_HEADER + frames * 40, "amr", language="zh")
    assert reply.text == zh("error.voice_too_long", minutes=MAX_SECONDS // 60)
    assert voices.uploads() == []


async def test_the_endpoint_failing_asks_to_type_in_the_person_s_language(
    voices: Voices,
) -> None:
    voices.llm.fail_next(503)
    reply = await voices.say(AMR, "amr", language="zh")
    assert reply.text == zh("error.voice")
    assert len(voices.uploads()) == 1  # it was tried, as a WAV
    # Nothing is stuck: the next voice message is heard.
    voices.llm.transcribe_as(QUESTION)
    voices.llm.reply("Take it by a window in daylight [good-photos].")
    assert (await voices.say(AMR, "amr")).text == "Take it by a window in daylight."

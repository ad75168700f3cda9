"""Voice messages made ready for the transcription endpoint: WeChat's AMR (a real recording of
spoken words, tests/fixtures/) decoded to a 16 kHz mono WAV; Ogg as it came; anything broken,
too big or too long refused with a reason, never a crash."""

from __future__ import annotations

import io
import wave
from dataclasses import dataclass
from pathlib import Path

import pytest

from bot.qa.audio import (
    MAX_INPUT_BYTES,
    MAX_SECONDS,
    AudioRefused,
    Refusal,
    for_transcription,
    format_of,
    sniff,
    to_wav,
)

FIXTURES = Path(__file__).resolve().parent.parent / "fixtures"
AMR = (FIXTURES / "yangmei.amr").read_bytes()  # "杨梅怎么包装", 3.34 s of AMR-NB
SPEEX = (FIXTURES / "yangmei.spx").read_bytes()  # the same words as Ogg Speex
AMR_HEADER = b"#!AMR\n"
SECONDS = 3.34


@dataclass(frozen=True)
class Wav:
    rate: int
    channels: int
    sample_width: int
    seconds: float
    peak: float  # the largest sample, 0..1: speech is well above silence


def read_wav(data: bytes) -> Wav:
    assert data[:4] == b"RIFF" and data[8:12] == b"WAVE"
    with wave.open(io.BytesIO(data)) as reader:
        samples = memoryview(reader.readframes(reader.getnframes())).cast("h")
        return Wav(
            reader.getframerate(),
            reader.getnchannels(),
            reader.getsampwidth(),
            reader.getnframes() / reader.getframerate(),
            max((abs(sample) for sample in samples), default=0) / 32768,
        )


def test_wechat_s_amr_becomes_a_16_khz_mono_wav_of_the_same_length() -> None:
    wav = read_wav(to_wav(AMR, "amr"))
    assert (wav.rate, wav.channels, wav.sample_width) == (16000, 1, 2)
    assert wav.seconds == pytest.approx(SECONDS, abs=0.05)
    assert wav.peak > 0.3  # the words are there, not silence


def test_ogg_speex_is_decoded_too() -> None:
    wav = read_wav(to_wav(SPEEX, "speex"))
    assert wav.seconds == pytest.approx(SECONDS, abs=0.05) and wav.peak > 0.3


async def test_what_the_endpoint_takes_goes_as_it_came_and_amr_as_wav() -> None:
    assert await for_transcription(b"OggS-voice-of-ana") == ("voice.ogg", b"OggS-voice-of-ana")
    # Telegram's voice notes name no format and may not say it: Ogg, as always.
    assert await for_transcription(b"voice", "") == ("voice.ogg", b"voice")
    name, data = await for_transcription(AMR, "amr")
    assert name == "voice.wav" and read_wav(data).seconds == pytest.approx(SECONDS, abs=0.05)
    name, data = await for_transcription(SPEEX, "speex")  # WeChat's word beats the Ogg magic
    assert name == "voice.wav"


@pytest.mark.parametrize(
    ("data", "declared", "expected"),
    [
        (AMR, "amr", "amr"),
        (AMR, "", "amr"),  # the bytes say
        (b"#!AMR-WB\n...", "amr", "amr-wb"),
        (SPEEX, "speex", "speex"),
        (SPEEX, "", "ogg"),
        (AMR, "speex", "amr"),  # the bytes say AMR: they are AMR
        (b"\x2a\x00", "speex", "speex"),  # WeChat's bare Speex: tried, then refused
        (b"RIFF\x00\x00\x00\x00WAVEfmt ", "amr", "wav"),
        (b"\x00\x00\x00\x20ftypM4A ", "", "m4a"),
        (b"ID3\x04", "", "mp3"),
        (b"garbage", "AMR", "amr"),  # WeChat's word, then refused if it does not decode
        (b"garbage", "", "ogg"),
    ],
)
def test_the_format_is_what_the_bytes_say_else_the_channel(
    data: bytes, declared: str, expected: str
) -> None:
    assert format_of(data, declared) == expected


def test_sniff_names_nothing_for_unknown_bytes() -> None:
    assert sniff(b"") is None and sniff(b"\x00" * 32) is None


@pytest.mark.parametrize(
    "data",
    [
        b"",
        b"garbage" * 100,
        AMR_HEADER,  # a header and no sound
        AMR_HEADER + bytes(range(256)) * 20,
        AMR[:40],  # cut short in the second frame
        b"OggS" + b"x" * 300,
    ],
)
def test_broken_audio_is_refused_as_unreadable(data: bytes) -> None:
    with pytest.raises(AudioRefused) as refused:
        to_wav(data, "amr")
    assert refused.value.refusal is Refusal.unreadable


def test_wechat_s_own_speex_out_of_ogg_is_refused_not_guessed() -> None:
    with pytest.raises(AudioRefused) as refused:
        to_wav(b"\x2a" + bytes(42) * 10, "speex")
    assert refused.value.refusal is Refusal.unreadable


async def test_a_file_over_2_mb_is_refused_before_decoding() -> None:
    with pytest.raises(AudioRefused) as refused:
        await for_transcription(AMR_HEADER + b"\x3c" * MAX_INPUT_BYTES, "amr")
    assert refused.value.refusal is Refusal.too_large


def test_more_than_two_minutes_of_sound_is_refused() -> None:
    frames = AMR.removeprefix(AMR_HEADER)  # whole frames: repeating them is a longer recording
    repeat = int(MAX_SECONDS / SECONDS) + 1
    with pytest.raises(AudioRefused) as refused:
        to_wav(AMR_HEADER + frames * repeat, "amr")
    assert refused.value.refusal is Refusal.too_long
    seconds = read_wav(to_wav(AMR_HEADER + frames * (repeat - 2), "amr")).seconds
    assert MAX_SECONDS - 2 * SECONDS < seconds <= MAX_SECONDS


def test_a_format_not_decoded_here_is_unsupported() -> None:
    with pytest.raises(AudioRefused) as refused:
        to_wav(b"#!SILK_V3", "silk")
    assert refused.value.refusal is Refusal.unsupported

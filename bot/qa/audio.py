"""Voice messages made ready for an OpenAI-compatible transcription endpoint, whatever the channel.

The endpoint takes Ogg, MP3, MP4/M4A, WAV, FLAC and WebM. Telegram's and WhatsApp's voice notes
are Ogg Opus and go as they came. WeChat's are AMR (sometimes Speex), which the endpoint refuses:
they are decoded with PyAV (FFmpeg's libraries, bundled in its wheels: no ffmpeg program needed)
into 16 kHz mono 16-bit WAV, what speech models hear anyway.

Decoding untrusted audio is bounded: at most `MAX_INPUT_BYTES` in, decoding stops past
`MAX_SECONDS` of sound, and only the demuxer of the format named is used (no probing of every
format FFmpeg knows). Anything that does not decode is an `AudioRefused`, never a crash.
"""

from __future__ import annotations

import asyncio
import io
import wave
from enum import StrEnum

MAX_INPUT_BYTES = 2 * 1024 * 1024  # an AMR-NB minute is ~90 KB at its highest rate
MAX_SECONDS = 120  # WeChat's voice messages stop at 60 s
RATE = 16_000  # Hz, mono, 16-bit: Whisper's own input
# Formats the transcription endpoint takes as they are, by the file name's extension.
ACCEPTED = frozenset({"flac", "m4a", "mp3", "mp4", "mpeg", "mpga", "oga", "ogg", "wav", "webm"})
# Formats decoded here, and the FFmpeg demuxer that reads each.
DEMUXERS = {"amr": "amr", "amr-wb": "amr", "speex": "ogg"}
# What a file says it is in its first bytes (checked in order).
MAGIC: tuple[tuple[bytes, str], ...] = (
    (b"#!AMR-WB\n", "amr-wb"),
    (b"#!AMR\n", "amr"),
    (b"OggS", "ogg"),
    (b"fLaC", "flac"),
    (b"ID3", "mp3"),
    (b"\x1a\x45\xdf\xa3", "webm"),
)


class Refusal(StrEnum):
    too_large = "too_large"  # more than MAX_INPUT_BYTES
    too_long = "too_long"  # more than MAX_SECONDS of sound
    unreadable = "unreadable"  # not audio of the format it claims, or cut short
    unsupported = "unsupported"  # a format this module does not decode


class AudioRefused(Exception):
    """A voice message that cannot be made ready for transcription, and why."""

    def __init__(self, refusal: Refusal, detail: str = "") -> None:
        super().__init__(f"{refusal}: {detail}" if detail else str(refusal))
        self.refusal = refusal


def sniff(data: bytes) -> str | None:
    """The format the first bytes name (amr, amr-wb, ogg, flac, mp3, webm, wav, m4a), or None."""
    for magic, name in MAGIC:
        if data.startswith(magic):
            return name
    if data[:4] == b"RIFF" and data[8:12] == b"WAVE":
        return "wav"
    if data[4:8] == b"ftyp":
        return "m4a"
    return None


def format_of(data: bytes, declared: str = "") -> str:
    """The voice message's format: what its first bytes say (WeChat's "amr" may be AMR-WB),
    else the channel's word, else Ogg (Telegram's and WhatsApp's voice notes name none). Speex
    has no magic of its own: the channel's "speex" wins over an Ogg file's, since the endpoint
    would not take Ogg Speex."""
    declared = declared.strip().lower()
    sniffed = sniff(data)
    if declared == "speex" and sniffed in (None, "ogg"):
        return declared
    return sniffed or declared or "ogg"


def to_wav(data: bytes, format: str) -> bytes:
    """`data` (audio in `format`: amr, amr-wb or speex) as a 16 kHz mono 16-bit PCM WAV file.

    Raises AudioRefused: over MAX_INPUT_BYTES or MAX_SECONDS, a format not decoded here, or
    bytes that do not decode. Blocking (CPU-bound): call it in a thread (see `for_transcription`).
    """
    if len(data) > MAX_INPUT_BYTES:
        raise AudioRefused(Refusal.too_large, f"{len(data)} bytes")
    demuxer = DEMUXERS.get(format)
    if demuxer is None:
        raise AudioRefused(Refusal.unsupported, format[:20])
    import av  # FFmpeg's libraries load on the first voice message, not at start-up
    import av.error

    pcm = bytearray()
    limit = MAX_SECONDS * RATE * 2
    try:
        with av.open(io.BytesIO(data), "r", format=demuxer) as container:
            if not container.streams.audio:
                raise AudioRefused(Refusal.unreadable, "no audio stream")
            resampler = av.AudioResampler(format="s16", layout="mono", rate=RATE)
            for frame in container.decode(container.streams.audio[0]):
                for mono in resampler.resample(frame):
                    pcm += memoryview(mono.planes[0])[: mono.samples * 2]
                if len(pcm) > limit:
                    raise AudioRefused(Refusal.too_long, f"over {MAX_SECONDS} s")
            for mono in resampler.resample(None):
                pcm += memoryview(mono.planes[0])[: mono.samples * 2]
    except AudioRefused:
        raise
    except (av.error.FFmpegError, ValueError, EOFError, IndexError) as error:
        raise AudioRefused(Refusal.unreadable, type(error).__name__) from error
    if not pcm:
        raise AudioRefused(Refusal.unreadable, "no sound")
    if len(pcm) > limit:
        raise AudioRefused(Refusal.too_long, f"over {MAX_SECONDS} s")
    out = io.BytesIO()
    with wave.open(out, "wb") as wav:
        wav.setnchannels(1)
        wav.setsampwidth(2)
        wav.setframerate(RATE)
        wav.writeframes(bytes(pcm))
    return out.getvalue()


async def for_transcription(data: bytes, declared: str = "") -> tuple[str, bytes]:
    """The file name and bytes to send to the transcription endpoint: the voice message as it
    came when the endpoint takes its format, else converted to WAV in a worker thread.
    `declared` is the format the channel named (WeChat's Format), if any. Raises AudioRefused."""
    format = format_of(data, declared)
    if format in ACCEPTED:
        return f"voice.{format}", data
    return "voice.wav", await asyncio.to_thread(to_wav, data, format)

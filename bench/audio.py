"""Voice messages decoded for transcription (bot/qa/audio.py): the WeChat AMR fixture (3.3 s of
speech) and a 60 s AMR (the fixture's frames repeated: WeChat's longest voice message), each
converted to a 16 kHz mono WAV with PyAV, as the voice handler does (in a thread).

    python bench/audio.py [--runs 20]

Prints the median and worst time per conversion, the real-time factor, the bytes in and out and
the process's peak memory (ru_maxrss) after the runs; ends with one JSON line.
"""

from __future__ import annotations

import argparse
import asyncio
import json
import resource
import statistics
import sys
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from bot.qa.audio import RATE, for_transcription

FIXTURE = Path(__file__).resolve().parents[1] / "tests" / "fixtures" / "yangmei.amr"
HEADER = b"#!AMR\n"


def peak_memory_mb() -> float:
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024  # KiB on Linux


async def measure(name: str, data: bytes, runs: int) -> dict[str, object]:
    times = []
    wav = b""
    for _ in range(runs):
        start = time.perf_counter()
        filename, wav = await for_transcription(data, "amr")
        times.append(time.perf_counter() - start)
    assert filename == "voice.wav"
    seconds = (len(wav) - 44) / (RATE * 2)
    median = statistics.median(times)
    row = {
        "audio": name,
        "seconds": round(seconds, 2),
        "bytes_in": len(data),
        "wav_bytes": len(wav),
        "median_ms": round(median * 1000, 1),
        "worst_ms": round(max(times) * 1000, 1),
        "realtime_x": round(seconds / median),
    }
    print(
        f"{name:>8}: {seconds:5.1f} s of AMR ({len(data):,} B) -> WAV {len(wav):,} B in "
        f"{row['median_ms']} ms median, {row['worst_ms']} ms worst ({row['realtime_x']}x real time)"
    )
    return row


async def main(runs: int) -> None:
    fixture = FIXTURE.read_bytes()
    frames = fixture.removeprefix(HEADER)
    minute = HEADER + frames * round(60 / 3.34)
    before = peak_memory_mb()
    start = time.perf_counter()
    await for_transcription(fixture, "amr")  # the first call loads FFmpeg's libraries
    first_ms = round((time.perf_counter() - start) * 1000, 1)
    print(f"first call (loads PyAV/FFmpeg): {first_ms} ms")
    loaded = peak_memory_mb()
    rows = [await measure("fixture", fixture, runs)]
    after_fixture = peak_memory_mb()
    rows.append(await measure("60 s", minute, runs))
    peak = peak_memory_mb()
    print(
        f"peak memory (ru_maxrss): {before:.0f} MB before, {loaded:.0f} MB with FFmpeg loaded, "
        f"{after_fixture:.0f} MB after the fixture, {peak:.0f} MB after the 60 s conversions"
    )
    memory = {"before": before, "loaded": loaded, "fixture": after_fixture, "minute": peak}
    print(
        json.dumps(
            {
                "first_call_ms": first_ms,
                "rows": rows,
                "peak_mb": {stage: round(mb) for stage, mb in memory.items()},
            }
        )
    )


if __name__ == "__main__":
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--runs", type=int, default=20)
    asyncio.run(main(parser.parse_args().runs))

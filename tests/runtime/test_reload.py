"""Content edited while the bot runs: a good edit is served at once (lessons and the question
index), a broken one is logged and the old content kept."""

from __future__ import annotations

import logging
import shutil
from collections.abc import AsyncIterator
from pathlib import Path

import pytest

from bot.db.types import utcnow
from bot.runtime import Runtime
from bot.runtime.reload import signature
from tests.conftest import SAMPLE_CONTENT, Trainee, make_settings, migrated_runtime

LESSON = Path("courses/sample/lessons/good-photos.en.md")


@pytest.fixture
async def live(tmp_path: Path, database_url: str) -> AsyncIterator[tuple[Runtime, Path]]:
    content = tmp_path / "content"
    shutil.copytree(SAMPLE_CONTENT, content)
    runtime = await migrated_runtime(make_settings(database_url, content_dir=content))
    try:
        yield runtime, content
    finally:
        await runtime.close()


def edit(path: Path, old: str, new: str) -> None:
    text = path.read_text(encoding="utf-8")
    assert old in text
    path.write_text(text.replace(old, new), encoding="utf-8")


async def test_an_edited_lesson_is_served_and_searched_at_once(live: tuple[Runtime, Path]) -> None:
    runtime, content = live
    ana = Trainee(runtime, "ana", "Ana", "en")
    await ana.send("/start")
    question = "How do I wrap bayberries in ice packs for the courier?"
    (before,) = await ana.send(question)
    # Not covered: no lesson to open.
    assert not any(b.payload.startswith("qa:read:") for row in before.buttons for b in row)

    assert await runtime.content.check() is False  # nothing changed yet
    edit(
        content / LESSON,
        "Take it by a window in daylight, on a plain table or cloth.",
        "Take it by a window in daylight. Wrap bayberries in ice packs before the courier comes.",
    )
    assert await runtime.content.check() is True
    course = runtime.academy.services.courses["sample"]
    assert "ice packs" in course.lesson("good-photos", "en").cards[0].text
    (after,) = await ana.send(question)
    assert "ice packs" in after.text
    assert after.buttons[0][0].payload == "qa:read:good-photos"


async def test_broken_content_is_logged_and_the_old_kept(
    live: tuple[Runtime, Path], caplog: pytest.LogCaptureFixture
) -> None:
    runtime, content = live
    old = runtime.academy.services.courses
    edit(content / LESSON, "answer: 1", "answer: 7")
    with caplog.at_level(logging.ERROR, logger="bot.runtime.reload"):
        assert await runtime.content.check() is False
    assert runtime.academy.services.courses is old
    assert "good-photos.en.md" in caplog.text and "still serving the old" in caplog.text
    assert await runtime.content.check() is False  # the same broken files: not tried again
    edit(content / LESSON, "answer: 7", "answer: 1")
    assert await runtime.content.check() is True
    assert runtime.academy.services.courses is not old


def test_the_signature_sees_edits_new_files_and_removals(tmp_path: Path) -> None:
    (tmp_path / "a.md").write_text("one")
    first = signature(tmp_path)
    (tmp_path / "a.md").write_text("one more")
    second = signature(tmp_path)
    (tmp_path / "b.md").write_text("two")
    third = signature(tmp_path)
    (tmp_path / "a.md").unlink()
    assert len({first, second, third, signature(tmp_path)}) == 4
    assert signature(tmp_path / "missing") == ()


async def test_a_version_published_by_another_process_is_served_at_the_next_check(
    live: tuple[Runtime, Path],
) -> None:
    from bot.lessons.publishing import publish_course, read_folder
    from bot.runtime.reload import signature

    runtime, content = live
    before = signature(content)
    files = read_folder(content / "courses/sample")
    name = "lessons/good-photos.en.md"
    files[name] = files[name].replace(b"Buyers cannot touch", b"Buyers never touch")
    publish_course(runtime.settings, "sample", files, author=None, now=utcnow())
    assert signature(content) != before  # the link now points elsewhere: seen
    assert await runtime.content.check() is True
    card = runtime.academy.services.courses["sample"].lesson("good-photos", "en").cards[0]
    assert card.text.startswith("Buyers never touch")
    assert await runtime.content.check() is False

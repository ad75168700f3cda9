"""Checked workbooks waiting for Publish: claimed once however many ask at the same instant,
removed after a day, only our own ids read."""

from __future__ import annotations

import shutil
from concurrent.futures import ThreadPoolExecutor
from datetime import UTC, datetime, timedelta
from pathlib import Path

from bot.config import Settings
from bot.lessons.staging import (
    check_upload,
    claim,
    find,
    is_stage_id,
    stage,
    staging_root,
)
from bot.lessons.workbook import export_course
from tests.conftest import SAMPLE_CONTENT

NOW = datetime(2026, 5, 4, 9, 0, tzinfo=UTC)


def settings_in(tmp_path: Path) -> Settings:
    content = tmp_path / "content"
    shutil.copytree(SAMPLE_CONTENT, content)
    return Settings(_env_file=None, content_dir=content)  # type: ignore[call-arg]


def test_an_upload_keeps_the_course_images_and_is_claimed_once(tmp_path: Path) -> None:
    settings = settings_in(tmp_path)
    upload = check_upload(
        settings, export_course(SAMPLE_CONTENT / "courses" / "sample", "en"), "en"
    )
    assert upload.result.ok and upload.files["media/peach.png"].startswith(b"\x89PNG")
    staged = stage(settings, upload, 7, NOW)
    assert is_stage_id(staged.id) and staged.course is not None
    assert staging_root(settings) == tmp_path / "content-staging"

    with ThreadPoolExecutor(8) as pool:
        taken = list(pool.map(lambda _: claim(settings, staged.id), range(8)))
    winners = [t for t in taken if t is not None]
    assert len(winners) == 1 and winners[0].files == upload.files
    assert find(settings, staged.id) is None
    assert list(staging_root(settings).iterdir()) == []


def test_what_waited_a_day_goes_and_forged_ids_are_nothing(tmp_path: Path) -> None:
    settings = settings_in(tmp_path)
    upload = check_upload(
        settings, export_course(SAMPLE_CONTENT / "courses" / "sample", "en"), "en"
    )
    old = stage(settings, upload, 7, NOW)
    young = stage(settings, upload, 7, NOW + timedelta(hours=23))
    assert find(settings, old.id) is not None
    stage(settings, upload, 8, NOW + timedelta(days=1, minutes=1))
    assert find(settings, old.id) is None and find(settings, young.id) is not None
    for forged in ("", "../content", young.id.upper(), young.id + "0", "x" * 24):
        assert not is_stage_id(forged) or forged == young.id
        assert find(settings, forged) is None and claim(settings, forged) is None

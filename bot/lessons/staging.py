"""A workbook checked in the chat or on the web, kept until its "Publish" tap.

The Publish button carries only the staging id: the checked files wait on the server in
`<staging>/<id>/` (the course's files in `<id>/<course>/`, as the loader wants them, and
`staged.json`: course, who, when). A tap claims them by renaming the folder away first, so a
second tap (a double tap, another worker) finds nothing and publishes nothing. What was never
published is removed after `KEPT_FOR` by the next upload.

Interface:
- `check_upload(settings, data, language) -> Upload`: the workbook checked (images against the
  course's current media/ folder) and, when it has no error, the files to publish with those
  images.
- `stage(settings, upload, person_id, now) -> Staged`, `find`, `claim`, `discard`.
"""

from __future__ import annotations

import json
import os
import re
import secrets
import shutil
from dataclasses import dataclass, field
from datetime import datetime, timedelta
from pathlib import Path

from bot.config import Settings
from bot.lessons.content import load_course
from bot.lessons.model import Course, Lesson
from bot.lessons.publishing import read_folder
from bot.lessons.versions import live_path
from bot.lessons.workbook import ImportResult, import_workbook

KEPT_FOR = timedelta(days=1)
METADATA = "staged.json"
_ID = re.compile(r"[0-9a-f]{24}")


@dataclass(frozen=True)
class Upload:
    """A checked workbook: `files` (with the course's current images) only when it is ok."""

    result: ImportResult
    files: dict[str, bytes] = field(default_factory=dict)

    @property
    def course_id(self) -> str | None:
        return self.result.course_id


@dataclass(frozen=True)
class Staged:
    """Checked files waiting for a Publish tap; `course` is them loaded, for the preview."""

    id: str
    course_id: str
    person_id: int
    staged_at: datetime
    files: dict[str, bytes]
    course: Course | None = None


def is_stage_id(text: str) -> bool:
    """Whether `text` has the form of the ids `stage` makes (24 hexadecimal digits)."""
    return _ID.fullmatch(text) is not None


def staging_root(settings: Settings) -> Path:
    """Where checked workbooks wait (outside the folder the bot loads)."""
    if settings.content_staging_dir is not None:
        return settings.content_staging_dir
    return settings.content_dir.resolve().parent / "content-staging"


def check_upload(settings: Settings, data: bytes, language: str) -> Upload:
    """Check `data` as a course workbook, in `language`; images are checked against the
    course's media/ folder as served now, and kept with the files to publish."""
    result = import_workbook(data, language, media=None)
    if result.course_id is None or result.errors:
        return Upload(result)
    media = live_path(settings, result.course_id) / "media"
    images = read_folder(media) if media.is_dir() else {}
    result = import_workbook(data, language, media=list(images))
    if not result.ok:
        return Upload(result)
    files = {**{f"media/{name}": image for name, image in images.items()}, **result.files}
    return Upload(result, files)


def stage(settings: Settings, upload: Upload, person_id: int, now: datetime) -> Staged:
    """Keep an upload with no error for `person_id`'s Publish tap; removes what waited more
    than KEPT_FOR first."""
    assert upload.result.ok and upload.course_id is not None, "only a checked workbook waits"
    root = staging_root(settings)
    root.mkdir(parents=True, exist_ok=True)
    prune(settings, now)
    stage_id = secrets.token_hex(12)
    temp = root / f".tmp-{stage_id}"
    for name, data in upload.files.items():
        path = temp / upload.course_id / name
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_bytes(data)
    about = {"course": upload.course_id, "person": person_id, "at": now.isoformat()}
    (temp / METADATA).write_text(json.dumps(about), encoding="utf-8")
    os.rename(temp, root / stage_id)  # complete or absent
    found = find(settings, stage_id)
    assert found is not None
    return found


def find(settings: Settings, stage_id: str) -> Staged | None:
    """The upload waiting under `stage_id`; None when there is none (published, cancelled,
    pruned, or an id we never made)."""
    if not _ID.fullmatch(stage_id):
        return None
    return _read(staging_root(settings) / stage_id, stage_id)


def claim(settings: Settings, stage_id: str) -> Staged | None:
    """Take the upload out of the staging folder to publish it: only one caller gets it."""
    if not _ID.fullmatch(stage_id):
        return None
    root = staging_root(settings)
    taken = root / f".claimed-{stage_id}-{secrets.token_hex(4)}"
    try:
        os.rename(root / stage_id, taken)
    except FileNotFoundError:
        return None
    try:
        return _read(taken, stage_id, load=False)
    finally:
        shutil.rmtree(taken, ignore_errors=True)


def discard(settings: Settings, stage_id: str) -> bool:
    """Forget an upload (Cancel); False when there was none."""
    return claim(settings, stage_id) is not None


def prune(settings: Settings, now: datetime) -> None:
    """Remove uploads that waited longer than KEPT_FOR."""
    root = staging_root(settings)
    if not root.is_dir():
        return
    for folder in root.iterdir():
        at = _staged_at(folder / METADATA)
        if at is not None and now - at > KEPT_FOR:
            shutil.rmtree(folder, ignore_errors=True)


def _staged_at(path: Path) -> datetime | None:
    try:
        return datetime.fromisoformat(json.loads(path.read_text(encoding="utf-8"))["at"])
    except (OSError, ValueError, KeyError, TypeError):
        return None


def _read(folder: Path, stage_id: str, *, load: bool = True) -> Staged | None:
    try:
        about = json.loads((folder / METADATA).read_text(encoding="utf-8"))
        course_id, person_id = str(about["course"]), int(about["person"])
        staged_at = datetime.fromisoformat(about["at"])
    except (OSError, ValueError, KeyError, TypeError):
        return None
    files = read_folder(folder / course_id)
    course = load_course(folder / course_id)[0] if load else None
    return Staged(stage_id, course_id, person_id, staged_at, files, course)


def changed_lesson(new: Course, old: Course | None, language: str) -> str:
    """The first lesson (in the new order) whose text in `language` is new or differs from the
    course served now; the first lesson when none does."""

    def marks(course: Course, slug: str) -> tuple[object, ...] | None:
        if slug not in course.lessons:
            return None
        lesson: Lesson = course.lesson(slug, language)
        cards = tuple((card.text, card.image.name if card.image else "") for card in lesson.cards)
        return (lesson.title, cards, lesson.quiz)

    for slug in new.lessons:
        if old is None or marks(new, slug) != marks(old, slug):
            return slug
    return new.lessons[0]

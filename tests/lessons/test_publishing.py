"""Publishing course versions on real folders: history, restore, refusals, and a crash at the
swap leaving the old course served."""

from __future__ import annotations

import os
import shutil
from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest

from bot.config import Settings
from bot.db.models import Role
from bot.lessons.content import ContentError, load_library
from bot.lessons.positions import nearest_card
from bot.lessons.publishing import (
    PublishRefused,
    Refusal,
    UnknownVersion,
    publish_course,
    read_folder,
    recover,
    refusal,
    restore_course,
)
from bot.lessons.versions import PersonRef, history_root, live_number, version_at, versions
from tests.conftest import SAMPLE_CONTENT, make_settings

NOW = datetime(2026, 5, 4, 9, 0, tzinfo=UTC)
LESSON = "lessons/good-photos.en.md"
ADMIN = PersonRef(1, "Boss", Role.admin)
LI_NA = PersonRef(7, "Li Na", Role.lecturer)
PEDRO = PersonRef(8, "Pedro", Role.lecturer)


@pytest.fixture
def settings(tmp_path: Path) -> Settings:
    content = tmp_path / "content"
    shutil.copytree(SAMPLE_CONTENT, content)
    return make_settings("sqlite+aiosqlite:///unused.db", content_dir=content)


def sample_files(settings: Settings) -> dict[str, bytes]:
    return read_folder(settings.content_dir / "courses" / "sample")


def edited(files: dict[str, bytes], old: str, new: str, name: str = LESSON) -> dict[str, bytes]:
    text = files[name].decode()
    assert old in text
    return {**files, name: text.replace(old, new).encode()}


def served_text(settings: Settings) -> str:
    courses, problems = load_library(settings.content_dir)
    assert problems == []
    return courses["sample"].lesson("good-photos", "en").cards[0].text


def test_publish_keeps_the_old_version_and_restore_publishes_it_again(
    settings: Settings,
) -> None:
    files = sample_files(settings)
    new = edited(files, "Buyers cannot touch", "Buyers never touch")
    version = publish_course(settings, "sample", new, author=ADMIN, now=NOW)

    assert version.number == 2 and version.author == ADMIN
    assert served_text(settings).startswith("Buyers never touch")
    assert live_number(settings, "sample") == 2
    kept, published = versions(settings, "sample")[::-1]
    assert kept.kept and kept.author is None and read_folder(kept.files) == files
    assert published.number == 2 and read_folder(published.files) == new
    assert history_root(settings) == settings.content_dir.parent / "content-history"

    restored = restore_course(settings, "sample", 1, author=ADMIN, now=NOW + timedelta(hours=1))
    assert (restored.number, restored.restored_from) == (3, 1)
    assert restored.files_hash == kept.files_hash != published.files_hash
    assert served_text(settings).startswith("Buyers cannot touch")
    assert [v.number for v in versions(settings, "sample")] == [3, 2, 1]
    assert version_at(settings, "sample", NOW + timedelta(minutes=5)).number == 2  # type: ignore[union-attr]
    with pytest.raises(UnknownVersion):
        restore_course(settings, "sample", 9, author=ADMIN, now=NOW)


def test_a_broken_version_is_refused_with_every_problem_and_nothing_changes(
    settings: Settings,
) -> None:
    files = sample_files(settings)
    broken = edited(files, "answer: 1", "answer: 7")
    broken = edited(broken, "id: sample", "id: other", name="course.yaml")
    with pytest.raises(ContentError) as refused:
        publish_course(settings, "sample", broken, author=ADMIN, now=NOW)
    report = str(refused.value)
    assert "good-photos.en.md" in report and "course.yaml" in report
    assert len(refused.value.problems) >= 2
    live = settings.content_dir / "courses" / "sample"
    assert not live.is_symlink() and read_folder(live) == files
    assert versions(settings, "sample") == []
    assert [p.name for p in (history_root(settings) / "sample").iterdir()] == [".lock"]

    with pytest.raises(ContentError, match="inside the course"):
        publish_course(settings, "sample", {**files, "../evil.md": b"x"}, author=ADMIN, now=NOW)


def test_a_crash_at_the_swap_leaves_the_old_course_served(
    settings: Settings, monkeypatch: pytest.MonkeyPatch
) -> None:
    files = sample_files(settings)
    publish_course(
        settings, "sample", edited(files, "Buyers cannot", "Buyers B"), author=None, now=NOW
    )

    def power_cut(*_: object) -> None:
        raise OSError("the machine stopped here")

    with monkeypatch.context() as patched:
        patched.setattr(os, "replace", power_cut)
        with pytest.raises(OSError, match="stopped"):
            publish_course(
                settings, "sample", edited(files, "Buyers cannot", "Buyers C"), author=None, now=NOW
            )
    assert served_text(settings).startswith("Buyers B")  # the old one, whole
    assert live_number(settings, "sample") == 2
    # The next publish clears what the crash left (version 3, never served) and goes on.
    after = publish_course(
        settings, "sample", edited(files, "Buyers cannot", "Buyers D"), author=None, now=NOW
    )
    assert after.number == 3 and served_text(settings).startswith("Buyers D")
    leftovers = [p.name for p in (settings.content_dir / "courses").iterdir()]
    assert leftovers == ["sample"]


def test_a_crash_while_writing_the_version_leaves_the_plain_folder(
    settings: Settings, monkeypatch: pytest.MonkeyPatch
) -> None:
    files = sample_files(settings)
    real_rename = os.rename
    calls = []

    def second_rename_fails(source: object, target: object) -> None:
        calls.append(target)
        if len(calls) == 2:  # the kept copy is in place, the new version is not
            raise OSError("the machine stopped here")
        real_rename(source, target)  # type: ignore[arg-type]

    with monkeypatch.context() as patched:
        patched.setattr(os, "rename", second_rename_fails)
        with pytest.raises(OSError):
            publish_course(
                settings, "sample", edited(files, "Buyers", "People"), author=None, now=NOW
            )
    live = settings.content_dir / "courses" / "sample"
    assert not live.is_symlink() and read_folder(live) == files
    assert served_text(settings).startswith("Buyers cannot")
    assert not list((history_root(settings) / "sample").glob(".tmp-*"))


def test_who_may_publish_which_course(settings: Settings) -> None:
    files = sample_files(settings)
    trainee = PersonRef(9, "Ana", Role.trainee)
    # Our own course: admins only.
    assert refusal(settings, "sample", LI_NA) is Refusal.starter
    assert refusal(settings, "sample", ADMIN) is None and refusal(settings, "sample", None) is None
    assert refusal(settings, "barley", trainee) is Refusal.not_lecturer
    # A new course id: a lecturer may, and becomes its owner.
    barley = {
        name.replace("sample", "barley"): data.replace(b"id: sample", b"id: barley")
        for name, data in files.items()
    }
    assert refusal(settings, "barley", LI_NA) is None
    first = publish_course(settings, "barley", barley, author=LI_NA, now=NOW)
    assert first.owner == LI_NA and first.number == 1
    # Later versions: the owner and admins; another lecturer is refused, saying why.
    with pytest.raises(PublishRefused, match="another lecturer created it") as refused:
        publish_course(settings, "barley", barley, author=PEDRO, now=NOW)
    assert refused.value.why is Refusal.not_author
    again = publish_course(settings, "barley", barley, author=LI_NA, now=NOW)
    by_admin = publish_course(settings, "barley", barley, author=ADMIN, now=NOW)
    assert (again.owner, by_admin.owner, by_admin.author) == (LI_NA, LI_NA, ADMIN)
    with pytest.raises(PublishRefused) as starter:
        publish_course(settings, "sample", files, author=LI_NA, now=NOW)
    assert starter.value.why is Refusal.starter
    courses, problems = load_library(settings.content_dir)
    assert problems == [] and sorted(courses) == ["barley", "sample"]


@pytest.mark.parametrize(
    ("old", "index", "new", "expected"),
    [
        (("a", "b", "c"), 1, ("a", "b", "c"), 1),  # unchanged
        (("a", "b", "c"), 1, ("x", "a", "b", "c"), 2),  # a card added before: same card
        (("a", "b", "c"), 1, ("a", "c"), 1),  # its card removed: the one now in its place
        (("a", "b", "c"), 1, ("a", "b2", "c"), 1),  # its card edited: the new text
        (("a", "b", "c"), 0, ("b", "c"), 0),  # the first removed: the next that remains
        (("a", "b", "c"), 2, ("a", "b"), 1),  # the last removed: the last card
        (("a", "b", "c"), 2, ("x", "y"), 1),  # nothing remains: as far as it goes
    ],
)
def test_the_nearest_card(
    old: tuple[str, ...], index: int, new: tuple[str, ...], expected: int
) -> None:
    assert nearest_card(old, index, new) == expected


def test_recover_puts_back_a_plain_folder_moved_aside_by_a_crash(settings: Settings) -> None:
    courses = settings.content_dir / "courses"
    files = sample_files(settings)
    # The state two renames leave when the machine stops between them.
    os.rename(courses / "sample", courses / ".sample.swap-old")
    os.symlink("nowhere", courses / ".sample.swap")
    recover(settings, "sample")
    assert sorted(p.name for p in courses.iterdir()) == ["sample"]
    assert read_folder(courses / "sample") == files

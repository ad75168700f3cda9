"""Publish a course version atomically, keep every version, restore one as a new version.

How a publish never leaves half a course, even when the machine stops at any instant:
1. the files are written (and fsynced) into a temporary folder inside the course's history
   folder and checked with the loader: on any problem the folder is removed and ContentError
   raised, nothing else was touched;
2. the version's metadata is written beside them, then the temporary folder is renamed to its
   number: a version folder is complete or absent;
3. a symbolic link to it is made under a temporary name next to the live course and renamed
   over `courses/<course>` (rename(2) replaces the old link in one step). Before this rename
   the old course is served, after it the new one. The loader resolves the link once, at its
   start, so a reload that races the swap reads one version whole.
A course still served from a plain folder (as shipped) is first copied into the history as the
version kept, then exchanged with the link in one renameat2(RENAME_EXCHANGE) call (where the
file system cannot, two renames; a crash between them is undone by `recover`).
`recover` (run before every publish) removes what a crash left: temporary folders and links, and
versions newer than the live one (written, never served).
"""

from __future__ import annotations

import ctypes
import ctypes.util
import errno
import fcntl
import os
import shutil
import tempfile
from collections.abc import Iterator, Mapping
from contextlib import contextmanager
from datetime import datetime
from enum import StrEnum
from pathlib import Path, PurePosixPath

from bot.config import Settings
from bot.db.models import Role
from bot.db.roles import RANK
from bot.lessons.content import SLUG, ContentError, Problem, load_course
from bot.lessons.versions import (
    METADATA,
    PersonRef,
    Version,
    files_hash,
    history_root,
    lesson_marks,
    live_number,
    live_path,
    metadata_json,
    versions,
)

_RENAME_EXCHANGE = 2
_AT_FDCWD = -100


class Refusal(StrEnum):
    """Why someone may not publish a course."""

    not_lecturer = "not_lecturer"  # trainees publish nothing
    starter = "starter"  # our own courses: only admins
    not_author = "not_author"  # another lecturer's course


class PublishRefused(Exception):
    """The author may not publish this course; `why` says which rule."""

    def __init__(self, course_id: str, why: Refusal) -> None:
        self.course_id, self.why = course_id, why
        reasons = {
            Refusal.not_lecturer: "only lecturers and admins publish courses",
            Refusal.starter: "it is one of our own courses: only an admin may publish it",
            Refusal.not_author: "another lecturer created it: only they or an admin may publish it",
        }
        super().__init__(f"You may not publish course '{course_id}': {reasons[why]}.")


class UnknownVersion(LookupError):
    """No such version of the course in its history."""


def owner_of(settings: Settings, course_id: str) -> PersonRef | None:
    """The lecturer who created the course (None: one of ours, or no such course yet)."""
    for version in versions(settings, course_id):
        return version.owner
    return None


def refusal(settings: Settings, course_id: str, author: PersonRef | None) -> Refusal | None:
    """Why `author` may not publish `course_id`, or None when they may. Admins (and the command
    line, author None) always may; a lecturer may publish a new course id, then the later
    versions of the courses they created; our own courses (shipped, or the default) only
    admins."""
    if author is None or author.role == Role.admin:
        return None
    if RANK[author.role] < RANK[Role.lecturer]:
        return Refusal.not_lecturer
    exists = live_path(settings, course_id).exists() or bool(versions(settings, course_id))
    if not exists:
        return None if course_id != settings.default_course else Refusal.starter
    owner = owner_of(settings, course_id)
    if owner is None or course_id == settings.default_course:
        return Refusal.starter
    return None if owner.id == author.id else Refusal.not_author


def publish_course(
    settings: Settings,
    course_id: str,
    files: Mapping[str, bytes],
    *,
    author: PersonRef | None,
    now: datetime,
    restored_from: int | None = None,
) -> Version:
    """Check `files` (paths relative to the course folder) as course `course_id` and serve them
    as its next version, keeping the current one in the history.

    Raises PublishRefused when `author` may not publish it, ContentError with every problem
    when the files are not a good course (nothing is changed then). The running bot serves it
    at its next content check (`ContentReloader.reload_now` at once)."""
    why = refusal(settings, course_id, author)
    if why is not None:
        raise PublishRefused(course_id, why)
    folder = history_root(settings) / course_id
    problems = _name_problems(settings, course_id, files)
    if problems:
        raise ContentError(problems)
    folder.mkdir(parents=True, exist_ok=True)
    with _locked(folder):
        why = refusal(settings, course_id, author)  # again: another may have created it since
        if why is not None:
            raise PublishRefused(course_id, why)
        recover(settings, course_id)
        temp = Path(tempfile.mkdtemp(prefix=".tmp-", dir=folder))
        temp.chmod(0o755)  # readable by the bot when another user publishes
        try:
            course_dir = temp / course_id
            _write_files(course_dir, files)
            course, problems = load_course(course_dir)
            if course is None:
                raise ContentError(problems)
            kept = _keep_plain_folder(settings, course_id, now)
            number = (kept.number if kept else _last_number(folder)) + 1
            version = Version(
                course=course_id,
                number=number,
                published_at=now,
                files_hash=files_hash(dict(files)),
                author=author,
                owner=_owner_after(settings, course_id, author),
                restored_from=restored_from,
                lessons=lesson_marks(course),
                path=folder / str(number),
            )
            _write_synced(temp / METADATA, metadata_json(version).encode())
            _fsync_dir(temp)
            os.rename(temp, version.path)
        except BaseException:
            shutil.rmtree(temp, ignore_errors=True)
            raise
        _fsync_dir(folder)
        _serve(settings, version)
        return version


def restore_course(
    settings: Settings,
    course_id: str,
    number: int,
    *,
    author: PersonRef | None,
    now: datetime,
) -> Version:
    """Publish version `number`'s files again, as a new version (so a restore is undoable too).
    Raises UnknownVersion, and what publish_course raises."""
    found = [v for v in versions(settings, course_id) if v.number == number]
    if not found:
        raise UnknownVersion(f"course '{course_id}' has no version {number}")
    return publish_course(
        settings,
        course_id,
        read_folder(found[0].files),
        author=author,
        now=now,
        restored_from=number,
    )


def read_folder(folder: Path) -> dict[str, bytes]:
    """Every file under `folder` (hidden ones left out), by path relative to it."""
    return {
        path.relative_to(folder).as_posix(): path.read_bytes()
        for path in sorted(folder.rglob("*"))
        if path.is_file()
        and not any(part.startswith(".") for part in path.relative_to(folder).parts)
    }


def recover(settings: Settings, course_id: str) -> None:
    """Clear what an interrupted publish left: temporary folders and links, and versions newer
    than the one served (complete, but never served)."""
    folder = history_root(settings) / course_id
    live = live_path(settings, course_id)
    for leftover in sorted(live.parent.glob(f".{course_id}.swap*"), reverse=True):
        if leftover.is_symlink():
            leftover.unlink()
        elif not live.exists() and not live.is_symlink():  # moved aside, the link not yet in
            os.rename(leftover, live)
        else:  # the plain folder swapped out; it was copied into the history first
            shutil.rmtree(leftover, ignore_errors=True)
    if not folder.is_dir():
        return
    for temp in folder.glob(".tmp-*"):
        shutil.rmtree(temp, ignore_errors=True)
    served = live_number(settings, course_id)
    if served is not None:
        for version in versions(settings, course_id):
            if version.number > served:
                shutil.rmtree(version.path, ignore_errors=True)


def _name_problems(settings: Settings, course_id: str, files: Mapping[str, bytes]) -> list[Problem]:
    where = live_path(settings, course_id)
    if not SLUG.fullmatch(course_id):
        return [Problem(where, 0, "the course id must be lowercase letters, digits and dashes")]
    problems = []
    for name in files:
        path = PurePosixPath(name)
        if path.is_absolute() or ".." in path.parts or not path.parts or "\\" in name:
            problems.append(Problem(where / name, 0, "a file name must stay inside the course"))
        elif any(part.startswith(".") for part in path.parts):
            problems.append(Problem(where / name, 0, "a file name cannot start with a dot"))
    return problems


def _write_files(course_dir: Path, files: Mapping[str, bytes]) -> None:
    for name, data in files.items():
        path = course_dir / name
        path.parent.mkdir(parents=True, exist_ok=True)
        _write_synced(path, data)
    for folder in sorted({p for name in files for p in (course_dir / name).parents}):
        if folder.is_relative_to(course_dir):
            _fsync_dir(folder)


def _write_synced(path: Path, data: bytes) -> None:
    with path.open("wb") as handle:
        handle.write(data)
        handle.flush()
        os.fsync(handle.fileno())


def _fsync_dir(folder: Path) -> None:
    descriptor = os.open(folder, os.O_RDONLY | os.O_DIRECTORY)
    try:
        os.fsync(descriptor)
    finally:
        os.close(descriptor)


@contextmanager
def _locked(folder: Path) -> Iterator[None]:
    """One publisher of a course at a time, across processes."""
    with (folder / ".lock").open("w") as handle:
        fcntl.flock(handle, fcntl.LOCK_EX)
        try:
            yield
        finally:
            fcntl.flock(handle, fcntl.LOCK_UN)


def _last_number(folder: Path) -> int:
    return max((int(p.name) for p in folder.iterdir() if p.name.isdigit()), default=0)


def _owner_after(settings: Settings, course_id: str, author: PersonRef | None) -> PersonRef | None:
    """The course's owner stays; a new course belongs to the lecturer who published it."""
    if versions(settings, course_id) or live_path(settings, course_id).exists():
        return owner_of(settings, course_id)
    return author if author is not None and author.role != Role.admin else None


def _keep_plain_folder(settings: Settings, course_id: str, now: datetime) -> Version | None:
    """A course served from a plain folder: copied into the history as a version first."""
    live = live_path(settings, course_id)
    if live.is_symlink() or not live.is_dir():
        return None
    folder = history_root(settings) / course_id
    files = read_folder(live)
    course, _ = load_course(live)
    temp = Path(tempfile.mkdtemp(prefix=".tmp-", dir=folder))
    temp.chmod(0o755)
    _write_files(temp / course_id, files)
    number = _last_number(folder) + 1
    version = Version(
        course=course_id,
        number=number,
        published_at=now,
        files_hash=files_hash(files),
        kept=True,
        lessons=lesson_marks(course) if course is not None else {},
        path=folder / str(number),
    )
    _write_synced(temp / METADATA, metadata_json(version).encode())
    _fsync_dir(temp)
    os.rename(temp, version.path)
    return version


def _serve(settings: Settings, version: Version) -> None:
    """Point the live course at `version` in one rename (see the module's docstring)."""
    live = live_path(settings, version.course)
    live.parent.mkdir(parents=True, exist_ok=True)
    swap = live.parent / f".{version.course}.swap"
    if swap.is_symlink() or swap.exists():
        swap.unlink()
    os.symlink(os.path.relpath(version.files, live.parent), swap)
    if live.is_dir() and not live.is_symlink():
        try:
            _exchange(swap, live)
        except OSError as error:
            if error.errno not in (errno.EINVAL, errno.ENOSYS, errno.EOPNOTSUPP):
                raise
            # No exchange on this file system: two renames; `recover` puts the folder back
            # if the machine stops between them.
            os.rename(live, live.parent / f".{version.course}.swap-old")
            os.replace(swap, live)
            swap = live.parent / f".{version.course}.swap-old"
        shutil.rmtree(swap)  # the plain folder, now kept in the history
    else:
        os.replace(swap, live)
    _fsync_dir(live.parent)


def _exchange(first: Path, second: Path) -> None:
    """Swap two names in one step (Linux renameat2 with RENAME_EXCHANGE)."""
    libc = ctypes.CDLL(ctypes.util.find_library("c"), use_errno=True)
    result = libc.renameat2(
        _AT_FDCWD, os.fsencode(first), _AT_FDCWD, os.fsencode(second), _RENAME_EXCHANGE
    )
    if result != 0:
        code = ctypes.get_errno()
        raise OSError(code, f"cannot swap {second} for the new version: {os.strerror(code)}")

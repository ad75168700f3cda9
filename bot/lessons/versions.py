"""Published versions of a course: where they are kept, what each one records, which is live.

History lives in `<history>/<course>/<n>/`: the course's files in `<n>/<course>/` (the folder
name is the course id, as the loader wants) and `<n>/version.json` (number, when, who, the files'
hash, and a hash of every card and quiz so progress can follow a change; see
bot.lessons.positions). A version folder never changes once written. The live course,
`<content>/courses/<course>`, is a symbolic link to the version served (a course shipped as a
plain folder becomes one at its first publish).
"""

from __future__ import annotations

import hashlib
import json
import os
from dataclasses import dataclass, field
from datetime import datetime
from functools import lru_cache
from pathlib import Path

from bot.config import Settings
from bot.db.models import Person, Role
from bot.lessons.model import Course, Lesson

METADATA = "version.json"


@dataclass(frozen=True)
class PersonRef:
    """Who published: enough to name them and to check what they may publish."""

    id: int
    name: str
    role: Role = Role.lecturer

    @classmethod
    def of(cls, person: Person) -> PersonRef:
        assert person.id is not None
        return cls(person.id, person.display_name or "", Role(person.role))


@dataclass(frozen=True)
class LessonMarks:
    """A hash per card, in order, and one of the quiz (questions, options, right answers)."""

    cards: tuple[str, ...]
    quiz: str


@dataclass(frozen=True)
class Version:
    """One published version of a course."""

    course: str
    number: int
    published_at: datetime
    files_hash: str
    author: PersonRef | None = None  # None: the server's operator (the command line)
    owner: PersonRef | None = None  # the lecturer who created the course; None: ours
    restored_from: int | None = None
    kept: bool = False  # a copy of the folder served before the first publish
    lessons: dict[tuple[str, str], LessonMarks] = field(default_factory=dict)  # (slug, language)
    path: Path = Path()  # the version's folder

    @property
    def files(self) -> Path:
        """The folder holding the course's files."""
        return self.path / self.course


def history_root(settings: Settings) -> Path:
    """The folder holding every course's versions (outside the folder the bot loads)."""
    if settings.content_history_dir is not None:
        return settings.content_history_dir
    return settings.content_dir.resolve().parent / "content-history"


def live_path(settings: Settings, course_id: str) -> Path:
    return settings.content_dir / "courses" / course_id


def live_number(settings: Settings, course_id: str) -> int | None:
    """The number of the version served now; None for a course served from a plain folder (or
    not served at all)."""
    live = live_path(settings, course_id)
    if not live.is_symlink():
        return None
    target = Path(os.readlink(live))
    try:
        return int(target.parent.name)
    except ValueError:
        return None


def versions(settings: Settings, course_id: str) -> list[Version]:
    """Every complete version of the course, newest first."""
    folder = history_root(settings) / course_id
    if not folder.is_dir():
        return []
    found = [
        read_version(entry / METADATA)
        for entry in folder.iterdir()
        if entry.name.isdigit() and (entry / METADATA).is_file()
    ]
    return sorted(found, key=lambda version: version.number, reverse=True)


def version_at(settings: Settings, course_id: str, when: datetime) -> Version | None:
    """The version that was live at `when`: the newest published by then (the oldest kept one
    when all came later); None without history."""
    known = versions(settings, course_id)
    for version in known:
        if version.published_at <= when:
            return version
    return known[-1] if known else None


def current_version(settings: Settings, course_id: str) -> Version | None:
    number = live_number(settings, course_id)
    if number is None:
        return None
    path = history_root(settings) / course_id / str(number) / METADATA
    return read_version(path) if path.is_file() else None


def files_hash(files: dict[str, bytes]) -> str:
    """One hash of every file's name and bytes, in name order."""
    digest = hashlib.sha256()
    for name in sorted(files):
        digest.update(name.encode() + b"\0" + hashlib.sha256(files[name]).digest())
    return digest.hexdigest()


def lesson_marks(course: Course) -> dict[tuple[str, str], LessonMarks]:
    return {key: _marks(lesson) for key, lesson in course.texts.items()}


def _marks(lesson: Lesson) -> LessonMarks:
    cards = tuple(
        _hash([card.text, card.image.name if card.image else ""]) for card in lesson.cards
    )
    quiz = _hash([[q.text, list(q.options), q.answer] for q in lesson.quiz])
    return LessonMarks(cards, quiz)


def _hash(value: object) -> str:
    return hashlib.sha256(json.dumps(value, ensure_ascii=False).encode()).hexdigest()[:16]


def metadata_json(version: Version) -> str:
    def person(ref: PersonRef | None) -> dict[str, object] | None:
        return None if ref is None else {"id": ref.id, "name": ref.name, "role": str(ref.role)}

    data = {
        "course": version.course,
        "number": version.number,
        "published_at": version.published_at.isoformat(),
        "files_hash": version.files_hash,
        "author": person(version.author),
        "owner": person(version.owner),
        "restored_from": version.restored_from,
        "kept": version.kept,
        "lessons": [
            {"lesson": slug, "language": language, "cards": list(m.cards), "quiz": m.quiz}
            for (slug, language), m in sorted(version.lessons.items())
        ],
    }
    return json.dumps(data, ensure_ascii=False, indent=1) + "\n"


def read_version(path: Path) -> Version:
    stat = path.stat()
    return _parse(path, stat.st_mtime_ns, stat.st_size)


@lru_cache(maxsize=512)
def _parse(path: Path, _mtime: int, _size: int) -> Version:
    """A version.json read once (the files never change; the stat keys the cache anyway)."""
    data = json.loads(path.read_text(encoding="utf-8"))

    def person(value: dict[str, object] | None) -> PersonRef | None:
        if value is None:
            return None
        return PersonRef(int(str(value["id"])), str(value["name"]), Role(str(value["role"])))

    return Version(
        course=data["course"],
        number=int(data["number"]),
        published_at=datetime.fromisoformat(data["published_at"]),
        files_hash=data["files_hash"],
        author=person(data["author"]),
        owner=person(data["owner"]),
        restored_from=data["restored_from"],
        kept=bool(data["kept"]),
        lessons={
            (item["lesson"], item["language"]): LessonMarks(tuple(item["cards"]), item["quiz"])
            for item in data["lessons"]
        },
        path=path.parent,
    )

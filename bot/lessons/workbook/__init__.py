"""The course workbook: a course's files as an .xlsx a lecturer edits, and back, checked.

Interface:
- `export_course(course_dir, language) -> bytes`: the workbook, headers in `language`.
- `import_workbook(data, language, media=None) -> ImportResult`: every error and warning at its
  sheet and cell, in `language`; the course files (as in content/courses/<id>/) only when there
  is no error. Nothing is written anywhere: the caller publishes `files`. `media` names the
  files of the course's media/ folder (images are checked against it; None: not checked).
- `too_big(size, language) -> ImportResult | None`: the refusal of a file over `MAX_BYTES`,
  before it is downloaded or read.
The layout, the checks and the canonical form are in docs/content-format.md, "Workbook".
"""

from __future__ import annotations

import tempfile
from collections.abc import Collection
from dataclasses import dataclass, field
from pathlib import Path

from bot.lessons.content import load_course
from bot.lessons.workbook.build import build_draft
from bot.lessons.workbook.draft import CourseDraft
from bot.lessons.workbook.export import export_course, export_draft
from bot.lessons.workbook.files import course_files, read_course
from bot.lessons.workbook.findings import Finding, Findings
from bot.lessons.workbook.guard import MAX_BYTES, refuse, refuse_size
from bot.lessons.workbook.locate import locate
from bot.lessons.workbook.reader import Table, read_tables

__all__ = [
    "MAX_BYTES",
    "CourseDraft",
    "Finding",
    "ImportResult",
    "course_files",
    "export_course",
    "export_draft",
    "import_workbook",
    "read_course",
    "too_big",
]


@dataclass(frozen=True)
class ImportResult:
    """`files` (path in the course folder -> bytes) is empty whenever `errors` is not."""

    course_id: str | None
    files: dict[str, bytes] = field(default_factory=dict)
    errors: list[Finding] = field(default_factory=list)
    warnings: list[Finding] = field(default_factory=list)

    @property
    def ok(self) -> bool:
        return not self.errors


def too_big(size: int, language: str) -> ImportResult | None:
    """The refusal of a file of `size` bytes over the cap, so a caller need not read it first."""
    findings = Findings(language)
    if refuse_size(size, findings):
        return ImportResult(None, errors=findings.errors)
    return None


def import_workbook(
    data: bytes, language: str, media: Collection[str] | None = None
) -> ImportResult:
    """Check the workbook in `data` and turn it into course files.

    `media` names the files in the course's media/ folder; images the workbook names are checked
    against it (None: not checked, e.g. a new course whose images come later).
    """
    findings = Findings(language)
    if refuse(data, findings):
        return ImportResult(None, errors=findings.errors)
    tables = read_tables(data, findings)
    draft = build_draft(tables, findings) if tables is not None else None
    course_id = draft.id if draft is not None else None
    if draft is None or findings.errors:
        return ImportResult(course_id, errors=findings.errors, warnings=findings.warnings)
    files = course_files(draft)
    assert tables is not None
    _check_as_loaded(draft, files, media, tables, findings)
    if findings.errors:
        return ImportResult(course_id, errors=findings.errors, warnings=findings.warnings)
    return ImportResult(course_id, files, [], findings.warnings)


def _check_as_loaded(
    draft: CourseDraft,
    files: dict[str, bytes],
    media: Collection[str] | None,
    tables: dict[str, Table],
    findings: Findings,
) -> None:
    """Run the content loader on the files, so the workbook passes every check a course does."""
    images = {
        name
        for lesson in draft.texts.values()
        for name in (lesson.image, *(card.image for card in lesson.cards))
        if name
    }
    with tempfile.TemporaryDirectory() as temporary:
        folder = Path(temporary).resolve() / draft.id
        for path, content in files.items():
            (folder / path).parent.mkdir(parents=True, exist_ok=True)
            (folder / path).write_bytes(content)
        (folder / "media").mkdir(exist_ok=True)
        for name in media if media is not None else images:
            target = folder / "media" / name
            if target.resolve().is_relative_to(folder / "media"):
                target.parent.mkdir(parents=True, exist_ok=True)
                target.write_bytes(b"")
        _course, problems = load_course(folder)
        for problem in problems:
            inside = problem.path.is_relative_to(folder)
            file = problem.path.relative_to(folder).as_posix() if inside else ""
            text = files.get(file, b"").decode("utf-8")
            where = locate(tables, file, problem.line, text)
            findings.error(where, "in_file", file=file, line=problem.line, message=problem.message)

"""Load courses from `content/courses/<id>/` and check them, reporting every problem with its line.

The format and its rules are in docs/content-format.md. A course is returned only when it has no
problem at all: the bot never teaches half a course.
"""

from __future__ import annotations

import re
from collections.abc import Iterable
from dataclasses import dataclass, field
from pathlib import Path

from bot.config import LANGUAGES, Settings
from bot.lessons.lesson_file import parse_lesson
from bot.lessons.model import Course, Lesson
from bot.lessons.templates import FILE_NAME as TEMPLATES_FILE
from bot.lessons.templates import CourseTemplates, load_templates
from bot.lessons.wechat_templates import FILE_NAME as WECHAT_FILE
from bot.lessons.wechat_templates import CourseWeChatTemplates, load_wechat_templates
from bot.lessons.yaml_lines import (
    Complain,
    Located,
    YamlSyntaxError,
    entry_text,
    parse_yaml,
    read_text,
    unknown_keys,
)

SLUG = re.compile(r"[a-z0-9]+(-[a-z0-9]+)*")
# The database's columns hold 64 characters, but buttons carry slugs and course ids
# (`les:ans:<slug>:<attempt>:<question>:<option>`, `coh:course:<class>:<course id>`) within
# Telegram's 64 bytes of callback data (bot.core.payloads).
SLUG_LENGTH = 40
COURSE_KEYS = ("id", "languages", "pass_mark", "title", "summary", "welcome", "lessons")
TEXT_FIELDS = ("title", "summary", "welcome")
LESSON_NAME = re.compile(r"(?P<slug>[^.]+)\.(?P<language>[^.]+)\.md")
# What one small phone screen shows, in characters: a card (or an answer made of it) longer than
# this is scrolled past. Chinese characters are wider.
SCREEN = {"zh": 300}
SCREEN_LATIN = 450


@dataclass(frozen=True)
class Problem:
    """One thing to fix: `line` counts from 1; 0 means the file or folder as a whole."""

    path: Path
    line: int
    message: str

    def __str__(self) -> str:
        shown = _shown(self.path)
        return f"{shown}:{self.line}: {self.message}" if self.line else f"{shown}: {self.message}"


class ContentError(Exception):
    """The content has problems; str() is the report, one problem a line."""

    def __init__(self, problems: Iterable[Problem]) -> None:
        self.problems = list(problems)
        super().__init__("\n".join(str(problem) for problem in self.problems))


def load_course(course_dir: Path) -> tuple[Course | None, list[Problem]]:
    """Read and check the course in `course_dir`, collecting every problem in every file.

    The Course comes back only when there are no problems; answers are then counted from 0,
    each question has one explanation per option and image paths are absolute.
    """
    root = course_dir.resolve()
    problems: list[Problem] = []
    course_file = root / "course.yaml"
    if not course_file.is_file():
        return None, [Problem(root, 0, "no course.yaml here: add one (see docs/content-format.md)")]
    header = _read_course_file(course_file, root.name, _complainer(problems, course_file))
    texts = _read_lessons(root, header, problems)
    templates_file = root / TEMPLATES_FILE
    templates = (
        load_templates(templates_file, header.languages, _complainer(problems, templates_file))
        if templates_file.is_file()
        else CourseTemplates()
    )
    wechat_file = root / WECHAT_FILE
    wechat_templates = (
        load_wechat_templates(wechat_file, header.languages, _complainer(problems, wechat_file))
        if wechat_file.is_file()
        else CourseWeChatTemplates()
    )
    problems.sort(key=lambda problem: (str(problem.path), problem.line))
    if problems:
        return None, problems
    course = Course(
        id=header.id,
        languages=header.languages,
        pass_mark=header.pass_mark,
        title=header.texts["title"],
        summary=header.texts["summary"],
        welcome=header.texts["welcome"],
        lessons=tuple(slug for slug, _ in header.lessons),
        texts=texts,
        root=root,
        templates=templates,
        wechat_templates=wechat_templates,
    )
    return course, []


def screen_limit(language: str) -> int:
    """About how many characters of `language` one small phone screen shows."""
    return SCREEN.get(language, SCREEN_LATIN)


def screen_warnings(course: Course) -> list[Problem]:
    """Cards longer than one phone screen, as `file:line` warnings in course order. Not problems:
    the course still loads; the card is just harder to read."""
    warnings = []
    for slug in course.lessons:
        for language in course.languages:
            lesson = course.texts.get((slug, language))
            if lesson is None or lesson.source is None:
                continue
            limit = screen_limit(language)
            for card in lesson.cards:
                if len(card.text) > limit:
                    message = (
                        f"warning: card is {len(card.text)} characters, more than one phone "
                        f"screen (about {limit}): split it or make it shorter"
                    )
                    warnings.append(Problem(lesson.source, card.line, message))
    return warnings


def template_warnings(course: Course) -> list[Problem]:
    """A course with a whatsapp.yaml that lacks a template for a purpose or language: WhatsApp
    cannot send that scheduled message to someone who has not written for a day (it falls back
    to the English template, else it is not sent). Not problems: the course still loads."""
    source = course.templates.source
    missing = course.templates.missing(course.languages) if source is not None else []
    whatsapp = [
        Problem(
            source or Path(),
            0,
            f"warning: no {purpose} template in {language}: people reading {language} who have "
            "not written for a day get the English one, or nothing",
        )
        for purpose, language in missing
    ]
    return whatsapp + wechat_template_warnings(course)


def wechat_template_warnings(course: Course) -> list[Problem]:
    """A course with a wechat.yaml that lacks a purpose: WeChat cannot send that scheduled
    message to someone outside their 48 hours (it waits for them). Not problems: the course
    still loads. (A purpose without its Chinese template is a problem, checked on loading.)"""
    source = course.wechat_templates.source
    if source is None:
        return []
    missing = course.wechat_templates.missing(("zh",))
    return [
        Problem(
            source,
            0,
            f"warning: no WeChat {purpose} template: people outside their 48 hours on WeChat "
            "do not get it",
        )
        for purpose, _language in missing
    ]


def load_library(content_dir: Path) -> tuple[dict[str, Course], list[Problem]]:
    """Every course in `content_dir/courses/*/`, by id, and the problems of all of them.

    Courses with problems are left out; a missing content folder or one without courses is a
    problem too.
    """
    root = content_dir.resolve()
    if not root.is_dir():
        return {}, [Problem(root, 0, "content folder not found: check the path")]
    courses_dir = root / "courses"
    folders = (
        sorted(p for p in courses_dir.iterdir() if p.is_dir() and not p.name.startswith("."))
        if courses_dir.is_dir()
        else []
    )
    if not folders:
        return {}, [Problem(courses_dir, 0, "no courses: add courses/<id>/course.yaml")]
    courses: dict[str, Course] = {}
    problems: list[Problem] = []
    for folder in folders:
        course, found = load_course(folder)
        problems.extend(found)
        if course is not None:
            courses[course.id] = course
    return courses, problems


def require_library(content_dir: Path) -> dict[str, Course]:
    """Every course in `content_dir`, by id; raises ContentError listing all problems if any."""
    courses, problems = load_library(content_dir)
    if problems:
        raise ContentError(problems)
    return courses


class MissingCourse(RuntimeError):
    """DEFAULT_COURSE names a course the content folder does not have."""


def load_courses(settings: Settings) -> dict[str, Course]:
    """Every course, validated; refuses to go on with a broken file or a missing default course."""
    courses = require_library(settings.content_dir)
    if settings.default_course not in courses:
        raise MissingCourse(
            f"DEFAULT_COURSE is {settings.default_course!r}, but {settings.content_dir} has only: "
            f"{', '.join(sorted(courses)) or 'no courses'}."
        )
    return courses


def read_utf8(path: Path, complain: Complain) -> str | None:
    """The file's text with `\\n` line ends, or None (and a complaint) if unreadable."""
    try:
        data = path.read_bytes()
    except OSError as error:
        complain(0, f"cannot read the file: {error.strerror}")
        return None
    try:
        text = data.decode("utf-8-sig")  # tolerate the BOM some Windows editors add
    except UnicodeDecodeError as error:
        line = data[: error.start].count(b"\n") + 1
        complain(line, "not UTF-8 text: save the file with UTF-8 encoding")
        return None
    return text.replace("\r\n", "\n").replace("\r", "\n")


def _shown(path: Path) -> str:
    try:
        return str(path.resolve().relative_to(Path.cwd().resolve()))
    except ValueError:
        return str(path)


def _complainer(problems: list[Problem], path: Path) -> Complain:
    return lambda line, message: problems.append(Problem(path, line, message))


@dataclass
class _Header:
    """What course.yaml says, as far as it could be read."""

    id: str = ""
    languages: tuple[str, ...] = ()
    pass_mark: float = 0.0
    texts: dict[str, dict[str, str]] = field(default_factory=dict)  # field -> language -> text
    lessons: list[tuple[str, int]] = field(default_factory=list)  # (slug, line) of good slugs
    lessons_known: bool = False  # False when the lesson list could not be read


def _read_course_file(path: Path, folder: str, complain: Complain) -> _Header:
    header = _Header()
    text = read_utf8(path, complain)
    if text is None:
        return header
    try:
        parsed = parse_yaml(text)
    except YamlSyntaxError as error:
        complain(error.line, error.message)
        return header
    for line, message in parsed.duplicates:
        complain(line, message)
    if parsed.root is None or not isinstance(parsed.root.value, dict):
        complain(1, "course.yaml must be keys and values: id:, languages:, pass_mark:, ...")
        return header
    entries: dict[str, Located] = parsed.root.value
    unknown_keys(entries, COURSE_KEYS, complain)
    header.id = _course_id(entries, folder, complain) or ""
    header.languages = _languages(entries.get("languages"), complain)
    header.pass_mark = _pass_mark(entries.get("pass_mark"), complain) or 0.0
    for name in TEXT_FIELDS:
        header.texts[name] = _per_language(entries.get(name), name, header.languages, complain)
    lessons = entries.get("lessons")
    header.lessons_known = lessons is not None and lessons.is_list and bool(lessons.value)
    header.lessons = _slugs(lessons, complain)
    return header


def _course_id(entries: dict[str, Located], folder: str, complain: Complain) -> str | None:
    course_id = read_text(entries, "id", 1, complain)
    if course_id is None:
        return None
    line = entries["id"].line
    if not SLUG.fullmatch(course_id):
        complain(line, f"course id '{course_id}' must be lowercase letters, digits and dashes")
    elif len(course_id) > SLUG_LENGTH:
        complain(line, f"course id '{course_id}' is too long: keep it to {SLUG_LENGTH} characters")
    elif course_id != folder:
        complain(
            line, f"course id '{course_id}' differs from its folder '{folder}': make them equal"
        )
    return course_id


def _languages(entry: Located | None, complain: Complain) -> tuple[str, ...]:
    if entry is None:
        complain(1, "missing 'languages': list them, e.g. [zh, es, en]")
        return ()
    if not entry.is_list or not entry.value:
        complain(entry.line, "'languages' must be a list such as [zh, es, en]")
        return ()
    found: list[str] = []
    for item in entry.value:
        language = item.text()
        if language not in LANGUAGES:
            complain(item.line, f"unknown language '{language}': use {', '.join(LANGUAGES)}")
        elif language in found:
            complain(item.line, f"language '{language}' is listed twice")
        else:
            found.append(language)
    return tuple(found)


def _pass_mark(entry: Located | None, complain: Complain) -> float | None:
    if entry is None:
        complain(1, "missing 'pass_mark': add the share of right answers to pass, e.g. 0.7")
        return None
    value = entry.value
    if isinstance(value, bool) or not isinstance(value, (int, float)) or not 0 < value <= 1:
        complain(entry.line, "'pass_mark' must be a number above 0 and at most 1, e.g. 0.7")
        return None
    return float(value)


def _per_language(
    entry: Located | None, name: str, languages: tuple[str, ...], complain: Complain
) -> dict[str, str]:
    if entry is None:
        complain(1, f"missing '{name}': give it in each language ('en: ...')")
        return {}
    if not isinstance(entry.value, dict):
        complain(entry.line, f"'{name}' must have one line per language, e.g. 'en: ...'")
        return {}
    texts: dict[str, str] = {}
    for language, item in entry.value.items():
        if language not in LANGUAGES:
            complain(item.line, f"'{name}' has unknown language '{language}': use zh, es or en")
            continue
        text = entry_text(item, f"'{name}' in {language}", complain)
        if text is not None:
            texts[language] = text
    for language in languages:
        if language not in entry.value:
            complain(entry.line, f"'{name}' has no {language} text: add '{language}: ...'")
    return texts


def _slugs(entry: Located | None, complain: Complain) -> list[tuple[str, int]]:
    if entry is None:
        complain(1, "missing 'lessons': list the lesson slugs in the order trainees take them")
        return []
    if not entry.is_list or not entry.value:
        complain(entry.line, "'lessons' must be a list of at least one lesson slug")
        return []
    first_line: dict[str, int] = {}
    for item in entry.value:
        slug = item.text()
        if slug is None or not SLUG.fullmatch(slug):
            complain(
                item.line,
                f"lesson slug '{slug or ''}' must be lowercase letters, digits and dashes, "
                "e.g. product-photos",
            )
        elif slug in first_line:
            complain(
                item.line, f"lesson '{slug}' is listed twice (also on line {first_line[slug]})"
            )
        else:
            if len(slug) > SLUG_LENGTH:
                complain(
                    item.line,
                    f"lesson slug '{slug}' is too long: keep it to {SLUG_LENGTH} characters",
                )
            first_line[slug] = item.line
    return list(first_line.items())


def _read_lessons(
    root: Path, header: _Header, problems: list[Problem]
) -> dict[tuple[str, str], Lesson]:
    """Check every lesson file against the course, and every listed lesson has its files."""
    listed = {slug for slug, _ in header.lessons}
    media_dir = root / "media"
    texts: dict[tuple[str, str], Lesson] = {}
    lessons_dir = root / "lessons"
    paths = sorted(lessons_dir.glob("*.md")) if lessons_dir.is_dir() else []
    for path in paths:
        complain = _complainer(problems, path)
        name = LESSON_NAME.fullmatch(path.name)
        if name is None or not SLUG.fullmatch(name["slug"]):
            complain(1, "lesson file name must be <slug>.<language>.md, e.g. pricing.en.md")
            continue
        slug, language = name["slug"], name["language"]
        if language not in LANGUAGES:
            complain(1, f"unknown language '{language}' in the file name: use zh, es or en")
        elif header.languages and language not in header.languages:
            complain(
                1,
                f"language '{language}' is not in course.yaml's languages "
                f"({', '.join(header.languages)}): add it there or delete the file",
            )
        if header.lessons_known and slug not in listed:
            complain(1, f"lesson '{slug}' is not in course.yaml's lessons: list it or delete it")
        text = read_utf8(path, complain)
        if text is None:
            continue
        lesson = parse_lesson(
            text, slug=slug, language=language, source=path, media_dir=media_dir, complain=complain
        )
        if lesson is not None:
            texts[(slug, language)] = lesson
    course_file = root / "course.yaml"
    for slug, line in header.lessons:
        for language in header.languages:
            if not (lessons_dir / f"{slug}.{language}.md").is_file():
                problems.append(
                    Problem(
                        course_file,
                        line,
                        f"lesson '{slug}' has no {language} text: add lessons/{slug}.{language}.md",
                    )
                )
    return texts

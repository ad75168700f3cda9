"""A course as plain, editable values: what a workbook holds and what the course files say.

The loader (`bot.lessons.content`) turns files into a checked `Course` for trainees; a draft keeps
what a lecturer wrote and nothing more (image names, not paths; `explanation` or `explanations` as
given), so export and import can carry it between the files and the workbook unchanged.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any


@dataclass
class QuestionDraft:
    text: str
    options: list[str]
    answer: int  # the right option, counted from 1
    explanation: str | None = None  # one for every option ...
    explanations: list[str] | None = None  # ... or one per option


@dataclass
class CardDraft:
    text: str
    image: str | None = None  # a file name in media/
    image_text: str = ""  # what the image shows, for people who cannot see it


@dataclass
class LessonDraft:
    slug: str
    language: str
    title: str
    summary: str
    minutes: int
    image: str | None = None
    quiz: list[QuestionDraft] = field(default_factory=list)
    cards: list[CardDraft] = field(default_factory=list)


@dataclass
class CourseDraft:
    id: str
    languages: list[str]
    pass_mark: float
    title: dict[str, str]
    summary: dict[str, str]
    welcome: dict[str, str]
    lessons: list[str]  # slugs, in the order trainees take them
    texts: dict[tuple[str, str], LessonDraft] = field(default_factory=dict)  # (slug, language)
    # whatsapp.yaml and wechat.yaml as plain YAML values (None: the course has no such file)
    whatsapp: dict[str, Any] | None = None
    wechat: dict[str, Any] | None = None

"""What a course is once loaded: plain, validated, immutable objects the handlers read."""

from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path

from bot.lessons.templates import CourseTemplates
from bot.lessons.wechat_templates import CourseWeChatTemplates


@dataclass(frozen=True)
class QuizQuestion:
    """One quiz question; `answer` is the index (from 0) of the right option."""

    text: str
    options: tuple[str, ...]
    answer: int
    explanations: tuple[str, ...]  # one per option (a question-wide explanation is repeated)

    def explanation_for(self, chosen: int) -> str:
        return self.explanations[chosen]


@dataclass(frozen=True)
class Card:
    """One phone screen of a lesson; an image card is sent as a photo with the text as caption."""

    text: str
    image: Path | None = None
    line: int = 0  # where the card starts in its file, for error messages


@dataclass(frozen=True)
class Lesson:
    slug: str
    language: str
    title: str
    summary: str
    minutes: int
    cards: tuple[Card, ...]
    quiz: tuple[QuizQuestion, ...]
    image: Path | None = None
    source: Path | None = None


@dataclass(frozen=True)
class Course:
    """A course in all its languages; `lessons` is the order trainees take them in."""

    id: str
    languages: tuple[str, ...]
    pass_mark: float
    title: dict[str, str]
    summary: dict[str, str]
    welcome: dict[str, str]
    lessons: tuple[str, ...]
    texts: dict[tuple[str, str], Lesson] = field(default_factory=dict)  # (slug, language) -> Lesson
    root: Path | None = None
    # Approved WhatsApp templates for scheduled messages (whatsapp.yaml); empty without the file.
    templates: CourseTemplates = field(default_factory=CourseTemplates)
    # WeChat template messages for scheduled messages (wechat.yaml); empty without the file.
    wechat_templates: CourseWeChatTemplates = field(default_factory=CourseWeChatTemplates)

    def lesson(self, slug: str, language: str) -> Lesson:
        """The lesson in `language`, or in the course's first language if it lacks that one."""
        found = self.texts.get((slug, language))
        return found if found is not None else self.texts[(slug, self.languages[0])]

    def number(self, slug: str) -> int:
        """The lesson's position in the course, from 1."""
        return self.lessons.index(slug) + 1

    def text_in(self, field_values: dict[str, str], language: str) -> str:
        return field_values.get(language) or field_values[self.languages[0]]

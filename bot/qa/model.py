"""What retrieval finds and what an answer is made of."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import TypedDict

from bot.db.models import AnswerMode


@dataclass(frozen=True)
class Passage:
    """One searchable piece of a course: a lesson card, in one language."""

    course_id: str
    lesson: str  # the lesson's slug
    language: str
    title: str  # the lesson's title in that language
    card: int  # the card's index in the lesson, from 0
    text: str


@dataclass(frozen=True)
class Hit:
    passage: Passage
    score: float


LECTURER_TAG = "lecturer"  # the LLM cites a lecturer's answer as [lecturer-1], [lecturer-2]…


def lecturer_slug(number: int) -> str:
    """How the model cites the `number`th lecturer's answer given to it (from 1)."""
    return f"{LECTURER_TAG}-{number}"


def cites_lecturer(cited: list[str]) -> bool:
    """Whether the model cited one of the lecturer's answers it was given."""
    return any(slug.startswith(f"{LECTURER_TAG}-") for slug in cited)


@dataclass(frozen=True)
class LecturerNote:
    """A lecturer's kept answer (bot.qa.entries) given to the LLM along with the cards."""

    question: str  # the question it answered (what the trainee asked, or its neutral rewrite)
    answer: str


@dataclass(frozen=True)
class Source:
    """A lesson an answer draws on, in order of relevance."""

    lesson: str
    title: str
    score: float


class SourceJSON(TypedDict):
    lesson: str
    title: str
    score: float


class AnswerJSON(TypedDict):
    """What `academy ask --json` prints."""

    answer: str
    answered: bool
    mode: AnswerMode
    sources: list[SourceJSON]


@dataclass(frozen=True)
class Answer:
    text: str
    answered: bool  # False: the course does not cover it (offer the lecturer)
    mode: AnswerMode  # llm, retrieval or none: the stored row says `cache` when it was reused
    sources: list[Source] = field(default_factory=list)

    def to_json(self) -> AnswerJSON:
        """The shape `academy ask --json` prints."""
        return {
            "answer": self.text,
            "answered": self.answered,
            "mode": self.mode,
            "sources": [
                {"lesson": s.lesson, "title": s.title, "score": round(s.score, 4)}
                for s in self.sources
            ],
        }

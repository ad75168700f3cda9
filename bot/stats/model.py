"""What the statistics are made of: plain, immutable results that charts and exports read.

The definitions of every figure are in `bot.stats.queries`.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime


class UnknownCohort(LookupError):
    """No cohort has the given id."""


class UnknownCourse(LookupError):
    """The course is not in the loaded content."""


@dataclass(frozen=True)
class LessonCompletion:
    """How many trainees passed one lesson; `share` of the enrolled, 0..1."""

    slug: str
    title: str
    passed: int
    share: float


@dataclass(frozen=True)
class MissedQuestion:
    """A quiz question often answered wrongly; `index` counts from 0, `share` is wrong/answers."""

    slug: str
    lesson_title: str
    index: int
    text: str
    wrong: int
    answers: int
    share: float


@dataclass(frozen=True)
class Topic:
    """A lesson trainees ask about: `questions` had it as their best matching source."""

    slug: str
    title: str
    questions: int


@dataclass(frozen=True)
class AskedQuestions:
    """What trainees asked the bot: counts, and the lessons asked about most (best first)."""

    total: int = 0
    unanswered: int = 0  # the bot declined: the course does not cover it
    waiting: int = 0  # handed to the lecturer, no answer yet
    not_covered: int = 0  # matched no lesson at all
    topics: tuple[Topic, ...] = ()

    @property
    def unanswered_share(self) -> float | None:
        """The share the bot did not answer, 0..1; None when nobody asked anything."""
        return self.unanswered / self.total if self.total else None


@dataclass(frozen=True)
class MessageReach:
    """What came of the messages sent to a group on channels that report receipts (WhatsApp;
    Telegram reports none, so a Telegram-only class has all zeros): `messages` tracked, how many
    `delivered` (reached the phone) and `read`, and how many trainees are `unreachable`."""

    messages: int = 0
    delivered: int = 0
    read: int = 0
    unreachable: int = 0

    @property
    def delivered_share(self) -> float | None:
        """Delivered over tracked messages, 0..1; None when no message reports receipts."""
        return self.delivered / self.messages if self.messages else None

    @property
    def read_share(self) -> float | None:
        """Read over tracked messages, 0..1 (a floor: people can turn read receipts off)."""
        return self.read / self.messages if self.messages else None


@dataclass(frozen=True)
class CohortStats:
    """The coordinator's figures for one cohort (`cohort_id` set) or overall (`cohort_id` None,
    `name` is then the course title)."""

    cohort_id: int | None
    name: str
    course_id: str
    enrolled: int
    active_7d: int
    completion_rate: float
    average_score: float | None
    lessons: list[LessonCompletion]
    most_missed: list[MissedQuestion]
    asked: AskedQuestions = field(default_factory=AskedQuestions)
    reach: MessageReach = field(default_factory=MessageReach)

    @property
    def completed(self) -> int:
        """Trainees who passed every lesson."""
        return round(self.completion_rate * self.enrolled)


@dataclass(frozen=True)
class TraineeRow:
    """One trainee for an export: statuses and best scores in course order.

    A status is "passed", "failed", "quiz", "reading", or "" (never opened). In the overall view a
    person in several cohorts is one row: `cohort` lists them (", "), `joined_at` is the earliest.
    `messages`, `delivered`, `read`: their messages on a channel that reports receipts (0 on
    Telegram); `unreachable` as defined in `bot.stats.queries`.
    """

    person_id: int
    name: str
    cohort: str
    joined_at: datetime
    last_seen_at: datetime
    statuses: tuple[str, ...]
    scores: tuple[float | None, ...]
    passed: int
    messages: int = 0
    delivered: int = 0
    read: int = 0
    unreachable: bool = False

    @property
    def average_score(self) -> float | None:
        """The mean of the best scores of the finished quizzes; None when none is finished."""
        done = [s for s in self.scores if s is not None]
        return sum(done) / len(done) if done else None

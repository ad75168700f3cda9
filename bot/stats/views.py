"""What the web dashboard shows: plain, immutable results of `bot.stats.dashboard`,
`bot.stats.people` and `bot.stats.asked`, for pages and charts to read.

The figures that also appear in `academy stats` are defined in `bot.stats.queries`; the others
are defined where they are computed.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime
from enum import StrEnum

from bot.stats.model import LessonCompletion


class UnknownTrainee(LookupError):
    """No trainee has the given id."""


@dataclass(frozen=True)
class Overview:
    """The programme at a glance: the trainees of a set of classes of one course, each counted
    once. For every class of the course these are `academy stats`'s overall figures."""

    course_id: str
    name: str  # the course's title in the viewer's language
    classes: int  # classes of the course in the set
    enrolled: int
    active_7d: int
    finished: int
    completion_rate: float  # 0..1
    average_score: float | None  # 0..1; None when no quiz was finished
    asked: int  # questions asked to the bot
    unanswered: int  # declined by the bot: the course does not cover them
    waiting: int  # handed to a lecturer, no answer yet
    lessons: tuple[LessonCompletion, ...]  # completion per lesson, in course order


@dataclass(frozen=True)
class ActivityPoint:
    """Active trainees in one period: `start` to `end`, both days included (UTC)."""

    start: date
    end: date
    active: int


@dataclass(frozen=True)
class Activity:
    """Active trainees per period, oldest first; the last period ends today."""

    days_per_period: int  # 1: per day; 7: per week
    points: tuple[ActivityPoint, ...]
    enrolled: int  # the trainees it is counted among


class ClassSort(StrEnum):
    """A column of `ClassRow` the classes can be sorted by."""

    name = "name"
    lecturer = "lecturer"
    members = "members"
    active_7d = "active_7d"
    finished = "finished"
    completion_rate = "completion_rate"
    average_score = "average_score"
    open_questions = "open_questions"


@dataclass(frozen=True)
class ClassRow:
    """One class beside the others (the figures of `academy stats`'s cohort table)."""

    cohort_id: int
    name: str
    course_id: str
    lecturer_id: int | None
    lecturer: str  # their display name; "" when the class has no lecturer
    members: int  # trainees (enrolled)
    active_7d: int
    finished: int
    completion_rate: float
    average_score: float | None
    open_questions: int  # handed to the lecturer, no answer yet


@dataclass(frozen=True)
class MemberRow:
    """One trainee on a class page.

    `reached`: how many lessons, in course order, up to the furthest they opened (0: none);
    `reached_slug`/`reached_status` are that lesson's ("" when none). `best_scores` are in course
    order (None: no finished quiz). `last_active`: the last day they studied (None: never).
    `stuck`: see `bot.stats.people`.
    """

    person_id: int
    name: str
    channel: str
    joined_at: datetime
    last_seen_at: datetime
    last_active: date | None
    reached: int
    reached_slug: str
    reached_title: str
    reached_status: str
    passed: int
    best_scores: tuple[float | None, ...]
    finished: bool
    reminders_on: bool
    reminder_time: str | None
    stuck: bool
    last_progress_at: datetime | None  # the last card or answer in the course


@dataclass(frozen=True)
class ClassPage:
    """A class and its trainees (ordered by name, then id)."""

    cohort_id: int
    name: str
    course_id: str
    lecturer_id: int | None
    lecturer: str
    invite_code: str
    invite_open: bool
    lesson_titles: tuple[str, ...]  # in course order, in the viewer's language
    members: tuple[MemberRow, ...]
    stuck_days: int

    @property
    def stuck(self) -> tuple[MemberRow, ...]:
        return tuple(m for m in self.members if m.stuck)


@dataclass(frozen=True)
class QuestionResult:
    """One quiz question as the trainee last answered it: `correct` in their latest attempt
    (None: never answered), `attempts` the attempts in which they answered it."""

    index: int
    text: str
    correct: bool | None
    attempts: int


@dataclass(frozen=True)
class LessonResult:
    """One lesson for one trainee; `status` "" when never opened."""

    slug: str
    title: str
    status: str
    best_score: float | None
    last_score: float | None
    attempts: int  # quiz attempts started
    passed_at: datetime | None
    questions: tuple[QuestionResult, ...]


@dataclass(frozen=True)
class TraineePage:
    """One trainee: who, where, and every lesson and question of their course."""

    person_id: int
    name: str
    channel: str
    language: str
    role: str
    course_id: str
    cohorts: tuple[tuple[int, str], ...]  # (id, name) of their classes, by name
    last_seen_at: datetime
    last_active: date | None
    reminders_on: bool
    reminder_time: str | None
    lessons: tuple[LessonResult, ...]


@dataclass(frozen=True)
class QuestionAsked:
    """A question a trainee asked the bot. `declined`: the bot did not answer (the course does not
    cover it); `open`: handed to a lecturer who has not answered yet."""

    question_id: int
    person_id: int
    name: str
    cohort_id: int | None
    language: str
    text: str
    asked_at: datetime
    declined: bool
    handed_off: bool
    open: bool
    lecturer_answer: str | None

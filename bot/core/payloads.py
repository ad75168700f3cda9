"""Reading what a button carries or a command was given: only what our own buttons make.

A payload is `prefix:field:field`. Anyone can forge one (a Telegram client sends any callback data),
so every number in it is read here: ASCII digits only (str.isdigit and int() also take "²" and
"١"), within the database's integer (PostgreSQL refuses a larger one, where SQLite would take it).

Each kind of button is a frozen dataclass below `Payload`: its `prefix` and typed fields (int,
str, or a StrEnum). `pack()` makes the string a button carries, `parse()` reads one back and
raises StaleButton on anything `pack()` would not have made. The strings are the ones the bot
made before the classes existed, so buttons already on people's phones keep working.
"""

from __future__ import annotations

import dataclasses
import typing
from enum import StrEnum
from typing import Any, ClassVar, Self

# PostgreSQL's `integer`, the type of every id: a larger number fails in the database.
LARGEST_NUMBER = 2**31 - 1
# Telegram's callback data limit; WhatsApp's ids allow 256 (buttons) and 200 (list rows).
PAYLOAD_BYTES = 64
SEPARATOR = ":"
_DIGITS = frozenset("0123456789")


class StaleButton(Exception):
    """A payload no button of ours has (now): the pipeline answers "this button no longer works"
    and keeps nothing the handler did."""


def whole_number(text: str) -> int | None:
    """`text` as a number when it is only ASCII digits and fits the database's integer; else
    None."""
    if not text or len(text) > len(str(LARGEST_NUMBER)) or not _DIGITS.issuperset(text):
        return None
    number = int(text)
    return number if number <= LARGEST_NUMBER else None


def button_number(field: str) -> int:
    """A number a button carries (see `whole_number`); raises StaleButton when it is none."""
    number = whole_number(field)
    if number is None:
        raise StaleButton(field)
    return number


def digits(width: int) -> Any:
    """An int field written with at least `width` digits (`rem:19:00`, not `rem:19:0`)."""
    return dataclasses.field(metadata={"digits": width})


@dataclasses.dataclass(frozen=True)
class Payload:
    """What a button carries back, typed. Subclasses are frozen dataclasses with a `prefix`
    (one or more `:`-separated words) and fields of type int, str or a StrEnum."""

    prefix: ClassVar[str]
    _fields: ClassVar[tuple[tuple[str, type, int], ...]] = ()

    def __init_subclass__(cls, **kwargs: object) -> None:
        super().__init_subclass__(**kwargs)
        cls._fields = ()  # read on first use: the dataclass decorator runs after this

    @classmethod
    def field_types(cls) -> tuple[tuple[str, type, int], ...]:
        """Each field's name, type and minimum digits (0: any), in payload order."""
        if not cls._fields and dataclasses.fields(cls):
            hints = typing.get_type_hints(cls)
            cls._fields = tuple(
                (f.name, hints[f.name], f.metadata.get("digits", 0))
                for f in dataclasses.fields(cls)
            )
        return cls._fields

    @classmethod
    def shape(cls) -> str:
        """The prefix with a `*` per field (`coh:tz:*:*`): what the router tells kinds apart by."""
        return SEPARATOR.join([cls.prefix, *("*" * len(cls.field_types()))])

    def pack(self) -> str:
        """The payload as a button carries it; ValueError when a field cannot be read back or
        the whole is over PAYLOAD_BYTES."""
        parts = [self.prefix]
        for name, kind, width in self.field_types():
            value = getattr(self, name)
            if kind is int:
                if not 0 <= value <= LARGEST_NUMBER:
                    raise ValueError(f"{name}={value} is out of a payload's range")
                parts.append(str(value).zfill(width))
            else:
                text = str(value)
                if not text or SEPARATOR in text:
                    raise ValueError(f"{name}={text!r} cannot be a payload field")
                parts.append(text)
        packed = SEPARATOR.join(parts)
        if len(packed.encode()) > PAYLOAD_BYTES:
            raise ValueError(f"{packed!r} is over {PAYLOAD_BYTES} bytes")
        return packed

    @classmethod
    def parse(cls, payload: str) -> Self:
        """The payload made by `pack()`; StaleButton for anything else."""
        types = cls.field_types()
        head = cls.prefix + SEPARATOR if types else cls.prefix
        if not payload.startswith(head) or (not types and payload != head):
            raise StaleButton(payload)
        if len(payload.encode()) > PAYLOAD_BYTES:  # no button of ours carries more
            raise StaleButton(payload[:PAYLOAD_BYTES])
        texts = payload[len(head) :].split(SEPARATOR) if types else []
        if len(texts) != len(types):
            raise StaleButton(payload)
        values = {
            name: _read(kind, text, payload)
            for (name, kind, _), text in zip(types, texts, strict=True)
        }
        return cls(**values)


def _read(kind: type, text: str, payload: str) -> object:
    if kind is int:
        return button_number(text)
    if not text:
        raise StaleButton(payload)
    if issubclass(kind, StrEnum):
        try:
            return kind(text)
        except ValueError:
            raise StaleButton(payload) from None
    return text


# Lessons and their quizzes (bot.handlers.lessons).


@dataclasses.dataclass(frozen=True)
class OpenLesson(Payload):
    """The next lesson, where the person left it."""

    prefix = "les:go"


@dataclasses.dataclass(frozen=True)
class NextCard(Payload):
    """ "Next" under card `card` of a lesson."""

    prefix = "les:next"
    lesson: str
    card: int


@dataclasses.dataclass(frozen=True)
class QuizAnswerTap(Payload):
    """Option `chosen` of question `question` in quiz attempt `attempt` of a lesson."""

    prefix = "les:ans"
    lesson: str
    attempt: int
    question: int
    chosen: int


@dataclasses.dataclass(frozen=True)
class RetryQuiz(Payload):
    prefix = "les:retry"
    lesson: str


@dataclasses.dataclass(frozen=True)
class RereadLesson(Payload):
    prefix = "les:reread"
    lesson: str


@dataclasses.dataclass(frozen=True)
class ReviewAnswerTap(Payload):
    """Option `chosen` of review item `item` at its step `step`."""

    prefix = "rev"
    item: int
    step: int
    chosen: int


# Questions (bot.handlers.ask).


@dataclasses.dataclass(frozen=True)
class ReadLesson(Payload):
    """The lesson an answer was taken from."""

    prefix = "qa:read"
    lesson: str


@dataclasses.dataclass(frozen=True)
class HandToLecturer(Payload):
    prefix = "qa:hand"
    question: int


# Lecturers' answers kept as entries (bot.handlers.answers).


@dataclasses.dataclass(frozen=True)
class AddEntry(Payload):
    """Keep the lecturer's answer to question `question` as an entry."""

    prefix = "qa:keep"
    question: int


@dataclasses.dataclass(frozen=True)
class EntryPage(Payload):
    """Page `page` (from 0) of /answers."""

    prefix = "qa:ents"
    page: int


class EntryAction(StrEnum):
    view = "view"
    edit = "edit"  # ask for the new answer
    remove = "remove"  # ask to confirm
    confirm = "confirm"  # remove it


@dataclasses.dataclass(frozen=True)
class EntryTap(Payload):
    """A button on one entry."""

    prefix = "qa:ent"
    action: EntryAction
    entry: int


# Onboarding, help and settings (bot.handlers.start, reminders, privacy).


@dataclasses.dataclass(frozen=True)
class ChooseLanguage(Payload):
    """A language from the /language question."""

    prefix = "lang"
    language: str


@dataclasses.dataclass(frozen=True)
class WelcomeLanguage(Payload):
    """A language from the welcome message, which is redone in it."""

    prefix = "welcome"
    language: str


class HelpTopic(StrEnum):
    reminders = "reminders"
    certificate = "certificate"
    link = "link"  # use the course on another app too (/link)


@dataclasses.dataclass(frozen=True)
class HelpTap(Payload):
    prefix = "help"
    topic: HelpTopic


class YesNo(StrEnum):
    yes = "yes"
    no = "no"


@dataclasses.dataclass(frozen=True)
class ForgetAnswer(Payload):
    """The answer to "delete everything about me?"."""

    prefix = "forget"
    answer: YesNo


@dataclasses.dataclass(frozen=True)
class ReminderAt(Payload):
    """A daily reminder time, local to the person (`rem:19:00`)."""

    prefix = "rem"
    hour: int = digits(2)
    minute: int = digits(2)


@dataclasses.dataclass(frozen=True)
class ReminderOff(Payload):
    prefix = "rem:off"


@dataclasses.dataclass(frozen=True)
class ReminderZones(Payload):
    """Show the zones to choose from."""

    prefix = "rem:tz"


@dataclasses.dataclass(frozen=True)
class ReminderZone(Payload):
    prefix = "rem:tz"
    zone: str


# Classes, their plans and announcements (bot.handlers.cohorts, plans, announce).


class CohortAction(StrEnum):
    view = "view"
    members = "members"
    stuck = "stuck"
    qr = "qr"
    rotate = "rotate"
    close = "close"
    open = "open"
    tz = "tz"  # show the zones
    course = "course"  # show the courses


@dataclasses.dataclass(frozen=True)
class CohortTap(Payload):
    """A button on a class's card."""

    prefix = "coh"
    action: CohortAction
    cohort: int


@dataclasses.dataclass(frozen=True)
class CohortZone(Payload):
    prefix = "coh:tz"
    cohort: int
    zone: str


@dataclasses.dataclass(frozen=True)
class CohortCourse(Payload):
    prefix = "coh:course"
    cohort: int
    course: str


@dataclasses.dataclass(frozen=True)
class ViewPlan(Payload):
    prefix = "plan:view"
    cohort: int


@dataclasses.dataclass(frozen=True)
class NewPlan(Payload):
    prefix = "plan:new"
    cohort: int


class PlanStart(StrEnum):
    today = "today"
    tomorrow = "tomorrow"
    monday = "monday"


@dataclasses.dataclass(frozen=True)
class PlanStartDay(Payload):
    prefix = "plan:start"
    cohort: int
    plan: int
    start: PlanStart


@dataclasses.dataclass(frozen=True)
class PlanWeekday(Payload):
    prefix = "plan:day"
    cohort: int
    plan: int
    day: int


@dataclasses.dataclass(frozen=True)
class PlanTime(Payload):
    """A time of day as four digits (`0800`)."""

    prefix = "plan:time"
    cohort: int
    plan: int
    time: str


class PlanAction(StrEnum):
    save = "save"
    pause = "pause"
    resume = "resume"
    cancel = "cancel"
    cancel_confirmed = "cancelok"


@dataclasses.dataclass(frozen=True)
class PlanTap(Payload):
    """Save a draft; pause, resume or cancel a running plan."""

    prefix = "plan"
    action: PlanAction
    cohort: int
    plan: int


@dataclasses.dataclass(frozen=True)
class NewAnnouncement(Payload):
    prefix = "ann:new"
    cohort: int


@dataclasses.dataclass(frozen=True)
class StopAnnouncement(Payload):
    """Not writing the announcement after all."""

    prefix = "ann:stop"
    cohort: int


class SendWhen(StrEnum):
    now = "now"
    evening = "eve"
    morning = "morn"


@dataclasses.dataclass(frozen=True)
class SendAnnouncement(Payload):
    prefix = "ann:send"
    cohort: int
    announcement: int
    when: SendWhen


@dataclasses.dataclass(frozen=True)
class DropAnnouncement(Payload):
    """Throw away a draft."""

    prefix = "ann:drop"
    cohort: int
    announcement: int


@dataclasses.dataclass(frozen=True)
class CallOffAnnouncement(Payload):
    """Stop a scheduled announcement before it goes out."""

    prefix = "ann:off"
    cohort: int
    announcement: int


@dataclasses.dataclass(frozen=True)
class AnnouncementCounts(Payload):
    """The counts of an announcement that went out, as they are now (receipts come later)."""

    prefix = "ann:seen"
    cohort: int
    announcement: int


# A message the bot sent on its own (bot.handlers.scheduled).


@dataclasses.dataclass(frozen=True)
class OpenScheduled(Payload):
    """Show again, in full, the scheduled message of delivery row `delivery` (an announcement,
    its report, a question for the lecturer, the lecturer's answer): the button of the WhatsApp
    template sent in its place outside the 24 h window."""

    prefix = "msg"
    delivery: int


# Statistics (bot.handlers.stats).


@dataclasses.dataclass(frozen=True)
class CohortStatsTap(Payload):
    prefix = "stats:cohort"
    cohort: int


@dataclasses.dataclass(frozen=True)
class AllStats(Payload):
    prefix = "stats:all"


@dataclasses.dataclass(frozen=True)
class ExportCohort(Payload):
    prefix = "stats:export"
    cohort: int


@dataclasses.dataclass(frozen=True)
class ExportAll(Payload):
    prefix = "stats:export:all"


@dataclasses.dataclass(frozen=True)
class PublishSheet(Payload):
    """Publish the course workbook waiting under this staging id (bot.lessons.staging)."""

    prefix = "sheet:pub"
    stage: str


@dataclasses.dataclass(frozen=True)
class CancelSheet(Payload):
    """Forget the course workbook waiting under this staging id."""

    prefix = "sheet:drop"
    stage: str

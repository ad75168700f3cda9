"""SQLModel tables. Schema changes go through Alembic migrations in `migrations/`."""

from __future__ import annotations

from datetime import date, datetime
from enum import StrEnum

from sqlalchemy import Column, Index, LargeBinary, Text, UniqueConstraint
from sqlmodel import Field, SQLModel

from bot.db.types import EnumText, UTCDateTime, utcnow

LABEL_KEPT = 256  # OfferedChoice.label: a longer label is kept cut (its number still works)
PAYLOAD_KEPT = 512  # OfferedChoice.payload: a menu item's "say:" and its label


class Role(StrEnum):
    """What a person may do; trainee unless promoted."""

    trainee = "trainee"
    lecturer = "lecturer"
    coordinator = "coordinator"
    admin = "admin"


class LessonStatus(StrEnum):
    """Where a person stands in one lesson."""

    reading = "reading"  # on its cards
    quiz = "quiz"  # answering its questions
    passed = "passed"
    failed = "failed"  # the last quiz attempt fell short of the pass mark


class DeliveryStatus(StrEnum):
    pending = "pending"  # waiting for its time
    sending = "sending"  # claimed by a sender until lease_until
    sent = "sent"
    failed = "failed"  # gave up: a permanent error or too many attempts
    blocked = "blocked"  # the person blocked the bot
    skipped = "skipped"  # no longer wanted when its time came (studied today, quiet hours...)
    cancelled = "cancelled"  # its plan or announcement was cancelled


class DeliveryKind(StrEnum):
    """What a scheduled message is."""

    reminder = "reminder"  # the daily "time to study"
    nudge = "nudge"  # a reminder after days without study (today planned as "reminder" rows)
    lesson = "lesson"  # a lesson plan's step: the next lesson is open
    announcement = "announcement"  # a lecturer's message to the class
    report = "report"  # to the lecturer: how many got their announcement
    question = "question"  # a trainee's question handed to the lecturer
    answer = "answer"  # the lecturer's answer to it, to the trainee
    reply = "reply"  # a reply that could not be sent at once (bot/scheduling/outbox.py)


class AnnouncementStatus(StrEnum):
    draft = "draft"  # being written
    scheduled = "scheduled"  # its deliveries are planned
    done = "done"  # every delivery ended and the author got the counts
    cancelled = "cancelled"


class PlanStatus(StrEnum):
    draft = "draft"  # being set up
    active = "active"
    paused = "paused"
    cancelled = "cancelled"
    done = "done"  # every lesson unlocked


class AnswerMode(StrEnum):
    """How the bot answered a question."""

    llm = "llm"  # the LLM wrote it from the lessons found
    retrieval = "retrieval"  # the best matching card itself
    none = "none"  # not answered: not covered, or kept for the lecturer
    cache = "cache"  # stored only: the same question's recent answer, served again
    lecturer = "lecturer"  # a lecturer's answer kept as an entry (AnswerEntry), served at once


class Person(SQLModel, table=True):
    """Anyone who talks to the bot, on any channel."""

    __tablename__ = "people"
    __table_args__ = (
        UniqueConstraint("channel", "channel_user_id", name="uq_people_channel_user"),
    )

    id: int | None = Field(default=None, primary_key=True)
    channel: str = Field(max_length=16)
    channel_user_id: str = Field(max_length=64)
    display_name: str = Field(default="", max_length=128)
    language: str = Field(default="en", max_length=8)
    language_chosen: bool = Field(default=False)
    timezone: str = Field(default="Asia/Shanghai", max_length=64)
    # Whether the person picked their zone (/reminders): then their class's zone no longer moves
    # them; otherwise it is a guess (their language, their class) and follows their class.
    timezone_chosen: bool = Field(default=False)
    role: Role = Field(default=Role.trainee, sa_column=Column(EnumText(Role), nullable=False))
    blocked: bool = Field(default=False)
    created_at: datetime = Field(
        default_factory=utcnow, sa_column=Column(UTCDateTime(), nullable=False)
    )
    last_seen_at: datetime = Field(
        default_factory=utcnow, sa_column=Column(UTCDateTime(), nullable=False)
    )
    # The earliest due review (a copy of MIN(review_items.due_at)), so showing the menu costs no
    # query when nothing is due.
    review_due_at: datetime | None = Field(default=None, sa_column=Column(UTCDateTime()))
    # The cohort the person studies with now (the latest joined; memberships are the record) and
    # its course; None: the default course. No foreign key: cohorts already point at people.
    cohort_id: int | None = Field(default=None)
    course_id: str | None = Field(default=None, max_length=64)
    # Reminders: the local time of the daily reminder ("19:00"), or None when turned off, and
    # when the next one is due (UTC), so the planner reads one index instead of every person.
    reminder_time: str | None = Field(default="19:00", max_length=5)
    next_reminder_at: datetime | None = Field(
        default=None, sa_column=Column(UTCDateTime(), index=True)
    )
    # A question the bot asked and awaits typed text for ("announce:12"); None most of the time.
    awaiting: str | None = Field(default=None, max_length=64)
    # The phone number a channel gives beside its own id (WhatsApp's wa_id beside the
    # business-scoped user id), when it gives one.
    channel_phone: str | None = Field(default=None, max_length=32)
    # One person on several channels (/link): this row is another channel's account of the
    # person `alias_of`, kept so that channel's id still finds them; None for a person's own row.
    alias_of: int | None = Field(default=None, foreign_key="people.id", ondelete="CASCADE")
    # When the numbered choices of `OfferedChoice` were last offered to them; None: none are
    # stored, so a typed message costs no look (Telegram never stores any).
    choices_at: datetime | None = Field(default=None, sa_column=Column(UTCDateTime()))
    # The reply budget ledger of a channel that limits messages after each of theirs (WeChat: 5
    # in 48 h after a message, 3 in a minute after a menu click, a follow or a scan): when the
    # current allowance opened, whether an event opened it, and how many messages were sent
    # since (bot.core.ledger.budget_left reads them; bot.db.ledger writes them).
    budget_opened_at: datetime | None = Field(default=None, sa_column=Column(UTCDateTime()))
    budget_by_event: bool = Field(default=False)
    budget_spent: int = Field(default=0)


class LessonProgress(SQLModel, table=True):
    """Where a person stands in one lesson: the card on screen, or the quiz question and score."""

    __tablename__ = "lesson_progress"
    __table_args__ = (
        UniqueConstraint("person_id", "course_id", "lesson", name="uq_progress_person_lesson"),
    )

    id: int | None = Field(default=None, primary_key=True)
    person_id: int = Field(foreign_key="people.id", ondelete="CASCADE", index=True)
    course_id: str = Field(max_length=64)
    lesson: str = Field(max_length=64)
    status: LessonStatus = Field(
        default=LessonStatus.reading, sa_column=Column(EnumText(LessonStatus), nullable=False)
    )
    card: int = 0
    attempt: int = 0  # quiz attempts started
    question: int = 0
    correct: int = 0
    last_score: float | None = None
    best_score: float | None = None
    started_at: datetime = Field(
        default_factory=utcnow, sa_column=Column(UTCDateTime(), nullable=False)
    )
    updated_at: datetime = Field(
        default_factory=utcnow, sa_column=Column(UTCDateTime(), nullable=False)
    )
    passed_at: datetime | None = Field(default=None, sa_column=Column(UTCDateTime()))


class QuizAnswer(SQLModel, table=True):
    """One answer to one quiz question in one attempt; a second tap cannot add another."""

    __tablename__ = "quiz_answers"
    __table_args__ = (
        UniqueConstraint(
            "person_id", "course_id", "lesson", "attempt", "question", name="uq_answer_once"
        ),
    )

    id: int | None = Field(default=None, primary_key=True)
    person_id: int = Field(foreign_key="people.id", ondelete="CASCADE", index=True)
    course_id: str = Field(max_length=64)
    lesson: str = Field(max_length=64)
    attempt: int
    question: int
    chosen: int
    correct: bool
    answered_at: datetime = Field(
        default_factory=utcnow, sa_column=Column(UTCDateTime(), nullable=False)
    )


class ReviewItem(SQLModel, table=True):
    """A question answered wrongly, coming back on a spaced schedule until it is learned."""

    __tablename__ = "review_items"
    __table_args__ = (
        UniqueConstraint("person_id", "course_id", "lesson", "question", name="uq_review_item"),
    )

    id: int | None = Field(default=None, primary_key=True)
    person_id: int = Field(foreign_key="people.id", ondelete="CASCADE", index=True)
    course_id: str = Field(max_length=64)
    lesson: str = Field(max_length=64)
    question: int
    step: int = 0
    due_at: datetime = Field(sa_column=Column(UTCDateTime(), nullable=False, index=True))


class ActivityDay(SQLModel, table=True):
    """A day (in the person's own timezone) on which they studied: streaks are made of these."""

    __tablename__ = "activity_days"

    person_id: int = Field(foreign_key="people.id", ondelete="CASCADE", primary_key=True)
    day: date = Field(primary_key=True)


class Certificate(SQLModel, table=True):
    """Proof that a person completed a course, checkable by its code."""

    __tablename__ = "certificates"
    __table_args__ = (
        UniqueConstraint("person_id", "course_id", name="uq_certificate_person_course"),
    )

    id: int | None = Field(default=None, primary_key=True)
    person_id: int | None = Field(
        default=None, foreign_key="people.id", ondelete="SET NULL", index=True
    )
    course_id: str = Field(max_length=64)
    code: str = Field(max_length=16, unique=True)
    name: str = Field(max_length=128)
    issued_at: datetime = Field(
        default_factory=utcnow, sa_column=Column(UTCDateTime(), nullable=False)
    )


class Cohort(SQLModel, table=True):
    """A class of trainees with one lecturer, one course and one invite code."""

    __tablename__ = "cohorts"

    id: int | None = Field(default=None, primary_key=True)
    name: str = Field(max_length=128)
    course_id: str = Field(max_length=64)
    timezone: str = Field(max_length=64)
    lecturer_id: int | None = Field(
        default=None, foreign_key="people.id", ondelete="SET NULL", index=True
    )
    invite_code: str = Field(max_length=32, unique=True)
    invite_open: bool = Field(default=True)
    unlocked: int | None = None  # lessons open under a lesson plan; None: all of them
    created_at: datetime = Field(
        default_factory=utcnow, sa_column=Column(UTCDateTime(), nullable=False)
    )


class Membership(SQLModel, table=True):
    """A person enrolled in a cohort."""

    __tablename__ = "memberships"
    __table_args__ = (UniqueConstraint("cohort_id", "person_id", name="uq_membership"),)

    id: int | None = Field(default=None, primary_key=True)
    cohort_id: int = Field(foreign_key="cohorts.id", ondelete="CASCADE", index=True)
    person_id: int = Field(foreign_key="people.id", ondelete="CASCADE", index=True)
    joined_at: datetime = Field(
        default_factory=utcnow, sa_column=Column(UTCDateTime(), nullable=False)
    )


class RoleInvite(SQLModel, table=True):
    """A one-time code that makes whoever opens it a lecturer (or coordinator)."""

    __tablename__ = "role_invites"

    id: int | None = Field(default=None, primary_key=True)
    code: str = Field(max_length=32, unique=True)
    role: Role = Field(sa_column=Column(EnumText(Role), nullable=False))
    created_by: int | None = Field(default=None, foreign_key="people.id", ondelete="SET NULL")
    created_at: datetime = Field(
        default_factory=utcnow, sa_column=Column(UTCDateTime(), nullable=False)
    )
    used_by: int | None = Field(default=None, foreign_key="people.id", ondelete="SET NULL")
    used_at: datetime | None = Field(default=None, sa_column=Column(UTCDateTime()))


class JoinAttempt(SQLModel, table=True):
    """One code a person opened (a class code or a role invite) and whether it let them in: the
    counters behind the limits on guessing, shared by every worker, kept a day."""

    __tablename__ = "join_attempts"
    __table_args__ = (Index("ix_join_attempts_person_at", "person_id", "at"),)

    id: int | None = Field(default=None, primary_key=True)
    person_id: int = Field(foreign_key="people.id", ondelete="CASCADE")
    at: datetime = Field(sa_column=Column(UTCDateTime(), nullable=False, index=True))
    ok: bool
    # The class the code opened, also when it was closed; None for a wrong code or a role
    # invite. No foreign key: the row outlives nothing (a day) and must not block deleting a class.
    cohort_id: int | None = Field(default=None)


# The outbox (bot/scheduling/outbox.py): replies a channel could not send at once are delivery
# rows of kind `DeliveryKind.reply`, waiting while in one of these statuses.
OUTBOX_WAITING = (DeliveryStatus.pending, DeliveryStatus.sending)


class Delivery(SQLModel, table=True):
    """One scheduled message to one person: the source of truth for reminders, lesson plans and
    announcements. Unique per who + what + occurrence, so planning twice never sends twice."""

    __tablename__ = "deliveries"
    __table_args__ = (
        UniqueConstraint("person_id", "kind", "ref", "occurrence", name="uq_delivery_once"),
        Index("ix_deliveries_due", "status", "due_at"),
    )

    id: int | None = Field(default=None, primary_key=True)
    person_id: int = Field(foreign_key="people.id", ondelete="CASCADE", index=True)
    kind: DeliveryKind = Field(sa_column=Column(EnumText(DeliveryKind), nullable=False))
    ref: str = Field(default="", max_length=64)  # which plan/announcement, "" for reminders
    occurrence: str = Field(default="", max_length=32)  # the local day, the plan's step, ...
    due_at: datetime = Field(sa_column=Column(UTCDateTime(), nullable=False))
    status: DeliveryStatus = Field(
        default=DeliveryStatus.pending, sa_column=Column(EnumText(DeliveryStatus), nullable=False)
    )
    attempts: int = 0
    last_error: str | None = Field(default=None, max_length=500)
    lease_until: datetime | None = Field(default=None, sa_column=Column(UTCDateTime()))
    sent_at: datetime | None = Field(default=None, sa_column=Column(UTCDateTime()))
    # A reply that could not be sent at once (kind "reply"): the Reply as JSON, and the bytes of
    # its image or document when the bot made them (bot/scheduling/outbox.py).
    body: str | None = Field(default=None, sa_column=Column(Text()))
    attachment: bytes | None = Field(default=None, sa_column=Column(LargeBinary()))


class ProcessedUpdate(SQLModel, table=True):
    """An update a channel delivered and the bot applied (committed with the handler's changes),
    so a redelivery of it is recognised: Telegram's update_id, WhatsApp's wamid, WeChat's MsgId.
    Kept for a few days (bot/db/processed.py)."""

    __tablename__ = "processed_updates"

    channel: str = Field(max_length=16, primary_key=True)
    ref: str = Field(max_length=128, primary_key=True)
    processed_at: datetime = Field(sa_column=Column(UTCDateTime(), nullable=False, index=True))


class Announcement(SQLModel, table=True):
    """A lecturer's message to a whole class, now or at a time."""

    __tablename__ = "announcements"

    id: int | None = Field(default=None, primary_key=True)
    cohort_id: int = Field(foreign_key="cohorts.id", ondelete="CASCADE", index=True)
    author_id: int | None = Field(default=None, foreign_key="people.id", ondelete="SET NULL")
    text: str = Field(default="", max_length=4000)
    photo_ref: str | None = Field(default=None, max_length=256)  # the channel's file id
    status: AnnouncementStatus = Field(
        default=AnnouncementStatus.draft,
        sa_column=Column(EnumText(AnnouncementStatus), nullable=False),
    )
    send_at: datetime | None = Field(default=None, sa_column=Column(UTCDateTime()))
    reported: bool = Field(default=False)  # the author got the counts
    created_at: datetime = Field(
        default_factory=utcnow, sa_column=Column(UTCDateTime(), nullable=False)
    )


class LessonPlan(SQLModel, table=True):
    """A class's schedule: each occurrence unlocks and announces the next lesson."""

    __tablename__ = "lesson_plans"

    id: int | None = Field(default=None, primary_key=True)
    cohort_id: int = Field(foreign_key="cohorts.id", ondelete="CASCADE", index=True)
    start_date: date
    weekdays: str = Field(default="0,2,4", max_length=20)  # Monday = 0, as in Python
    time: str = Field(default="19:00", max_length=5)  # local time in the class's timezone
    status: PlanStatus = Field(
        default=PlanStatus.draft, sa_column=Column(EnumText(PlanStatus), nullable=False)
    )
    next_step: int = 0  # occurrences done; occurrence k unlocks lesson k + 1
    created_by: int | None = Field(default=None, foreign_key="people.id", ondelete="SET NULL")
    created_at: datetime = Field(
        default_factory=utcnow, sa_column=Column(UTCDateTime(), nullable=False)
    )


class TraineeQuestion(SQLModel, table=True):
    """A question a trainee asked, how it was answered, and the lecturer's answer if handed off."""

    __tablename__ = "questions"

    id: int | None = Field(default=None, primary_key=True)
    person_id: int = Field(foreign_key="people.id", ondelete="CASCADE", index=True)
    cohort_id: int | None = Field(default=None, index=True)
    course_id: str = Field(max_length=64)
    language: str = Field(max_length=8)
    text: str = Field(max_length=2000)
    normalised: str = Field(default="", max_length=2000, index=True)
    mode: AnswerMode = Field(
        default=AnswerMode.none, sa_column=Column(EnumText(AnswerMode), nullable=False)
    )
    answered: bool = Field(default=False)
    answer: str = Field(default="", max_length=4000)
    sources: str = Field(default="", max_length=500)  # lesson slugs, comma-separated, best first
    latency_ms: int = 0
    handed_off: bool = Field(default=False)  # passed to the lecturer
    lecturer_answer: str | None = Field(default=None, max_length=4000)
    asked_at: datetime = Field(
        default_factory=utcnow, sa_column=Column(UTCDateTime(), nullable=False, index=True)
    )
    answered_at: datetime | None = Field(default=None, sa_column=Column(UTCDateTime()))


class AnswerEntry(SQLModel, table=True):
    """A question a lecturer answered, kept so the bot answers it at once next time: searched
    with the cards of its course in its language (bot/qa/entries.py), cited as the lecturer's."""

    __tablename__ = "answer_entries"
    __table_args__ = (Index("ix_answer_entries_course_language", "course_id", "language"),)

    id: int | None = Field(default=None, primary_key=True)
    course_id: str = Field(max_length=64)
    language: str = Field(max_length=8)
    question: str = Field(max_length=2000)
    answer: str = Field(max_length=4000)
    # Who added it; the entry stays (unlinked) when they are forgotten.
    lecturer_id: int | None = Field(default=None, foreign_key="people.id", ondelete="SET NULL")
    created_at: datetime = Field(sa_column=Column(UTCDateTime(), nullable=False))
    updated_at: datetime = Field(sa_column=Column(UTCDateTime(), nullable=False))


class AnonymousTotal(SQLModel, table=True):
    """What forgotten trainees added to a class's figures, as sums that name no one.

    `/forgetme` adds the person's contribution here before deleting their rows, and the statistics
    add these to what they count, so a class's results do not change when someone leaves. One row
    per (class, course, lesson, question): `cohort_id` 0 is the course overall (every class of it,
    each person once); `lesson` "" is the course as a whole; `question` -1 the lesson as a whole.
    No foreign key: 0 is not a class, and the sums outlive nothing but the class they describe.
    """

    __tablename__ = "anonymous_totals"
    __table_args__ = (
        UniqueConstraint("cohort_id", "course_id", "lesson", "question", name="uq_anonymous_total"),
    )

    id: int | None = Field(default=None, primary_key=True)
    cohort_id: int
    course_id: str = Field(max_length=64)
    lesson: str = Field(default="", max_length=64)
    question: int = -1
    trainees: int = 0  # course row: trainees enrolled
    finished: int = 0  # course row: trainees who passed every lesson
    score_sum: float = 0.0  # course row: the sum and number of best quiz scores
    scores: int = 0
    passed: int = 0  # lesson row: trainees who passed the lesson
    wrong: int = 0  # question row: wrong answers, and all answers
    answers: int = 0
    asked: int = 0  # course row: questions asked; lesson row: those whose best source it was
    not_covered: int = 0  # course row: questions that matched no lesson
    unanswered: int = 0  # course row: questions the bot declined


class ReceiptStatus(StrEnum):
    """How far one sent message got, as the channel reports it (WhatsApp's status web-hooks)."""

    sent = "sent"
    delivered = "delivered"
    read = "read"
    failed = "failed"


class MessageReceipt(SQLModel, table=True):
    """One message sent on a channel that reports receipts: whom it went to, for which delivery
    (None: a reply in a conversation), and when it was delivered and read (bot/db/receipts.py)."""

    __tablename__ = "message_receipts"

    channel: str = Field(max_length=16, primary_key=True)
    message_ref: str = Field(max_length=128, primary_key=True)  # WhatsApp's wamid
    person_id: int = Field(foreign_key="people.id", ondelete="CASCADE", index=True)
    delivery_id: int | None = Field(
        default=None, foreign_key="deliveries.id", ondelete="SET NULL", index=True
    )
    status: ReceiptStatus = Field(
        default=ReceiptStatus.sent, sa_column=Column(EnumText(ReceiptStatus), nullable=False)
    )
    sent_at: datetime = Field(sa_column=Column(UTCDateTime(), nullable=False, index=True))
    delivered_at: datetime | None = Field(default=None, sa_column=Column(UTCDateTime()))
    read_at: datetime | None = Field(default=None, sa_column=Column(UTCDateTime()))
    failed_at: datetime | None = Field(default=None, sa_column=Column(UTCDateTime()))
    error_code: int | None = Field(default=None)


class LinkCode(SQLModel, table=True):
    """A short code one account made (/link) so the same person, writing it from another
    channel, continues there with the same progress."""

    __tablename__ = "link_codes"

    code: str = Field(max_length=16, primary_key=True)
    person_id: int = Field(foreign_key="people.id", ondelete="CASCADE", index=True)
    created_at: datetime = Field(sa_column=Column(UTCDateTime(), nullable=False))


class OfferedChoice(SQLModel, table=True):
    """One numbered choice the person was last offered ("2 下一张"), on a channel without
    buttons: typing its number or its words means its payload (bot/db/choices.py). The latest
    set replaces the one before."""

    __tablename__ = "offered_choices"

    person_id: int = Field(foreign_key="people.id", ondelete="CASCADE", primary_key=True)
    number: int = Field(primary_key=True)
    label: str = Field(max_length=LABEL_KEPT)
    payload: str = Field(max_length=PAYLOAD_KEPT)
    offered_at: datetime = Field(sa_column=Column(UTCDateTime(), nullable=False))


class WeChatQRCode(SQLModel, table=True):
    """The permanent WeChat QR code made for a class code (scene = the code), kept so each code
    is made once: an account may make only 100,000 permanent codes."""

    __tablename__ = "wechat_qr_codes"

    app_id: str = Field(max_length=32, primary_key=True)  # the account it was made on
    code: str = Field(max_length=64, primary_key=True)
    ticket: str = Field(max_length=256)
    url: str = Field(max_length=256)  # what the QR picture encodes (http://weixin.qq.com/q/…)
    created_at: datetime = Field(sa_column=Column(UTCDateTime(), nullable=False))


class Download(SQLModel, table=True):
    """A file made for a person on a channel that cannot send files (WeChat), kept for a day
    behind a link `/files/<token>` (bot/db/downloads.py); only the token's SHA-256 is kept."""

    __tablename__ = "downloads"

    token_hash: str = Field(max_length=64, primary_key=True)  # hex SHA-256 of the link's token
    person_id: int = Field(foreign_key="people.id", ondelete="CASCADE", index=True)
    filename: str = Field(max_length=255)
    content_type: str = Field(max_length=127)
    data: bytes = Field(sa_column=Column(LargeBinary(), nullable=False))
    created_at: datetime = Field(sa_column=Column(UTCDateTime(), nullable=False))
    expires_at: datetime = Field(sa_column=Column(UTCDateTime(), nullable=False, index=True))


class WebLogin(SQLModel, table=True):
    """A one-time sign-in link to the dashboard (bot/db/web_sign_in.py): only the SHA-256 of
    its token is kept; it works once, for ten minutes."""

    __tablename__ = "web_logins"

    token_hash: str = Field(max_length=64, primary_key=True)  # hex SHA-256 of the link's token
    person_id: int = Field(foreign_key="people.id", ondelete="CASCADE", index=True)
    created_at: datetime = Field(sa_column=Column(UTCDateTime(), nullable=False))
    expires_at: datetime = Field(sa_column=Column(UTCDateTime(), nullable=False, index=True))
    used_at: datetime | None = Field(default=None, sa_column=Column(UTCDateTime()))


class WebSession(SQLModel, table=True):
    """A signed-in browser: the SHA-256 of its cookie, whose it is, the CSRF token its forms
    carry, and until when it works (renewed while it is used)."""

    __tablename__ = "web_sessions"

    id_hash: str = Field(max_length=64, primary_key=True)  # hex SHA-256 of the cookie's value
    person_id: int = Field(foreign_key="people.id", ondelete="CASCADE", index=True)
    csrf_token: str = Field(max_length=64)
    created_at: datetime = Field(sa_column=Column(UTCDateTime(), nullable=False))
    expires_at: datetime = Field(sa_column=Column(UTCDateTime(), nullable=False, index=True))
    last_seen_at: datetime = Field(sa_column=Column(UTCDateTime(), nullable=False))

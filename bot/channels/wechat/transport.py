"""The delivery engine's way out through WeChat: one scheduled Reply to one person, and how it
went (reminders, plan steps, announcements, a lecturer's answer).

Inside the person's allowance (5 messages in the 48 hours after their last message, 3 in the
minute after a menu click, a follow or a scan: bot.core.ledger) the reply goes as
customer-service messages, fitted here, and spends the allowance (`record_sent`); the choices
it numbers are kept, so "1" under an evening reminder opens the lesson. When the whole message
does not fit what is left, or WeChat answers 45015 (out of the window) or 45047 (spent), the
template message of its purpose goes instead (`wechat.yaml` of the person's course, their
language or else Chinese), its tap opening the lesson's page on PUBLIC_URL (bot/web/lesson.py).

A template's msgid is its `Outcome.message_refs`: the engine records it (bot.db.receipts) and the
TEMPLATESENDJOBFINISH event WeChat posts later says whether it arrived. Customer-service messages
have none (custom/send answers only errcode and errmsg): they count as sent, not tracked.

What a refusal means (WeChat's errcode; the client already replaced a refused token once):
- 43004 (the person unfollowed) → blocked: the engine marks them, nothing more goes to them.
- 45015, 45047 → the template (a scheduled message) or, for an answer kept in the outbox, wait
  for the person's next message (the channel sends it then).
- -1 (system busy), 45009 / 45011 (API quota or frequency), a refused token, HTTP 5xx, a
  timeout, the network → retry later.
- 40037 (no such template), 47003 (a field WeChat refuses), anything else → failed: the same
  message would be refused again; the deliveries' last_error says why.
"""

from __future__ import annotations

import logging
from collections.abc import Callable, Sequence
from datetime import datetime

import aiohttp
from sqlalchemy.ext.asyncio import async_sessionmaker
from sqlmodel.ext.asyncio.session import AsyncSession

from bot.channels.wechat.capabilities import CAPABILITIES, CHANNEL, capabilities_for
from bot.channels.wechat.client import WeChatClient, WeChatError
from bot.channels.wechat.files import FileLinks
from bot.channels.wechat.send import send_reply
from bot.channels.wechat.tappable import ChoiceStyle
from bot.channels.wechat.updates import HELD_FOR, KEEP_FOR_NEXT_MESSAGE, UNFOLLOWED
from bot.core.choices import offered_choices
from bot.core.fitting import Wording, fit_replies
from bot.core.locks import KeyedLock
from bot.core.messages import Detail, Purpose, Reply
from bot.db.choices import remember_choices
from bot.db.ledger import left_for, record_sent
from bot.db.models import Person
from bot.db.types import utcnow
from bot.i18n import Translator
from bot.lessons.model import Course
from bot.lessons.progress import lesson_progress, next_lesson
from bot.lessons.wechat_templates import (
    OPENS_NEXT_LESSON,
    REQUIRED_LANGUAGE,
    TIME,
    WeChatTemplate,
)
from bot.localtime import zone_of
from bot.scheduling.transport import Outcome, Result
from bot.web.lesson import lesson_url

log = logging.getLogger(__name__)
# Worth trying again later: busy, quota or frequency limits, a token refused twice.
TRANSIENT = frozenset({-1, 45009, 45011, 40001, 42001, 40014})
SEND_ERRORS = (WeChatError, aiohttp.ClientError, TimeoutError)
CourseOf = Callable[[Person], Course]


class WeChatTransport:
    channel = CHANNEL
    # The budget decides between the reply and a template before fitting: it gets it whole.
    fits_replies = True

    def __init__(
        self,
        client: WeChatClient,
        *,
        public_url: str = "",
        link_secret: bytes = b"",
        style: ChoiceStyle = ChoiceStyle.links,
        clock: Callable[[], datetime] = utcnow,
    ) -> None:
        self.client = client
        self.style = style  # how choices are offered (WECHAT_CHOICES)
        self.public_url = public_url
        self.capabilities = capabilities_for(public_url)  # documents as links with a PUBLIC_URL
        self.files: FileLinks | None = None
        self.link_secret = link_secret
        self.clock = clock
        self.locks = KeyedLock()
        self.sessions: async_sessionmaker[AsyncSession] | None = None
        self.course_of: CourseOf | None = None

    def bind(
        self,
        sessions: async_sessionmaker[AsyncSession],
        course_of: CourseOf,
        *,
        clock: Callable[[], datetime] | None = None,
        locks: KeyedLock | None = None,
    ) -> None:
        """The runtime's database, courses and clock; `locks`: the channel's per-person locks,
        so a scheduled message and an answer to the same person never count the budget at
        once."""
        self.sessions, self.course_of = sessions, course_of
        if clock is not None:
            self.clock = clock
        if locks is not None:
            self.locks = locks
        self.files = FileLinks(sessions, self.public_url, lambda: self.clock())

    async def send(self, person: Person, reply: Reply) -> Outcome:
        """Send `reply` to `person` (their openid) as their budget allows (see the module)."""
        assert self.sessions is not None and self.course_of is not None, "bind() first"
        async with self.locks.hold(person.channel_user_id):
            async with self.sessions() as session:  # their ledger as it is now
                fresh = await session.get(Person, person.id)
                if fresh is None:
                    return Outcome(Result.failed, "the person is gone")
                now = self.clock()
                left = left_for(fresh, now, CAPABILITIES) or 0
                wording = Wording.from_catalog(Translator(fresh.language))
                pieces = fit_replies([reply], self.capabilities, wording=wording)
                scheduled = reply.purpose is not Purpose.answer
                if scheduled and len(pieces) > left:
                    return await self._template(session, fresh, reply, now)
            if len(pieces) > left:  # an answer kept in the outbox waits for their next message
                return _waits()
            return await self._send_free(fresh, reply, pieces, now)

    async def _send_free(
        self, person: Person, reply: Reply, pieces: Sequence[Reply], now: datetime
    ) -> Outcome:
        """The fitted pieces as customer-service messages, then the ledger and the choices."""
        sent: list[Reply] = []
        outcome = Outcome.ok()
        file_line = None
        if self.files is not None and person.id is not None:
            file_line = self.files.for_person(person.id, person.language)
        for piece in pieces:
            try:
                await send_reply(
                    self.client,
                    person.channel_user_id,
                    piece,
                    style=self.style,
                    file_line=file_line,
                )
            except SEND_ERRORS as error:
                if _window_closed(error):
                    await self._record(person, sent, now, spent_all=True)
                    if reply.purpose is Purpose.answer:
                        return _waits()
                    assert self.sessions is not None
                    async with self.sessions() as session:
                        return await self._template(session, person, reply, now)
                outcome = outcome_for(error)
                break
            sent.append(piece)
        await self._record(person, sent, now)
        return outcome

    async def _record(
        self, person: Person, sent: Sequence[Reply], now: datetime, *, spent_all: bool = False
    ) -> None:
        """What went counts against the allowance (all of it when WeChat said it is spent), and
        its numbered choices are the person's to answer."""
        if not sent and not spent_all:
            return
        assert self.sessions is not None
        async with self.sessions() as session:
            fresh = await session.get(Person, person.id)
            if fresh is None:
                return
            spent = (CAPABILITIES.replies_per_message or 0) if spent_all else len(sent)
            record_sent(session, fresh, spent)
            await remember_choices(session, fresh, offered_choices(sent), now)
            await session.commit()

    async def _template(
        self, session: AsyncSession, person: Person, reply: Reply, now: datetime
    ) -> Outcome:
        """The template message standing in for `reply`; failed when the course has none."""
        assert self.course_of is not None
        course = self.course_of(person)
        found = course.wechat_templates
        template = found.find(reply.purpose, person.language) or found.find(
            reply.purpose, REQUIRED_LANGUAGE
        )
        if template is None:
            where = found.source or f"the wechat.yaml of course {course.id}"
            error = (
                f"outside the WeChat window and no template for {reply.purpose} in "
                f"{person.language} or {REQUIRED_LANGUAGE}: add one to {where}"
            )
            log.warning("%s (person %s)", error, person.id)
            return Outcome(Result.failed, error)
        slug = await _lesson_opened(session, person, course, reply)
        data = template.data_for(_values(person, reply, course, slug, now))
        url = None
        if self.public_url and slug is not None and person.id is not None:
            url = lesson_url(self.public_url, self.link_secret, person.id, course.id, slug, now)
        try:
            msgid = await self.client.send_template(
                person.channel_user_id, template.template_id, data, url=url
            )
        except SEND_ERRORS as error:
            return _template_failed(template, error)
        # Its msgid, so the job-finish event WeChat posts later counts it delivered or not.
        return Outcome(Result.sent, message_refs=(str(msgid),) if msgid else ())


async def _lesson_opened(
    session: AsyncSession, person: Person, course: Course, reply: Reply
) -> str | None:
    """The lesson a tap on the template opens: the plan's lesson, or the person's next one for
    a reminder or nudge; None for the other purposes (and when every lesson is passed)."""
    if reply.purpose is Purpose.lesson and reply.topic is not None:
        number = reply.topic.detail(Detail.number)
        if number.isdigit() and 0 < int(number) <= len(course.lessons):
            return course.lessons[int(number) - 1]
        return None
    if reply.purpose in OPENS_NEXT_LESSON:
        return next_lesson(course, await lesson_progress(session, person, course))
    return None


def _values(
    person: Person, reply: Reply, course: Course, slug: str | None, now: datetime
) -> dict[str, str]:
    """What the template's fields may name: the message's details, the opened lesson's title
    and number, and the time in the person's zone."""
    values = {detail.value: text for detail, text in (reply.topic.details if reply.topic else ())}
    if slug is not None:
        values.setdefault(Detail.lesson.value, course.lesson(slug, person.language).title)
        values.setdefault(Detail.number.value, str(course.number(slug)))
    values[TIME] = now.astimezone(zone_of(person)).strftime("%Y-%m-%d %H:%M")
    return values


def _waits() -> Outcome:
    """An answer out of budget: kept until the person writes (the channel sends it then)."""
    return Outcome(
        Result.retry,
        "waits for the person's next message (WeChat's 48 hours)",
        retry_after=HELD_FOR.total_seconds(),
    )


def _window_closed(error: BaseException) -> bool:
    return isinstance(error, WeChatError) and error.errcode in KEEP_FOR_NEXT_MESSAGE


def outcome_for(error: BaseException) -> Outcome:
    """The delivery engine's outcome for a send that raised `error` (see the module's table)."""
    if isinstance(error, WeChatError):
        detail = f"WeChat {error.errcode}: {error.errmsg}"[:500]
        if error.errcode == UNFOLLOWED:
            return Outcome(Result.blocked, detail)
        if error.errcode in TRANSIENT:
            return Outcome(Result.retry, detail)
        return Outcome(Result.failed, detail)
    if isinstance(error, aiohttp.ClientResponseError) and error.status < 500:
        return Outcome(Result.failed, f"WeChat HTTP {error.status}")
    return Outcome(Result.retry, f"network: {type(error).__name__}: {error}"[:500])


def _template_failed(template: WeChatTemplate, error: BaseException) -> Outcome:
    outcome = outcome_for(error)
    if outcome.result is Result.failed:
        log.warning(
            "WeChat refused template %s (%s in %s): %s; check its template_id and fields in "
            "wechat.yaml",
            template.template_id,
            template.purpose,
            template.language,
            outcome.error,
        )
    return outcome

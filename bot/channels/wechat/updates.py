"""What the WeChat channel does with a message or event after the web-hook answered "success":
each answered through the runtime (one person's in order), its replies sent through the
customer-service API within the person's reply budget (bot.core.ledger), what must wait kept in
the outbox until their next message (a plain "好" then only releases them: it is not asked to the
course); an unfollow marks the person blocked.

The budget (docs/decisions.md, "Issue 16: the WeChat channel"): in the answer's session the
person's arrival opens their allowance (5 messages in 48 hours after a message; 3 in a minute
after a menu click, a follow or a scan). The replies held from before go first, then the new
ones; `bot.core.fitting.spend` cuts what goes now (the last one ending "reply with anything to
go on") from what waits. What waits is kept in the outbox, held far ahead so the delivery engine
leaves it, and sent here on the person's next message.

A template's job-finish event (`TemplateReport`) is applied to the receipts (bot.db.receipts) in
its own transaction, tried again while the database is away, and once more a few seconds later
when its msgid is not recorded yet (the delivery engine records it after the send returns).
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
import time
from collections.abc import Awaitable, Callable
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Any

import aiohttp
from sqlalchemy import update
from sqlmodel import col, select
from sqlmodel.ext.asyncio.session import AsyncSession

from bot.channels.outage import SavedNotices, pauses
from bot.channels.webhooks import TrackedTasks
from bot.channels.wechat.capabilities import CAPABILITIES, CHANNEL, capabilities_for
from bot.channels.wechat.client import WeChatClient, WeChatError
from bot.channels.wechat.convert import Inbound, Prompt, TemplateReport, Unfollowed
from bot.channels.wechat.files import FileLinks
from bot.channels.wechat.send import send_reply
from bot.channels.wechat.tappable import ChoiceStyle
from bot.core.fitting import Wording, spend
from bot.core.locks import KeyedLock
from bot.core.messages import Kind, Reply
from bot.db.choices import chosen_payload
from bot.db.ledger import left_for, record_arrival, record_sent
from bot.db.models import Delivery, DeliveryKind, DeliveryStatus, Person
from bot.db.outage import database_unavailable
from bot.db.people import find_person, mark_blocked
from bot.db.receipts import Receipt, apply_receipts
from bot.i18n import Translator, normalise_language
from bot.runtime import Runtime
from bot.scheduling import outbox

log = logging.getLogger(__name__)
OUT_OF_WINDOW = 45015  # the person's window is closed
QUOTA_SPENT = 45047  # the window's messages are spent
UNFOLLOWED = 43004  # the person no longer follows the account
KEEP_FOR_NEXT_MESSAGE = frozenset({OUT_OF_WINDOW, QUOTA_SPENT})
# Held rows are due this far ahead: the delivery engine leaves them; the next message sends them.
HELD_FOR = timedelta(days=3650)

Taken = Inbound | Unfollowed | TemplateReport
# Reports of templates not yet recorded are tried once more after this many seconds.
LATE_REPORTS_AFTER = 5.0


class UpdateHandler:
    """Answers people and applies unfollows, in tasks it keeps until they end."""

    def __init__(
        self,
        runtime: Runtime,
        client: WeChatClient,
        *,
        clock: Callable[[], float] = time.monotonic,
        sleep: Callable[[float], Awaitable[Any]] = asyncio.sleep,
    ) -> None:
        self.runtime = runtime
        self.client = client
        self.clock = clock
        self.sleep = sleep
        self.told_saved = SavedNotices()
        self.style = ChoiceStyle(runtime.settings.wechat_choices)  # how choices are offered
        public_url = runtime.settings.public_url
        self.capabilities = capabilities_for(public_url)  # documents as links with a PUBLIC_URL
        services = runtime.academy.services
        self.files = FileLinks(runtime.sessions, public_url, lambda: services.clock())
        self.locks = KeyedLock()
        self.running = TrackedTasks("WeChat updates")
        self.tasks = self.running.tasks  # what is being handled now
        self.applying = asyncio.Lock()  # template reports: one transaction after another
        self.late_reports_after = LATE_REPORTS_AFTER

    def take(self, taken: Taken) -> None:
        """Start handling a message or event (returns at once; the task is tracked)."""
        if isinstance(taken, Unfollowed):
            self.running.spawn(self.unfollowed(taken.user_id))
        elif isinstance(taken, TemplateReport):
            self.running.spawn(self.apply_reports([taken.receipt]))
        else:
            self.running.spawn(self.handle(taken))

    async def finish(self, grace: float) -> None:
        """Wait up to `grace` seconds for the updates in hand; cancel what is left."""
        await self.running.finish(grace)

    async def unfollowed(self, user: str) -> None:
        async with self.locks.hold(user), self.runtime.sessions() as session:
            await mark_blocked(session, CHANNEL, user)

    # --- one message ---------------------------------------------------------------------

    async def handle(self, inbound: Inbound) -> None:
        """Answer one message or event and send what the budget allows; this person's later
        messages wait behind it. While the database is away the message is tried again with
        growing pauses (WeChat has its "success" already), unless replies went out already."""
        user = inbound.incoming.sender.user_id
        async with self.locks.hold(user):
            waits = pauses()
            while True:
                attempt = _Attempt()
                try:
                    await self._answer(inbound, attempt)
                    return
                except Exception as error:
                    if attempt.sent or not database_unavailable(error):
                        log.exception("could not finish a WeChat message from %s", user)
                        return
                    await self.tell_saved(inbound)
                pause = next(waits)
                log.warning("database away; trying %s's message again in %.1f s", user, pause)
                await self.sleep(pause)

    async def _answer(self, inbound: Inbound, attempt: _Attempt) -> None:
        incoming = inbound.incoming
        user = incoming.sender.user_id
        async with self.runtime.sessions() as session:
            if await self.only_continues(session, inbound, attempt):
                return
            try:
                answer = await self.runtime.replies_to(incoming, session, self.capabilities)
            except Exception as error:
                with contextlib.suppress(Exception):
                    await session.rollback()
                if database_unavailable(error):
                    raise
                log.exception("could not handle a WeChat message from %s", user)
                language = normalise_language(incoming.sender.language_hint)
                replies, language = [Reply(Translator(language)("error.internal"))], language
            else:
                replies, language = answer.replies, answer.language or "zh"
            person = await find_person(session, CHANNEL, user)
            if person is None or person.id is None:  # nobody to keep a budget for
                attempt.sent = True
                for reply in replies[: CAPABILITIES.replies_per_message]:
                    await self._send_one(user, reply)
                return
            await self.deliver(session, person, inbound, replies, language, attempt)

    async def tell_saved(self, inbound: Inbound) -> None:
        """Once per person and outage: their message is kept and will be answered. (It takes
        one of the person's five messages; being left without a word costs more.)"""
        user = inbound.incoming.sender.user_id
        if not self.told_saved.due(user, self.clock()):
            return
        language = normalise_language(inbound.incoming.sender.language_hint)
        try:
            await self.client.send_text(user, Translator(language)("error.saved"))
        except (WeChatError, aiohttp.ClientError, TimeoutError) as error:  # a courtesy
            log.info("could not tell %s their message is saved: %s", user, error)

    async def only_continues(
        self, session: AsyncSession, inbound: Inbound, attempt: _Attempt
    ) -> bool:
        """Whether this is the "reply with anything" a person sends for their held replies: a
        plain text (not a command, not a typed choice) while some wait. Then the held replies
        go, and the text is not asked to the course."""
        incoming = inbound.incoming
        if incoming.kind is not Kind.text:
            return False
        person = await find_person(session, CHANNEL, incoming.sender.user_id)
        if person is None or person.id is None:
            return False
        now = self.runtime.academy.services.clock()
        if not (await _held(session, person.id))[0]:
            return False
        tap = incoming.choice_id
        if await chosen_payload(session, person, incoming.text, now, tap_id=tap) is not None:
            return False
        await self.deliver(session, person, inbound, [], person.language or "zh", attempt)
        return True

    async def deliver(
        self,
        session: AsyncSession,
        person: Person,
        inbound: Inbound,
        replies: list[Reply],
        language: str,
        attempt: _Attempt | None = None,
    ) -> None:
        """The held replies, then `replies`, as far as the person's budget goes; the rest kept
        for their next message. One commit for the ledger."""
        assert person.id is not None
        user = person.channel_user_id
        now = self.runtime.academy.services.clock()
        record_arrival(
            session, person, now, CAPABILITIES, by_event=inbound.prompt != Prompt.message
        )
        held_ids, held = await _held(session, person.id)
        wording = Wording.from_catalog(Translator(normalise_language(language)))
        left = left_for(person, now, CAPABILITIES)
        go, later = spend([*held, *replies], left, self.capabilities, wording)
        sent = 0
        file_line = self.files.for_person(person.id, normalise_language(language), session)
        if attempt is not None:  # from here on, trying the message again would repeat replies
            attempt.sent = bool(go)
        for index, reply in enumerate(go):
            try:
                sent += await send_reply(
                    self.client, user, reply, style=self.style, file_line=file_line
                )
            except WeChatError as error:
                if error.errcode == UNFOLLOWED:
                    log.info("%s no longer follows the account", user)
                    person.blocked = True
                    session.add(person)
                    later = []
                    break
                if error.errcode in KEEP_FOR_NEXT_MESSAGE:
                    log.info("WeChat will not take more for %s now (%s): kept", user, error)
                    later = [*go[index:], *later]
                    record_sent(session, person, CAPABILITIES.replies_per_message or 0)
                    break
                log.warning("a reply to %s could not be sent: %s", user, error)
            except (aiohttp.ClientError, TimeoutError) as error:
                log.warning("WeChat could not be reached for %s (%s): kept", user, error)
                later = [*go[index:], *later]
                break
        record_sent(session, person, sent)
        if held_ids:  # what was held is sent now, or kept again below in its new order
            await session.exec(
                update(Delivery)
                .where(col(Delivery.id).in_(held_ids))
                .values(status=DeliveryStatus.sent, sent_at=now, body=None, attachment=None)
            )
        await session.commit()
        if later:
            await outbox.keep(session, CHANNEL, user, later, now)
            await _hold(session, person.id, now + HELD_FOR)

    async def _send_one(self, user: str, reply: Reply) -> None:
        try:
            await send_reply(self.client, user, reply, style=self.style)
        except (WeChatError, aiohttp.ClientError, TimeoutError) as error:
            log.warning("a reply to %s could not be sent: %s", user, error)

    # --- template reports ----------------------------------------------------------------

    async def apply_reports(self, receipts: list[Receipt], *, late: bool = False) -> None:
        """Apply what WeChat said of template messages, in their own transaction (one at a time:
        SQLite has one writer), trying again while the database is away. Reports of msgids not
        recorded yet are tried once more after `late_reports_after` seconds."""
        waits = pauses()
        while True:
            async with self.applying, self.runtime.sessions() as session:
                try:
                    unknown: list[Receipt] = []
                    await apply_receipts(session, CHANNEL, receipts, unknown=unknown)
                    await session.commit()
                except Exception as error:
                    with contextlib.suppress(Exception):
                        await session.rollback()
                    if not database_unavailable(error):
                        log.exception("could not apply %d WeChat template reports", len(receipts))
                        return
                else:
                    if unknown and not late:
                        self.running.spawn(self._apply_late(unknown))
                    elif unknown:
                        log.info("%d WeChat template reports name no recorded msgid", len(unknown))
                    return
            await self.sleep(next(waits))

    async def _apply_late(self, receipts: list[Receipt]) -> None:
        await self.sleep(self.late_reports_after)
        await self.apply_reports(receipts, late=True)


@dataclass
class _Attempt:
    """One try at a message: whether replies began to go out (then it is not tried again)."""

    sent: bool = False


async def _hold(session: AsyncSession, person_id: int, until: datetime) -> None:
    """The person's waiting replies are due at `until`: the delivery engine leaves them."""
    await session.exec(
        update(Delivery)
        .where(
            col(Delivery.person_id) == person_id,
            col(Delivery.kind) == DeliveryKind.reply,
            col(Delivery.status) == DeliveryStatus.pending,
        )
        .values(due_at=until)
        .execution_options(synchronize_session=False)
    )
    await session.commit()


async def _held(session: AsyncSession, person_id: int) -> tuple[list[int], list[Reply]]:
    """The person's replies waiting in the outbox, in order: their ids and the replies."""
    rows = (
        await session.exec(
            select(Delivery)
            .where(
                col(Delivery.person_id) == person_id,
                col(Delivery.kind) == DeliveryKind.reply,
                col(Delivery.status) == DeliveryStatus.pending,
            )
            .order_by(col(Delivery.due_at), col(Delivery.id))
        )
    ).all()
    ids = [row.id for row in rows if row.id is not None]
    replies = [outbox.unpack(row.body, row.attachment) for row in rows if row.body is not None]
    return ids, replies

"""What the channel does with a web-hook's contents, after it answered Meta 200: each message
answered through the runtime (one person's in order), its replies sent, their wamids recorded;
each status applied to the receipts."""

from __future__ import annotations

import asyncio
import contextlib
import logging
import time
from collections import Counter, OrderedDict
from collections.abc import Awaitable, Callable, Iterable
from dataclasses import replace
from typing import Any

import httpx
from pywa_async import WhatsApp
from pywa_async.errors import WhatsAppError
from sqlmodel.ext.asyncio.session import AsyncSession

from bot.channels.outage import SavedNotices, pauses
from bot.channels.webhooks import TrackedTasks
from bot.channels.whatsapp.capabilities import CAPABILITIES, CHANNEL
from bot.channels.whatsapp.convert import Inbound, Webhook
from bot.channels.whatsapp.errors import Verdict, classify
from bot.channels.whatsapp.send import Pace, send_reply, unpaced
from bot.core.locks import KeyedLock
from bot.core.messages import Button, Reply
from bot.db.outage import database_unavailable
from bot.db.people import find_person
from bot.db.phones import remember_phone
from bot.db.receipts import Receipt, apply_receipts, record_sent
from bot.i18n import Translator, normalise_language
from bot.runtime import Runtime
from bot.scheduling import outbox

log = logging.getLogger(__name__)
REMEMBERED = 10_000  # people (or wamids) each in-memory table keeps at most
TYPING_SHOWS_FOR = 20.0  # seconds; Meta shows the indicator for up to 25 or until we answer


def keepable(reply: Reply) -> Reply:
    """A fitted reply as the outbox can keep it: the outbox stores buttons, not lists, so a
    list's rows go back to buttons with their full labels (fitted into a list again when the
    reply is finally sent)."""
    if reply.choice_list is None:
        return reply
    rows = reply.choice_list.rows
    buttons = tuple((Button(row.description or row.title, row.payload),) for row in rows)
    return replace(reply, buttons=buttons, choice_list=None)


class _Recent(OrderedDict[str, Any]):
    """A dict that forgets its oldest keys past REMEMBERED."""

    def remember(self, key: str, value: Any) -> None:
        self[key] = value
        self.move_to_end(key)
        while len(self) > REMEMBERED:
            self.popitem(last=False)


# Statuses of messages not yet recorded are tried once more after this many seconds.
LATE_STATUSES_AFTER = 5.0
# Failed replies the outbox sends later: Meta or the network may take them then.
KEEP_FOR_LATER = frozenset({Verdict.retry, Verdict.too_fast, Verdict.deployer})


class UpdateHandler:
    """Answers people and applies statuses, in tasks it keeps until they end."""

    def __init__(
        self,
        runtime: Runtime,
        wa: WhatsApp,
        *,
        pace: Pace = unpaced,
        clock: Callable[[], float] = time.monotonic,
        sleep: Callable[[float], Awaitable[Any]] = asyncio.sleep,
    ) -> None:
        self.runtime = runtime
        self.wa = wa
        self.pace = pace  # the send budget every message takes its slot from
        self.clock = clock
        self.sleep = sleep
        self.locks = KeyedLock()
        self.applying = asyncio.Lock()  # statuses are applied one web-hook after another
        self.late_statuses_after = LATE_STATUSES_AFTER
        self.running = TrackedTasks("WhatsApp updates")
        self.tasks = self.running.tasks  # what is being handled now
        self.told_saved = SavedNotices()
        self.seen = _Recent()  # wamids taken lately: Meta's redeliveries stop here
        self.last_message = _Recent()  # user id -> the wamid of their last message
        self.typing_shown = _Recent()  # user id -> (wamid, when the indicator was shown)
        self.phones = _Recent()  # user id -> the phone already kept for them
        self.in_hand: Counter[str] = Counter()  # user id -> their messages taken, not yet done

    # --- taking a web-hook ---------------------------------------------------------------

    def take(self, webhook: Webhook) -> None:
        """Start handling what a web-hook carried. Returns at once; the tasks are tracked
        (`finish`). A message whose wamid was taken lately is a redelivery: skipped here (the
        database recognises the ones this process forgot, bot.db.processed)."""
        for inbound in webhook.inbound:
            wamid = inbound.message_id
            if wamid in self.seen:
                log.info("WhatsApp redelivered %s: already taken", wamid)
                continue
            self.seen.remember(wamid, None)
            user = inbound.incoming.sender.user_id
            self.last_message.remember(user, wamid)
            self.in_hand[user] += 1
            self.running.spawn(self.handle(inbound))
        if webhook.receipts:
            # A status can overtake the recording of its message's wamid (Meta reports "sent"
            # within milliseconds): for people whose messages are in hand, wait for those first.
            busy = {user for user in webhook.status_recipients if self.in_hand[user]}
            self.running.spawn(self.apply(webhook.receipts, after=busy))

    async def finish(self, grace: float) -> None:
        """Wait up to `grace` seconds for the updates in hand; cancel what is left."""
        await self.running.finish(grace)

    # --- one message ---------------------------------------------------------------------

    async def handle(self, inbound: Inbound) -> None:
        """Answer one message and send the replies. This person's later messages wait behind
        it (they are taken in the order Meta posted them). While the database is away the
        message is tried again with growing pauses: Meta already has its 200."""
        user = inbound.incoming.sender.user_id
        try:
            await self._handle(inbound)
        finally:
            self.in_hand[user] -= 1
            if self.in_hand[user] <= 0:
                del self.in_hand[user]

    async def _handle(self, inbound: Inbound) -> None:
        incoming = inbound.incoming
        user = incoming.sender.user_id
        async with self.locks.hold(user):
            waits = pauses()
            while True:
                async with self.runtime.sessions() as session:
                    try:
                        answer = await self.runtime.replies_to(incoming, session, CAPABILITIES)
                    except Exception as error:
                        with contextlib.suppress(Exception):
                            await session.rollback()
                        if database_unavailable(error):
                            await self.tell_saved(inbound)
                        else:  # the pipeline itself failed
                            log.exception("could not handle a WhatsApp message from %s", user)
                            language = normalise_language(incoming.sender.language_hint)
                            apology = Reply(Translator(language)("error.internal"))
                            await self.deliver(session, inbound, [apology])
                            return
                    else:
                        await self.deliver(
                            session, inbound, answer.replies, queued=answer.replies_waiting
                        )
                        return
                pause = next(waits)
                log.warning("database away; trying %s again in %.1f s", inbound.message_id, pause)
                await self.sleep(pause)

    async def tell_saved(self, inbound: Inbound) -> None:
        """Once per person and outage: their message is kept and will be answered."""
        user = inbound.incoming.sender.user_id
        if not self.told_saved.due(user, self.clock()):
            return
        language = normalise_language(inbound.incoming.sender.language_hint)
        try:
            await self.wa.send_message(user, Translator(language)("error.saved"))
        except (WhatsAppError, httpx.HTTPError) as error:  # a courtesy: the message is kept
            log.info("could not tell %s their message is saved: %s", user, error)

    async def deliver(
        self,
        session: AsyncSession,
        inbound: Inbound,
        replies: list[Reply],
        *,
        queued: bool = False,
    ) -> None:
        """Send the replies and record their wamids; what Meta will not take now (its rate
        limits, a 5xx, the network) goes to the outbox, and so does everything while earlier
        replies wait there (`queued`)."""
        user = inbound.incoming.sender.user_id
        sent: list[str] = []
        kept: list[Reply] = []
        if queued:
            kept = [keepable(reply) for reply in replies]
        for index, reply in enumerate(() if queued else replies):
            try:
                await send_reply(self.wa, user, reply, sent, pace=self.pace)
            except (WhatsAppError, httpx.HTTPError) as error:
                if classify(error).verdict in KEEP_FOR_LATER:
                    log.warning("WhatsApp refused a reply to %s (%s): keeping it", user, error)
                    kept = [keepable(reply) for reply in replies[index:]]
                    break
                log.warning("a reply to %s could not be sent: %s", user, error)
        await self.record(session, inbound, sent, kept)

    async def record(
        self, session: AsyncSession, inbound: Inbound, sent: list[str], kept: list[Reply]
    ) -> None:
        """In one transaction: the wamids sent (for their receipts), the replies kept for
        later, and the person's phone when it is new."""
        user = inbound.incoming.sender.user_id
        now = self.runtime.academy.services.clock()
        phone_is_new = bool(inbound.phone) and self.phones.get(user) != inbound.phone
        if not (sent or kept or phone_is_new):
            return
        try:
            if kept:
                await outbox.keep(session, CHANNEL, user, kept, now)
            if sent:
                person = await find_person(session, CHANNEL, user)
                if person is not None and person.id is not None:
                    await record_sent(session, CHANNEL, sent, person.id, now)
            if phone_is_new:
                await remember_phone(session, CHANNEL, user, inbound.phone)
            await session.commit()
        except Exception:  # the database went away meanwhile: the replies did leave
            log.exception("could not record what was sent to %s", user)
            return
        if phone_is_new:
            self.phones.remember(user, inbound.phone)

    # --- statuses ------------------------------------------------------------------------

    async def apply(self, receipts: Iterable[Receipt], *, after: Iterable[str] = ()) -> None:
        """Apply status reports in their own transaction, trying again while the database is
        away; first wait for the messages in hand of the people `after` names (their replies'
        wamids are recorded once those are done)."""
        receipts = list(receipts)
        for user in after:
            async with self.locks.hold(user):
                pass
        async with self.applying:  # one batch at a time: a "read" never undone by a "delivered"
            await self._apply(receipts)

    async def _apply(self, receipts: list[Receipt], *, late: bool = False) -> None:
        waits = pauses()
        while True:
            async with self.runtime.sessions() as session:
                try:
                    unknown: list[Receipt] = []
                    await apply_receipts(session, CHANNEL, receipts, unknown=unknown)
                    await session.commit()
                    if unknown and not late:
                        # Reports that overtook the commit recording their message (a
                        # scheduled one, sent by the delivery engine): once more, a little later.
                        self.running.spawn(self._apply_late(unknown))
                    return
                except Exception as error:
                    with contextlib.suppress(Exception):
                        await session.rollback()
                    if not database_unavailable(error):
                        log.exception("could not apply %d WhatsApp statuses", len(receipts))
                        return
            await self.sleep(next(waits))

    async def _apply_late(self, receipts: list[Receipt]) -> None:
        await self.sleep(self.late_statuses_after)
        async with self.applying:
            await self._apply(receipts, late=True)

    # --- what handlers may do ------------------------------------------------------------

    async def show_typing(self, user_id: str) -> None:
        """Mark the person's last message read with the typing indicator (Meta wants the
        message's id); shown again only once the last one has faded."""
        wamid = self.last_message.get(user_id)
        if wamid is None:
            return
        now = self.clock()
        shown = self.typing_shown.get(user_id)
        if shown is not None and shown[0] == wamid and now - shown[1] < TYPING_SHOWS_FOR:
            return
        self.typing_shown.remember(user_id, (wamid, now))
        await self.wa.indicate_typing(wamid)

"""The per-message pipeline every channel calls: person, limits, handler, commit, apology."""

from __future__ import annotations

import logging
from collections import OrderedDict
from dataclasses import dataclass, field

from sqlmodel.ext.asyncio.session import AsyncSession

from bot import metrics
from bot.core.flood import FloodGuard, Verdict
from bot.core.messages import Incoming, Kind, Reply
from bot.core.payloads import StaleButton
from bot.db.engine import wrote_something
from bot.db.outage import database_unavailable
from bot.db.people import arrival
from bot.db.person_lock import lock_person
from bot.db.processed import mark_applied
from bot.i18n import Translator
from bot.pipeline.router import Context, Router, Services, as_list

log = logging.getLogger(__name__)
UNCONFIRMED_KEPT = 1000  # replies of commits whose outcome the database never confirmed


@dataclass
class Answer:
    """What to send for one update, and whether earlier replies to the person still wait in the
    outbox (then these go behind them, bot.scheduling.outbox)."""

    replies: list[Reply] = field(default_factory=list)
    replies_waiting: bool = False


class Academy:
    """Answers one Incoming at a time; holds no per-person state beyond flood counters."""

    def __init__(self, router: Router, services: Services) -> None:
        self.router = router
        self.services = services
        settings = services.settings
        self.flood = FloodGuard(settings.flood_max_messages, settings.flood_window_seconds)
        # Update -> its replies, when the connection broke during its COMMIT: if the commit
        # went through, the redelivery finds the update applied and sends these instead.
        self.unconfirmed: OrderedDict[tuple[str, str], list[Reply]] = OrderedDict()

    async def handle(self, incoming: Incoming, session: AsyncSession) -> list[Reply]:
        """The replies to send for `incoming` (see `answer`)."""
        return (await self.answer(incoming, session)).replies

    async def answer(self, incoming: Incoming, session: AsyncSession) -> Answer:
        """What to send for `incoming`. Never raises for a handler's failure; raises when the
        database is away (bot.db.outage), so the channel has the update tried again."""
        incoming = incoming.cleaned()  # once here, so no handler or channel meets a NUL
        answer = Answer()
        with metrics.handling(incoming.kind.value) as counted:
            answer.replies, counted.outcome = await self._answer(incoming, session, answer)
        return answer

    async def _answer(
        self, incoming: Incoming, session: AsyncSession, answer: Answer
    ) -> tuple[list[Reply], str]:
        """The replies and the outcome the metrics count it under."""
        settings = self.services.settings
        now = self.services.clock()
        await lock_person(session, incoming.sender)  # other workers wait for this update
        arrived = await arrival(
            session,
            incoming.sender,
            incoming.update_ref,
            now=now,
            default_language=settings.default_language,
            default_timezone=settings.default_timezone,
            admins=settings.admins,
        )
        person, answer.replies_waiting = arrived.person, arrived.replies_waiting
        if arrived.applied:
            await session.rollback()
            # A redelivery: answered the first time, unless we never learnt it was committed.
            key = (incoming.sender.channel, incoming.update_ref)
            return self.unconfirmed.pop(key, []), metrics.DUPLICATE
        t = Translator(person.language)
        verdict = self.flood.check(f"{incoming.sender.channel}:{incoming.sender.user_id}")
        if verdict is Verdict.drop:
            return [], metrics.THROTTLED
        if verdict is Verdict.notify:
            return await self._commit(
                session, incoming, [Reply(t("error.flood"))], metrics.THROTTLED
            )
        if incoming.kind is Kind.text and len(incoming.text) > settings.max_text_length:
            too_long = Reply(t("error.too_long", limit=settings.max_text_length))
            return await self._commit(session, incoming, [too_long], metrics.REJECTED)
        handler = self.router.resolve(incoming, person.awaiting)
        if person.awaiting and incoming.kind in (Kind.command, Kind.button):
            person.awaiting = None  # they did something else instead of answering
        if handler is None:
            unsupported = [Reply(t("error.unsupported"))]
            return await self._commit(session, incoming, unsupported, metrics.REJECTED)
        context = Context(incoming, person, session, self.services, t, now)
        apology = t("error.internal")  # worded now: after a rollback the person is expired
        stale = t("error.stale_button")
        try:
            replies = as_list(await handler(context))
            return await self._commit(session, incoming, replies, metrics.OK)
        except StaleButton:  # a forged or outdated payload: nothing it started is kept
            await session.rollback()
            return [Reply(stale)], metrics.REJECTED
        except Exception as error:
            if database_unavailable(error):
                raise  # not this update's fault: it is tried again, not apologised for
            log.exception(
                "handler %s failed for %s:%s (%s)",
                getattr(handler, "__name__", handler),
                incoming.sender.channel,
                incoming.sender.user_id,
                incoming.kind,
            )
            await session.rollback()
            return [Reply(apology)], metrics.ERROR

    async def _commit(
        self, session: AsyncSession, incoming: Incoming, replies: list[Reply], outcome: str
    ) -> tuple[list[Reply], str]:
        """Commit the update's changes with the mark that it was applied; no replies when the
        same update was applied meanwhile (by another worker): then nothing of this one stays.
        An update that changed nothing is not marked: applying it again changes nothing either,
        and most updates (a menu, help, a lesson card read again) save a write that way."""
        if (
            incoming.update_ref
            and await wrote_something(session)
            and not await mark_applied(
                session, incoming.sender.channel, incoming.update_ref, self.services.clock()
            )
        ):
            await session.rollback()
            return [], metrics.DUPLICATE
        key = (incoming.sender.channel, incoming.update_ref)
        try:
            await session.commit()
        except Exception as error:
            if incoming.update_ref and database_unavailable(error):
                self.unconfirmed[key] = replies
                while len(self.unconfirmed) > UNCONFIRMED_KEPT:
                    self.unconfirmed.popitem(last=False)
            raise
        self.unconfirmed.pop(key, None)
        return replies, outcome

"""The per-message pipeline every channel calls: person, limits, handler, commit, apology."""

from __future__ import annotations

import logging
from collections import OrderedDict

from sqlmodel.ext.asyncio.session import AsyncSession

from bot import metrics
from bot.core.flood import FloodGuard, Verdict
from bot.core.messages import Incoming, Kind, Reply
from bot.core.payloads import StaleButton
from bot.db.outage import database_unavailable
from bot.db.people import person_for
from bot.db.person_lock import lock_person
from bot.db.processed import already_applied, mark_applied
from bot.i18n import Translator
from bot.pipeline.router import Context, Router, Services, as_list

log = logging.getLogger(__name__)
UNCONFIRMED_KEPT = 1000  # replies of commits whose outcome the database never confirmed


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
        """The replies to send for `incoming`. Never raises for a handler's failure; raises when
        the database is away (bot.db.outage), so the channel has the update tried again."""
        incoming = incoming.cleaned()  # once here, so no handler or channel meets a NUL
        with metrics.handling(incoming.kind.value) as counted:
            replies, counted.outcome = await self._answer(incoming, session)
        return replies

    async def _answer(self, incoming: Incoming, session: AsyncSession) -> tuple[list[Reply], str]:
        """The replies and the outcome the metrics count it under."""
        settings = self.services.settings
        now = self.services.clock()
        await lock_person(session, incoming.sender)  # other workers wait for this update
        person = await person_for(
            session,
            incoming.sender,
            now=now,
            default_language=settings.default_language,
            default_timezone=settings.default_timezone,
            admins=settings.admins,
        )
        if not session.in_transaction():  # a new person was committed: lock again
            await lock_person(session, incoming.sender)
        if incoming.update_ref and await already_applied(
            session, incoming.sender.channel, incoming.update_ref
        ):
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
        same update was applied meanwhile (by another worker): then nothing of this one stays."""
        if incoming.update_ref and not await mark_applied(
            session, incoming.sender.channel, incoming.update_ref, self.services.clock()
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

"""The per-message pipeline every channel calls: person, limits, handler, commit, apology."""

from __future__ import annotations

import logging

from sqlmodel.ext.asyncio.session import AsyncSession

from bot import metrics
from bot.core.flood import FloodGuard, Verdict
from bot.core.messages import Incoming, Kind, Reply
from bot.core.payloads import StaleButton
from bot.core.router import Context, Router, Services, as_list
from bot.db.people import person_for
from bot.db.person_lock import lock_person
from bot.i18n import Translator

log = logging.getLogger(__name__)


class Academy:
    """Answers one Incoming at a time; holds no per-person state beyond flood counters."""

    def __init__(self, router: Router, services: Services) -> None:
        self.router = router
        self.services = services
        settings = services.settings
        self.flood = FloodGuard(settings.flood_max_messages, settings.flood_window_seconds)

    async def handle(self, incoming: Incoming, session: AsyncSession) -> list[Reply]:
        """The replies to send for `incoming`. Never raises for a handler's failure."""
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
        t = Translator(person.language)
        verdict = self.flood.check(f"{incoming.sender.channel}:{incoming.sender.user_id}")
        if verdict is Verdict.drop:
            return [], metrics.THROTTLED
        if verdict is Verdict.notify:
            await session.commit()
            return [Reply(t("error.flood"))], metrics.THROTTLED
        if incoming.kind is Kind.text and len(incoming.text) > settings.max_text_length:
            await session.commit()
            return [Reply(t("error.too_long", limit=settings.max_text_length))], metrics.REJECTED
        handler = self.router.resolve(incoming, person.awaiting)
        if person.awaiting and incoming.kind in (Kind.command, Kind.button):
            person.awaiting = None  # they did something else instead of answering
        if handler is None:
            await session.commit()
            return [Reply(t("error.unsupported"))], metrics.REJECTED
        context = Context(incoming, person, session, self.services, t, now)
        apology = t("error.internal")  # worded now: after a rollback the person is expired
        stale = t("error.stale_button")
        try:
            replies = as_list(await handler(context))
            await session.commit()
        except StaleButton:  # a forged or outdated payload: nothing it started is kept
            await session.rollback()
            return [Reply(stale)], metrics.REJECTED
        except Exception:
            log.exception(
                "handler %s failed for %s:%s (%s)",
                getattr(handler, "__name__", handler),
                incoming.sender.channel,
                incoming.sender.user_id,
                incoming.kind,
            )
            await session.rollback()
            return [Reply(apology)], metrics.ERROR
        return replies, metrics.OK

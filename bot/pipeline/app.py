"""The per-message pipeline every channel calls: person, limits, a typed choice read back as
its tap, handler, replies fitted to the channel, commit (with the choices they offer), apology."""

from __future__ import annotations

import logging
from collections import OrderedDict
from dataclasses import dataclass, field, replace
from datetime import datetime

from sqlmodel.ext.asyncio.session import AsyncSession

from bot import metrics
from bot.core.capabilities import Capabilities
from bot.core.choices import offered_choices
from bot.core.fitting import Wording, fit_replies, incoming_for_choice
from bot.core.flood import FloodGuard, Verdict
from bot.core.messages import Incoming, Kind, Reply
from bot.core.payloads import StaleButton
from bot.db.choices import chosen_payload, remember_choices
from bot.db.engine import wrote_something
from bot.db.models import Person
from bot.db.outage import database_unavailable
from bot.db.people import arrival
from bot.db.person_lock import lock_person
from bot.db.processed import mark_applied
from bot.db.roles import at_least
from bot.i18n import Translator
from bot.pipeline.router import AccessDenied, Context, Handler, Router, Services, as_list

log = logging.getLogger(__name__)
UNCONFIRMED_KEPT = 1000  # replies of commits whose outcome the database never confirmed


@dataclass
class Answer:
    """What to send for one update, and whether earlier replies to the person still wait in the
    outbox (then these go behind them, bot.scheduling.outbox)."""

    replies: list[Reply] = field(default_factory=list)
    replies_waiting: bool = False
    language: str = ""  # the person's, for the words a channel adds ("" before they are known)


class _Fitting:
    """The channel's capabilities and the person's wording, to fit replies before they are
    committed, and the person and time the choices they offer are kept for."""

    def __init__(self, capabilities: Capabilities, t: Translator, person: Person, now: datetime):
        self.capabilities = capabilities
        self.wording = Wording.from_catalog(t)  # in the language they wrote in
        self.language = t.language
        self.person = person
        self.now = now

    def fit(self, replies: list[Reply], *, language: str | None = None) -> list[Reply]:
        """`replies` fitted, the words added in `language` (the one the handler left them
        with: "Español" was just chosen) or else the one they wrote in."""
        if not replies:
            return replies
        wording = self.wording
        if language is not None and language != self.language:
            wording = Wording.from_catalog(Translator(language))
        return fit_replies(replies, self.capabilities, wording=wording)


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

    async def handle(
        self,
        incoming: Incoming,
        session: AsyncSession,
        capabilities: Capabilities | None = None,
    ) -> list[Reply]:
        """The replies to send for `incoming` (see `answer`)."""
        return (await self.answer(incoming, session, capabilities)).replies

    async def answer(
        self,
        incoming: Incoming,
        session: AsyncSession,
        capabilities: Capabilities | None = None,
    ) -> Answer:
        """What to send for `incoming`. Never raises for a handler's failure; raises when the
        database is away (bot.db.outage), so the channel has the update tried again.

        With the channel's `capabilities`, the replies are fitted to them (bot.core.fitting) in
        the person's language, and the numbered choices they offer are kept in the same commit,
        so that the person's typed "2" (or the choice's words) next time is read as that
        choice's tap, before routing. Without, the handlers' replies as they are."""
        incoming = incoming.cleaned()  # once here, so no handler or channel meets a NUL
        answer = Answer()
        with metrics.handling(incoming.kind.value) as counted:
            answer.replies, counted.outcome = await self._answer(
                incoming, session, answer, capabilities
            )
        return answer

    async def _answer(
        self,
        incoming: Incoming,
        session: AsyncSession,
        answer: Answer,
        capabilities: Capabilities | None,
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
        answer.language = person.language
        if arrived.applied:
            await session.rollback()
            # A redelivery: answered the first time, unless we never learnt it was committed.
            key = (incoming.sender.channel, incoming.update_ref)
            return self.unconfirmed.pop(key, []), metrics.DUPLICATE
        t = Translator(person.language)
        fitting = None
        if capabilities is not None:
            fitting = _Fitting(capabilities, t, person, now)
        verdict = self.flood.check(f"{incoming.sender.channel}:{incoming.sender.user_id}")
        if verdict is Verdict.drop:
            return [], metrics.THROTTLED
        if verdict is Verdict.notify:
            flood = [Reply(t("error.flood"))]
            return await self._commit(session, incoming, flood, metrics.THROTTLED, fitting)
        if incoming.kind is Kind.text and len(incoming.text) > settings.max_text_length:
            too_long = Reply(t("error.too_long", limit=settings.max_text_length))
            return await self._commit(session, incoming, [too_long], metrics.REJECTED, fitting)
        if incoming.kind is Kind.text and person.choices_at is not None:
            # "2", "回复2" or a choice's words, where choices were offered as numbered lines
            # (or WhatsApp's numbered buttons), or a tap that came back as text (WeChat's
            # links, with its id): the tap it stands for (bot.db.choices).
            payload = await chosen_payload(
                session, person, incoming.text, now, tap_id=incoming.choice_id
            )
            if payload is not None:
                tap = incoming_for_choice(
                    incoming.sender, payload, message_ref=incoming.message_ref
                )
                incoming = replace(tap, update_ref=incoming.update_ref)
        route = self.router.resolve(incoming, person.awaiting)
        if person.awaiting and incoming.kind in (Kind.command, Kind.button):
            person.awaiting = None  # they did something else instead of answering
        if route is None:
            unsupported = [Reply(t("error.unsupported"))]
            return await self._commit(session, incoming, unsupported, metrics.REJECTED, fitting)
        context = Context(incoming, person, session, self.services, t, now)
        if route.role is not None and not at_least(person, route.role):
            denied = await self._refusal(context, self.router.denied, "access.denied")
            return await self._commit(session, incoming, denied, metrics.REJECTED, fitting)
        apology = t("error.internal")  # worded now: after a rollback the person is expired
        try:
            replies = as_list(await route.handler(context))
            return await self._commit(session, incoming, replies, metrics.OK, fitting)
        except (StaleButton, AccessDenied) as refused:
            # A forged or outdated payload, or not theirs to touch: nothing it started is kept.
            await session.rollback()
            await lock_person(session, incoming.sender)
            await session.refresh(person)
            if person.awaiting and incoming.kind in (Kind.command, Kind.button):
                person.awaiting = None
            if isinstance(refused, StaleButton):
                refusal = await self._refusal(context, self.router.stale, "error.stale_button")
            else:
                refusal = await self._refusal(context, self.router.denied, "access.denied")
            return await self._commit(session, incoming, refusal, metrics.REJECTED, fitting)
        except Exception as error:
            if database_unavailable(error):
                raise  # not this update's fault: it is tried again, not apologised for
            log.exception(
                "handler %s failed for %s:%s (%s)",
                route.name,
                incoming.sender.channel,
                incoming.sender.user_id,
                incoming.kind,
            )
            await session.rollback()
            apologies = [Reply(apology)]
            return (fitting.fit(apologies) if fitting else apologies), metrics.ERROR

    async def _refusal(self, context: Context, handler: Handler | None, key: str) -> list[Reply]:
        """The router's one answer to a stale button or a refused person (`key`'s text alone when
        the router has none)."""
        if handler is None:
            return [Reply(context.t(key))]
        return as_list(await handler(context))

    async def _commit(
        self,
        session: AsyncSession,
        incoming: Incoming,
        replies: list[Reply],
        outcome: str,
        fitting: _Fitting | None,
    ) -> tuple[list[Reply], str]:
        """Fit the replies (with `fitting`) and keep the choices they offer, then commit the
        update's changes with the mark that it was applied; no replies when the same update was
        applied meanwhile (by another worker): then nothing of this one stays. An update that
        changed nothing is not marked: applying it again changes nothing either, and most
        updates (a menu, help, a lesson card read again) save a write that way."""
        if fitting is not None and replies:
            replies = fitting.fit(replies, language=fitting.person.language)
            offered = offered_choices(replies)
            if offered:  # what is sent is what a typed number means (never on Telegram)
                await remember_choices(session, fitting.person, offered, fitting.now)
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

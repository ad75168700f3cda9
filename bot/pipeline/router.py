"""Routing an Incoming to the handler that answers it, without knowing the channel."""

from __future__ import annotations

import asyncio
import re
from collections.abc import Awaitable, Callable, Mapping, Sequence
from dataclasses import dataclass, field
from datetime import datetime
from typing import TYPE_CHECKING, Any, TypeVar

from sqlmodel.ext.asyncio.session import AsyncSession

from bot.config import Settings
from bot.core.messages import Incoming, Kind, Reply
from bot.core.payloads import SEPARATOR, Payload, StaleButton
from bot.db.models import Person, Role
from bot.db.types import utcnow
from bot.i18n import Translator, all_labels
from bot.lessons.model import Course
from bot.lessons.publishing import publish_course
from bot.lessons.versions import PersonRef, Version

if TYPE_CHECKING:
    from bot.qa.service import Asker

HandlerResult = Reply | Sequence[Reply] | None
# A menu label may end with a count, "🔁 Review (3)" or "🔁 复习（3）": the count is not the label.
_COUNT = re.compile(r"\s*[(（](?:\d+|\{count\})[)）]\s*$")


def bare_label(text: str) -> str:
    """A menu label as the router compares it: no trailing count, any letter case."""
    return _COUNT.sub("", text.strip()).casefold()


def join_command(code: str) -> str:
    """A code as something to type: where a channel offers no link (the console)."""
    return f"/join {code}"


@dataclass(frozen=True)
class Offers:
    """What a channel lets handlers do besides replying; None where it has no such thing."""

    # How a code becomes something a person can open (Telegram: a t.me deep link; WhatsApp: a
    # wa.me link that fills in "/join CODE"); None: they type `join_command`.
    link_for: Callable[[str], str] | None = None
    # Downloads a file a person sent (a voice note) by the channel's file id.
    fetch_file: Callable[[str], Awaitable[bytes]] | None = None
    # Whether a person can send the bot a file as a document (a course workbook) here.
    receives_documents: bool = False
    # Shows "typing…" in a person's chat (by user id) while a slow answer is made.
    show_typing: Callable[[str], Awaitable[None]] | None = None
    # Where a class's link must first be made by the provider (WeChat: a permanent QR code, an
    # API call, kept in the database): makes it or finds the one made before, so `link_for`
    # gives it after; False when it cannot now (people type `join_command`).
    prepare_link: Callable[[AsyncSession, str], Awaitable[bool]] | None = None


NO_OFFERS = Offers()


class NotOffered(LookupError):
    """The person's channel cannot do this (fetch a file, on the console)."""


@dataclass
class Services:
    """What handlers may use besides the database: made once at start-up."""

    settings: Settings
    courses: dict[str, Course] = field(default_factory=dict)
    clock: Callable[[], datetime] = utcnow
    asker: Asker | None = None  # answers questions from the course (bot.qa.service)
    # What each channel offers, by its name (Person.channel): a WhatsApp voice note is fetched
    # from WhatsApp, a WhatsApp lecturer's class link is a wa.me link.
    offers: dict[str, Offers] = field(default_factory=dict)
    # Serve content just published by this process at once (the runtime's ContentReloader).
    reload_content: Callable[[], Awaitable[bool]] | None = None

    async def publish(
        self, course_id: str, files: Mapping[str, bytes], *, author: PersonRef | None
    ) -> Version:
        """Publish a course version (bot.lessons.publishing.publish_course, which says what it
        raises) and serve it at once in this process; other workers at their next check."""
        version = await asyncio.to_thread(
            publish_course, self.settings, course_id, files, author=author, now=self.clock()
        )
        if self.reload_content is not None:
            await self.reload_content()
        return version

    def offers_on(self, channel: str) -> Offers:
        """What `channel` offers handlers (nothing, for a channel that offers nothing)."""
        return self.offers.get(channel, NO_OFFERS)

    def link_for(self, channel: str, code: str) -> str:
        """`code` as someone on `channel` opens it: a link there, else `/join CODE`."""
        make = self.offers_on(channel).link_for or join_command
        return make(code)

    async def class_link(self, session: AsyncSession, channel: str, code: str) -> str | None:
        """A class code as a link on `channel` for its poster and QR code, made first where the
        channel makes links through its provider; None when that failed just now."""
        prepare = self.offers_on(channel).prepare_link
        if prepare is not None and not await prepare(session, code):
            return None
        return self.link_for(channel, code)

    def course_for(self, person: Person) -> Course:
        """The course of the person's cohort, or the default course (also when it was removed)."""
        if person.course_id and person.course_id in self.courses:
            return self.courses[person.course_id]
        return self.courses[self.settings.default_course]


@dataclass
class Context:
    """One incoming message with everything needed to answer it."""

    incoming: Incoming
    person: Person
    session: AsyncSession
    services: Services
    t: Translator
    now: datetime

    @property
    def settings(self) -> Settings:
        return self.services.settings

    @property
    def channel(self) -> str:
        """The channel this message came from (the person's, since they write from it)."""
        return self.incoming.sender.channel

    @property
    def offers(self) -> Offers:
        """What this message's channel offers."""
        return self.services.offers_on(self.channel)

    def link_for(self, code: str) -> str:
        """`code` as a link (or command) the person can open on the channel they write from."""
        return self.services.link_for(self.channel, code)

    async def fetch_file(self, ref: str) -> bytes:
        """The file `ref` the person sent, from their channel; NotOffered where it has no way."""
        fetch = self.offers.fetch_file
        if fetch is None:
            raise NotOffered(f"{self.channel} does not fetch files")
        return await fetch(ref)

    async def show_typing(self) -> None:
        """Show "typing…" to the person, where their channel can (nothing elsewhere)."""
        show = self.offers.show_typing
        if show is not None:
            await show(self.incoming.sender.user_id)


Handler = Callable[[Context], Awaitable[HandlerResult]]
P = TypeVar("P", bound=Payload)
ButtonHandler = Callable[[Context, P], Awaitable[HandlerResult]]


class AccessDenied(Exception):
    """This person may not do this (a class that is not theirs): the pipeline answers with the
    refusal and keeps nothing the handler did."""


@dataclass(frozen=True)
class Route:
    """The handler for one message and the lowest role that may use it (None: anyone)."""

    handler: Handler
    role: Role | None = None

    @property
    def name(self) -> str:
        return getattr(self.handler, "__name__", repr(self.handler))


async def _stale(ctx: Context) -> HandlerResult:
    raise StaleButton(ctx.incoming.payload)


_STALE = Route(_stale)


@dataclass
class Router:
    """Handlers by command, button payload kind, menu label, message kind, or free text; each
    with the lowest role that may use it. A key has one handler: `include` refuses a second."""

    name: str
    commands: dict[str, Handler] = field(default_factory=dict)
    # By payload shape (`coh:tz:*:*`, see Payload.shape): the kind and its parsing handler.
    payloads: dict[str, type[Payload]] = field(default_factory=dict)
    buttons: dict[str, Handler] = field(default_factory=dict)
    menu_items: dict[str, Handler] = field(default_factory=dict)
    kinds: dict[Kind, Handler] = field(default_factory=dict)
    awaiting: dict[str, Handler] = field(default_factory=dict)
    roles: dict[Handler, Role] = field(default_factory=dict)
    fallback_text: Handler | None = None
    fallback_command: Handler | None = None
    # What a stale or forged button and a refused person are told (the same words everywhere).
    stale: Handler | None = None
    denied: Handler | None = None
    _labels: dict[str, Handler] | None = None

    def _add(self, table: dict[Any, Handler], what: str, key: Any, handler: Handler) -> None:
        if key in table and table[key] is not handler:
            raise ValueError(f"{self.name}: two handlers for {what} {key!r}")
        table[key] = handler

    def _require(self, handler: Handler, role: Role | None) -> None:
        if role is None:
            return
        if self.roles.get(handler, role) is not role:
            raise ValueError(f"{self.name}: {handler.__name__} is registered with two roles")
        self.roles[handler] = role

    def command(self, *names: str, role: Role | None = None) -> Callable[[Handler], Handler]:
        """`/name`; only for people of `role` or above when given."""

        def register(handler: Handler) -> Handler:
            self._require(handler, role)
            for name in names:
                self._add(self.commands, "command", name, handler)
            return handler

        return register

    def button(
        self, kind: type[P], *, role: Role | None = None
    ) -> Callable[[ButtonHandler[P]], ButtonHandler[P]]:
        """A button of `kind`: the handler gets the parsed payload (a payload the kind would not
        make is answered as stale before any handler runs)."""

        def register(handler: ButtonHandler[P]) -> ButtonHandler[P]:
            async def parse_then(ctx: Context) -> HandlerResult:
                return await handler(ctx, kind.parse(ctx.incoming.payload))

            parse_then.__name__ = handler.__name__
            self._require(parse_then, role)
            self._add(self.buttons, "button", kind.shape(), parse_then)
            self.payloads[kind.shape()] = kind
            return handler

        return register

    def menu(self, label_key: str, *, role: Role | None = None) -> Callable[[Handler], Handler]:
        """A main-menu button: its label, in any language, runs the handler."""

        def register(handler: Handler) -> Handler:
            self._require(handler, role)
            self._add(self.menu_items, "menu label", label_key, handler)
            self._labels = None
            return handler

        return register

    def answer_to(self, prefix: str) -> Callable[[Handler], Handler]:
        """Typed text (or a photo) answering a question the bot asked: `person.awaiting` is
        `prefix:...`. A command or a button instead of the answer drops the question."""

        def register(handler: Handler) -> Handler:
            self._add(self.awaiting, "answer to", prefix, handler)
            return handler

        return register

    def on(self, kind: Kind) -> Callable[[Handler], Handler]:
        def register(handler: Handler) -> Handler:
            self._add(self.kinds, "message kind", kind, handler)
            return handler

        return register

    def include(self, *routers: Router) -> None:
        """Take over other routers' handlers; ValueError when two have one for the same key, or
        two set the same fallback."""
        for other in routers:
            for what, mine, theirs in (
                ("command", self.commands, other.commands),
                ("button", self.buttons, other.buttons),
                ("menu label", self.menu_items, other.menu_items),
                ("message kind", self.kinds, other.kinds),
                ("answer to", self.awaiting, other.awaiting),
            ):
                for key, handler in theirs.items():
                    self._add(mine, what, key, handler)
            self.payloads.update(other.payloads)
            for handler, role in other.roles.items():
                self._require(handler, role)
            for slot in ("fallback_text", "fallback_command", "stale", "denied"):
                if getattr(other, slot) is None:
                    continue
                if getattr(self, slot) not in (None, getattr(other, slot)):
                    raise ValueError(f"{self.name}: {slot} is set twice (again by {other.name})")
                setattr(self, slot, getattr(other, slot))
        self._labels = None

    def _label_handlers(self) -> dict[str, Handler]:
        if self._labels is None:
            self._labels = {
                bare_label(label): handler
                for key, handler in self.menu_items.items()
                for label in all_labels(key).values()
            }
        return self._labels

    def _button(self, payload: str) -> Handler | None:
        """The handler of the kind whose shape the payload has; the longest prefix wins
        (`stats:export:all` over `stats:export:*`)."""
        parts = payload.split(SEPARATOR)
        for taken in range(len(parts), 0, -1):
            shape = SEPARATOR.join([*parts[:taken], *("*" * (len(parts) - taken))])
            handler = self.buttons.get(shape)
            if handler is not None:
                return handler
        return None

    def _route(self, handler: Handler | None) -> Route | None:
        return None if handler is None else Route(handler, self.roles.get(handler))

    def resolve(self, incoming: Incoming, awaiting: str | None = None) -> Route | None:
        """The route for this message, or None when nothing answers it. A button no kind
        reads is routed to the stale answer."""
        if awaiting and incoming.kind in (Kind.text, Kind.photo):
            handler = self.awaiting.get(awaiting.split(":", 1)[0])
            if handler is not None:
                return self._route(handler)
        match incoming.kind:
            case Kind.command:
                return self._route(self.commands.get(incoming.command, self.fallback_command))
            case Kind.button:
                return self._route(self._button(incoming.payload)) or _STALE
            case Kind.text:
                label = self._label_handlers().get(bare_label(incoming.text))
                return self._route(label or self.fallback_text)
            case _:
                kind = self.kinds.get(incoming.kind) or self.kinds.get(Kind.unsupported)
                return self._route(kind)


def as_list(result: HandlerResult) -> list[Reply]:
    if result is None:
        return []
    if isinstance(result, Reply):
        return [result]
    return list(result)

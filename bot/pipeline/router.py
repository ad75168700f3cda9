"""Routing an Incoming to the handler that answers it, without knowing the channel."""

from __future__ import annotations

import re
from collections.abc import Awaitable, Callable, Sequence
from dataclasses import dataclass, field
from datetime import datetime
from typing import TYPE_CHECKING

from sqlmodel.ext.asyncio.session import AsyncSession

from bot.config import Settings
from bot.core.messages import Incoming, Kind, Reply
from bot.db.models import Person
from bot.db.types import utcnow
from bot.i18n import Translator, all_labels
from bot.lessons.model import Course

if TYPE_CHECKING:
    from bot.qa.service import Asker

HandlerResult = Reply | Sequence[Reply] | None
# A menu label may end with a count, "🔁 Review (3)" or "🔁 复习（3）": the count is not the label.
_COUNT = re.compile(r"\s*[(（](?:\d+|\{count\})[)）]\s*$")


def bare_label(text: str) -> str:
    """A menu label as the router compares it: no trailing count, any letter case."""
    return _COUNT.sub("", text.strip()).casefold()


@dataclass
class Services:
    """What handlers may use besides the database: made once at start-up."""

    settings: Settings
    courses: dict[str, Course] = field(default_factory=dict)
    clock: Callable[[], datetime] = utcnow
    # How a code becomes something a person can open: a t.me deep link on Telegram (the channel
    # sets it once it knows the bot's name), a command to type in the console.
    link_for: Callable[[str], str] = field(default=lambda code: f"/join {code}")
    asker: Asker | None = None  # answers questions from the course (bot.qa.service)
    # Downloads a file a person sent (a voice note), where the channel can; None elsewhere.
    fetch_file: Callable[[str], Awaitable[bytes]] | None = None
    # Shows "typing…" in a person's chat (by user id) while a slow answer is made; None where the
    # channel has no such thing.
    show_typing: Callable[[str], Awaitable[None]] | None = None

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


Handler = Callable[[Context], Awaitable[HandlerResult]]


@dataclass
class Router:
    """Handlers by command, button payload prefix, menu label, message kind, or free text."""

    name: str
    commands: dict[str, Handler] = field(default_factory=dict)
    buttons: dict[str, Handler] = field(default_factory=dict)
    menu_items: dict[str, Handler] = field(default_factory=dict)
    kinds: dict[Kind, Handler] = field(default_factory=dict)
    awaiting: dict[str, Handler] = field(default_factory=dict)
    fallback_text: Handler | None = None
    fallback_command: Handler | None = None
    fallback_button: Handler | None = None
    _labels: dict[str, Handler] | None = None

    def command(self, *names: str) -> Callable[[Handler], Handler]:
        def register(handler: Handler) -> Handler:
            for name in names:
                self.commands[name] = handler
            return handler

        return register

    def button(self, prefix: str) -> Callable[[Handler], Handler]:
        """Payloads look like `prefix:arg:arg`; the prefix picks the handler."""

        def register(handler: Handler) -> Handler:
            self.buttons[prefix] = handler
            return handler

        return register

    def menu(self, label_key: str) -> Callable[[Handler], Handler]:
        """A main-menu button: its label, in any language, runs the handler."""

        def register(handler: Handler) -> Handler:
            self.menu_items[label_key] = handler
            self._labels = None
            return handler

        return register

    def answer_to(self, prefix: str) -> Callable[[Handler], Handler]:
        """Typed text (or a photo) answering a question the bot asked: `person.awaiting` is
        `prefix:...`. A command or a button instead of the answer drops the question."""

        def register(handler: Handler) -> Handler:
            self.awaiting[prefix] = handler
            return handler

        return register

    def on(self, kind: Kind) -> Callable[[Handler], Handler]:
        def register(handler: Handler) -> Handler:
            self.kinds[kind] = handler
            return handler

        return register

    def include(self, *routers: Router) -> None:
        """Take over other routers' handlers; later ones override earlier ones."""
        for other in routers:
            self.commands.update(other.commands)
            self.buttons.update(other.buttons)
            self.menu_items.update(other.menu_items)
            self.kinds.update(other.kinds)
            self.awaiting.update(other.awaiting)
            self.fallback_text = other.fallback_text or self.fallback_text
            self.fallback_command = other.fallback_command or self.fallback_command
            self.fallback_button = other.fallback_button or self.fallback_button
        self._labels = None

    def _label_handlers(self) -> dict[str, Handler]:
        if self._labels is None:
            self._labels = {
                bare_label(label): handler
                for key, handler in self.menu_items.items()
                for label in all_labels(key).values()
            }
        return self._labels

    def resolve(self, incoming: Incoming, awaiting: str | None = None) -> Handler | None:
        """The handler for this message, or None when nothing answers it."""
        if awaiting and incoming.kind in (Kind.text, Kind.photo):
            handler = self.awaiting.get(awaiting.split(":", 1)[0])
            if handler is not None:
                return handler
        match incoming.kind:
            case Kind.command:
                return self.commands.get(incoming.command, self.fallback_command)
            case Kind.button:
                prefix = incoming.payload.split(":", 1)[0]
                return self.buttons.get(prefix, self.fallback_button)
            case Kind.text:
                label = self._label_handlers().get(bare_label(incoming.text))
                return label or self.fallback_text
            case _:
                return self.kinds.get(incoming.kind) or self.kinds.get(Kind.unsupported)


def as_list(result: HandlerResult) -> list[Reply]:
    if result is None:
        return []
    if isinstance(result, Reply):
        return [result]
    return list(result)

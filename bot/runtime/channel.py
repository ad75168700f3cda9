"""What a channel is to the runtime: a name, what it can show, a way out, and start/stop.

A channel lives in a folder under bot/channels/ and is listed once in bot/channels/__init__.py;
the runtime knows only this protocol (so bot.runtime never imports a channel, nor aiogram).
"""

from __future__ import annotations

import asyncio
from typing import TYPE_CHECKING, Protocol

from aiohttp import web

from bot.core.capabilities import Capabilities
from bot.core.fitting import Wording, fit_replies
from bot.core.messages import Reply
from bot.db.models import Person
from bot.i18n import Translator
from bot.pipeline.router import Offers
from bot.scheduling.transport import Outcome, Result, Transport

if TYPE_CHECKING:
    from bot.runtime.core import Runtime

__all__ = ["Channel", "FittedTransport", "Offers", "StartupError"]  # Offers: for the channels


class StartupError(RuntimeError):
    """A channel cannot start with these settings (a refused token, an unreachable server): the
    message says what to check; `exit_code` is the one `academy run` ends with."""

    def __init__(self, message: str, exit_code: int = 2) -> None:
        super().__init__(message)
        self.exit_code = exit_code


class Channel(Protocol):
    """One messaging platform (or the console) plugged into the runtime.

    The runtime calls, in this order: `open()` (connect, learn who the bot is there: what it
    offers handlers), `start(runtime, web)` (begin taking updates; a web-hook channel adds its
    routes to the shared aiohttp app), `live()` (the web server now listens: register the
    web-hook, publish menus), and on the way out `stop()` (take no more updates, finish those
    in hand) and `close()` (release connections).
    """

    name: str  # the Person.channel of the people it serves
    capabilities: Capabilities

    @property
    def transport(self) -> Transport | None:
        """The delivery engine's way out to this channel's people (once open); None: nothing
        scheduled is sent there."""
        ...

    # Whether it needs the shared web server (web-hooks) even without METRICS_PORT.
    needs_web: bool

    async def open(self) -> Offers: ...

    async def start(self, runtime: Runtime, app: web.Application) -> asyncio.Task[None] | None:
        """Begin taking updates; a task that ends when the channel ends by itself (the console
        when its input ends), or None."""
        ...

    async def live(self) -> None: ...

    async def stop(self) -> None: ...

    async def close(self) -> None: ...


class FittedTransport:
    """A channel's transport behind `fit_replies`: scheduled messages are fitted to what the
    channel can show, like replies in a conversation. A transport with `fits_replies = True`
    gets each reply whole and fits it itself: WhatsApp decides on the whole scheduled message
    whether it goes free or as one template (bot/channels/whatsapp/window.py)."""

    def __init__(self, transport: Transport, capabilities: Capabilities) -> None:
        self.transport = transport
        self.capabilities = capabilities
        self.channel = transport.channel

    async def send(self, person: Person, reply: Reply) -> Outcome:
        if getattr(self.transport, "fits_replies", False):
            return await self.transport.send(person, reply)
        outcome = Outcome.ok()
        wording = Wording.from_catalog(Translator(person.language))
        for fitted in fit_replies([reply], self.capabilities, wording=wording):
            outcome = await self.transport.send(person, fitted)
            if outcome.result is not Result.sent:
                return outcome
        return outcome

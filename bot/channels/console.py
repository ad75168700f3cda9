"""A terminal chat on the same handlers and database: the default when no token is set."""

from __future__ import annotations

import asyncio
import sys
from collections.abc import Awaitable, Callable
from dataclasses import dataclass
from pathlib import Path
from typing import TextIO

from sqlalchemy.ext.asyncio import async_sessionmaker
from sqlmodel.ext.asyncio.session import AsyncSession

from bot.core.messages import Attachment, Incoming, Reply, Sender
from bot.core.payloads import whole_number
from bot.db.people import find_person
from bot.i18n import Translator, normalise_language
from bot.pipeline.app import Academy

CHANNEL = "console"
QUIT = {"/quit", "/exit"}


@dataclass(frozen=True)
class Choice:
    label: str
    payload: str | None  # an inline button's payload; None for a menu label (sent as text)


class ConsoleChat:
    """Reads lines, shows replies with numbered buttons; a number or a label picks a button."""

    def __init__(
        self,
        academy: Academy,
        sessions: async_sessionmaker[AsyncSession],
        *,
        user: str,
        language: str | None = None,
        stdin: TextIO = sys.stdin,
        stdout: TextIO = sys.stdout,
        files_dir: Path = Path("data/console"),
    ) -> None:
        self.academy = academy
        self.sessions = sessions
        self.sender = Sender(CHANNEL, user, display_name=user, language_hint=language)
        self.stdin = stdin
        self.stdout = stdout
        self.files_dir = files_dir
        self.language = normalise_language(language, academy.services.settings.default_language)
        self.inline: list[Choice] = []
        self.menu: list[Choice] = []
        # Run before each typed line is handled (the runtime's content check, in `academy chat`).
        self.before_each: Callable[[], Awaitable[object]] | None = None

    def say(self, text: str = "") -> None:
        self.stdout.write(text + "\n")
        self.stdout.flush()

    async def run(self) -> None:
        """Chat until end of input or /quit."""
        async with self.sessions() as session:
            known = await _language(session, self.sender)
        self.language = known or self.language  # a returning person is greeted in their language
        self.say(Translator(self.language)("console.hint"))
        read: Callable[[], str] = self.stdin.readline
        while True:
            self.stdout.write("> ")
            self.stdout.flush()
            line = await asyncio.to_thread(read)
            if not line:
                break
            text = line.strip()
            if not text:
                continue
            if text.lower() in QUIT:
                break
            if self.before_each is not None:
                await self.before_each()
            await self.send(self.to_incoming(text))
        self.say(Translator(self.language)("console.bye"))

    def to_incoming(self, text: str) -> Incoming:
        """A typed line as the bot sees it: a button by number or label, else text."""
        choices = self.inline + self.menu
        chosen: Choice | None = None
        number = whole_number(text)
        if number is not None and 1 <= number <= len(choices):
            chosen = choices[number - 1]
        else:
            wanted = _bare(text)
            chosen = next((c for c in self.inline if _bare(c.label) == wanted), None)
        if chosen is None:
            return Incoming.from_text(self.sender, text)
        if chosen.payload is None:
            return Incoming.from_text(self.sender, chosen.label)
        return Incoming.button(self.sender, chosen.payload)

    async def send(self, incoming: Incoming) -> list[Reply]:
        async with self.sessions() as session:
            replies = await self.academy.handle(incoming, session)
            language = await _language(session, self.sender)
        if language:
            self.language = language
        self.show(replies)
        return replies

    def show(self, replies: list[Reply]) -> None:
        if not replies:
            return
        inline: list[Choice] = []
        for reply in replies:
            self.say()
            if reply.edit:
                self.say("(~)")
            for attachment in (reply.image, reply.document):
                if attachment is not None:
                    self.say(f"[{self.save(attachment)}]")
            if reply.text:
                self.say(reply.text)
            for row in reply.buttons:
                for button in row:
                    inline.append(Choice(button.label, button.payload))
                    self.say(f"  [{len(inline)}] {button.label}")
            if reply.menu is not None:
                self.menu = [Choice(label, None) for row in reply.menu for label in row]
        self.inline = inline
        if self.menu:
            first = len(self.inline) + 1
            items = "   ".join(f"[{first + i}] {c.label}" for i, c in enumerate(self.menu))
            self.say()
            self.say(f"≡ {items}")

    def save(self, attachment: Attachment) -> Path:
        """Images and documents land in a folder; the chat shows where."""
        if attachment.ref is not None and attachment.data is None and attachment.path is None:
            return Path(attachment.filename)  # a photo from another channel: only its name here
        self.files_dir.mkdir(parents=True, exist_ok=True)
        target = self.files_dir / Path(attachment.filename).name
        target.write_bytes(attachment.read())
        return target


def _bare(label: str) -> str:
    return label.removeprefix("✓").strip().casefold()


async def _language(session: AsyncSession, sender: Sender) -> str | None:
    person = await find_person(session, sender.channel, sender.user_id)
    return person.language if person else None

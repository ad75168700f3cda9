"""A terminal chat on the same handlers and database: the default when no token is set."""

from __future__ import annotations

import asyncio
import sys
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path
from typing import TextIO

from aiohttp import web
from sqlmodel.ext.asyncio.session import AsyncSession

from bot.core.capabilities import Capabilities
from bot.core.messages import Attachment, Incoming, Reply, Sender
from bot.core.payloads import whole_number
from bot.db.people import find_person
from bot.i18n import Translator, normalise_language
from bot.runtime import Offers, Runtime

CHANNEL = "console"
QUIT = {"/quit", "/exit"}
# A terminal shows any length and any number of numbered choices; an edit is printed anew
# (marked "(~)"); images and documents are saved to a folder; the menu line stays.
CAPABILITIES = Capabilities(
    name=CHANNEL,
    text_limit=100_000,
    text_limit_with_buttons=100_000,
    caption_limit=100_000,
    max_buttons=100,
    button_label_limit=200,
    edits=True,
    payload_limit=256,
)


class ConsoleChannel:
    """The console as a channel of the runtime: one person typing in this terminal. It ends when
    the input ends or they type /quit; it sends nothing scheduled (no transport)."""

    name = CHANNEL
    capabilities = CAPABILITIES
    transport = None
    needs_web = False

    def __init__(
        self,
        *,
        user: str,
        language: str | None = None,
        stdin: TextIO = sys.stdin,
        stdout: TextIO = sys.stdout,
    ) -> None:
        self.user, self.language, self.stdin, self.stdout = user, language, stdin, stdout
        self._live = asyncio.Event()

    async def open(self) -> Offers:
        return Offers()  # codes are typed as `/join CODE`: the default

    async def start(self, runtime: Runtime, app: web.Application) -> asyncio.Task[None]:
        chat = ConsoleChat(
            runtime, user=self.user, language=self.language, stdin=self.stdin, stdout=self.stdout
        )

        async def when_live() -> None:
            # The first prompt after the runtime's own start-up lines (the web server's), and
            # with the dashboard's address, which is known only then.
            await self._live.wait()
            await chat.run()

        return asyncio.create_task(when_live())

    async def live(self) -> None:
        self._live.set()

    async def stop(self) -> None:
        return None  # the line being read is abandoned with the process

    async def close(self) -> None:
        return None


@dataclass(frozen=True)
class Choice:
    label: str
    payload: str | None  # an inline button's payload; None for a menu label (sent as text)


class ConsoleChat:
    """Reads lines, shows replies with numbered buttons; a number or a label picks a button."""

    def __init__(
        self,
        runtime: Runtime,
        *,
        user: str,
        language: str | None = None,
        stdin: TextIO = sys.stdin,
        stdout: TextIO = sys.stdout,
        files_dir: Path = Path("data/console"),
    ) -> None:
        self.runtime = runtime
        self.sessions = runtime.sessions
        self.sender = Sender(CHANNEL, user, display_name=user, language_hint=language)
        self.stdin = stdin
        self.stdout = stdout
        self.files_dir = files_dir
        self.language = normalise_language(language, runtime.settings.default_language)
        self.inline: list[Choice] = []
        self.menu: list[Choice] = []

    def say(self, text: str = "") -> None:
        self.stdout.write(text + "\n")
        self.stdout.flush()

    async def run(self) -> None:
        """Chat until end of input or /quit."""
        async with self.sessions() as session:
            known = await _language(session, self.sender)
        self.language = known or self.language  # a returning person is greeted in their language
        t = Translator(self.language)
        self.say(t("console.hint"))
        if self.runtime.dashboard_url:
            self.say(t("console.dashboard", url=self.runtime.dashboard_url))
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
            replies = (await self.runtime.replies_to(incoming, session, CAPABILITIES)).replies
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

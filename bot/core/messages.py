"""Channel-agnostic messages: what a person sent (Incoming) and what the bot answers (Reply)."""

from __future__ import annotations

from dataclasses import dataclass, replace
from enum import StrEnum
from pathlib import Path

# The C0 control characters but newline and tab: PostgreSQL refuses NUL in a text column, and
# the others only garble a name or a message on the next person's screen.
_CONTROL = dict.fromkeys(code for code in range(0x20) if chr(code) not in "\n\t")


def without_control_characters(text: str) -> str:
    """`text` without NUL and the other C0 control characters; newlines and tabs stay."""
    return text.translate(_CONTROL)


class Kind(StrEnum):
    """What an incoming message is, whatever the channel."""

    command = "command"
    button = "button"
    text = "text"
    voice = "voice"
    photo = "photo"
    document = "document"  # a file sent as such (a lecturer's course workbook)
    unsupported = "unsupported"


@dataclass(frozen=True)
class Sender:
    """Who wrote: a person on one channel."""

    channel: str
    user_id: str
    display_name: str = ""
    language_hint: str | None = None


@dataclass(frozen=True)
class Incoming:
    """One message or button press, already stripped of its transport."""

    sender: Sender
    kind: Kind
    text: str = ""
    command: str = ""
    payload: str = ""
    file_ref: str = ""
    message_ref: str = ""
    # The text of the message this one replies to (a quoted message), where the platform says.
    reply_to_text: str = ""
    # The channel's id for the update that carried this (Telegram's update_id, a WhatsApp wamid):
    # a redelivery of the same update is applied once. Empty: the channel has none (console).
    update_ref: str = ""
    # The id a tap on an offered choice came back with where the tap arrives as text (WeChat's
    # bizmsgmenuid, seen as "0" too); "" when typed. Not trusted: bot.core.choices.typed_choice.
    choice_id: str = ""
    # The file's format where the channel names it (a WeChat voice: "amr", "speex"); empty: the
    # file says, or it is what the channel always sends (Telegram's voice notes: Ogg Opus).
    file_format: str = ""
    # A document's name and size in bytes as the channel reports them before it is downloaded
    # (0: not said); the size lets a file over a cap be refused without fetching it.
    file_name: str = ""
    file_size: int = 0

    @classmethod
    def from_text(
        cls, sender: Sender, text: str, *, message_ref: str = "", reply_to_text: str = ""
    ) -> Incoming:
        """Free text, or a `/command args` when it starts with a slash."""
        stripped = text.strip()
        if stripped.startswith("/") and len(stripped) > 1:
            head, _, rest = stripped[1:].partition(" ")
            name = head.split("@", 1)[0].lower()
            if name and all(c.isalnum() or c == "_" for c in name):
                return cls(
                    sender,
                    Kind.command,
                    text=rest.strip(),
                    command=name,
                    message_ref=message_ref,
                    reply_to_text=reply_to_text,
                )
        return cls(
            sender, Kind.text, text=text, message_ref=message_ref, reply_to_text=reply_to_text
        )

    @classmethod
    def button(cls, sender: Sender, payload: str, *, message_ref: str = "") -> Incoming:
        return cls(sender, Kind.button, payload=payload, message_ref=message_ref)

    def cleaned(self) -> Incoming:
        """This message without control characters (see `without_control_characters`) in
        anything a person can type: text, command, payload, quoted text and their name. The
        same object when there were none."""
        clean = without_control_characters
        cleaned = replace(
            self,
            sender=replace(self.sender, display_name=clean(self.sender.display_name)),
            text=clean(self.text),
            command=clean(self.command),
            payload=clean(self.payload),
            reply_to_text=clean(self.reply_to_text),
        )
        return self if cleaned == self else cleaned


@dataclass(frozen=True)
class Button:
    """An inline button: the label a person reads and the payload the bot gets back."""

    label: str
    payload: str


@dataclass(frozen=True)
class Attachment:
    """A file to send: bytes made by the bot, a file on disk, or one the channel already has."""

    filename: str
    data: bytes | None = None
    path: Path | None = None
    ref: str | None = None  # a file the channel already has (a Telegram file_id)

    def read(self) -> bytes:
        if self.data is not None:
            return self.data
        assert self.path is not None, "an attachment needs data, a path or a ref"
        return self.path.read_bytes()


class Purpose(StrEnum):
    """What a message from the bot is: an answer to what the person just sent, or one the bot
    sends on its own (scheduled). A channel that may only answer for a while after the person
    wrote (WhatsApp 24 h, WeChat 48 h) sends an approved template for a scheduled one instead."""

    answer = "answer"
    reminder = "reminder"  # the daily reminder to study
    nudge = "nudge"  # a gentle reminder after days without study
    lesson = "lesson"  # a step of the class's lesson plan
    announcement = "announcement"  # a lecturer's announcement to a class
    announcement_report = "announcement_report"  # how many got it, to its author
    question_for_lecturer = "question_for_lecturer"  # a trainee's question passed on
    lecturer_answer = "lecturer_answer"  # the lecturer's answer to that question


class Detail(StrEnum):
    """Something a scheduled message is about, which a template sent in its place can name (a
    parameter of WhatsApp's approved templates: {{1}}, {{2}}...)."""

    name = "name"  # the recipient's name (or the catalog's word for a friend)
    lesson = "lesson"  # the lesson's title
    number = "number"  # the lesson's number in the course
    cohort = "class"  # the class's name
    asker = "asker"  # who asked the question
    first_line = "first_line"  # the first line of the announcement or question


# What each scheduled purpose can tell a template (its `Topic` carries these).
DETAILS: dict[Purpose, tuple[Detail, ...]] = {
    Purpose.reminder: (Detail.name,),
    Purpose.nudge: (Detail.name,),
    Purpose.lesson: (Detail.name, Detail.number, Detail.lesson, Detail.cohort),
    Purpose.announcement: (Detail.name, Detail.cohort, Detail.first_line),
    Purpose.announcement_report: (Detail.name, Detail.cohort, Detail.first_line),
    Purpose.question_for_lecturer: (Detail.name, Detail.asker, Detail.first_line),
    Purpose.lecturer_answer: (Detail.name, Detail.first_line),
}


@dataclass(frozen=True)
class Topic:
    """What a scheduled message is about, for a channel that must send an approved template in
    its place (outside WhatsApp's 24 h window): the details its parameters name, and `opens`,
    the payload of the template's button, whose tap shows the message itself."""

    details: tuple[tuple[Detail, str], ...] = ()
    opens: str = ""

    def detail(self, which: Detail) -> str:
        """The detail's text; empty when the message did not say it."""
        return next((text for key, text in self.details if key is which), "")


@dataclass(frozen=True)
class ListRow:
    """One row of a list of choices: a short title, the full wording when the title had to be
    cut, and the payload the bot gets back."""

    title: str
    payload: str
    description: str = ""


@dataclass(frozen=True)
class ChoiceList:
    """Choices behind one button (WhatsApp's list message): `opener` is that button's label."""

    opener: str
    rows: tuple[ListRow, ...]


@dataclass(frozen=True)
class NumberedChoice:
    """A choice written into the text as "1 Next lesson": a person who types the number means
    the payload."""

    number: int
    label: str
    payload: str


@dataclass(frozen=True)
class Reply:
    """One message from the bot.

    `buttons` sit under the message; `menu` replaces the big keyboard at the bottom of the screen
    (None leaves it as it is). With `edit`, the message whose button was pressed is replaced.
    `choice_list` and `numbered` are only made by `bot.core.fitting` for channels that show
    fewer buttons; `purpose` says what the message is (see `Purpose`), and `topic` what a
    scheduled one is about (see `Topic`; None for answers).
    """

    text: str = ""
    buttons: tuple[tuple[Button, ...], ...] = ()
    menu: tuple[tuple[str, ...], ...] | None = None
    image: Attachment | None = None
    document: Attachment | None = None
    edit: bool = False
    choice_list: ChoiceList | None = None
    numbered: tuple[NumberedChoice, ...] = ()
    purpose: Purpose = Purpose.answer
    topic: Topic | None = None

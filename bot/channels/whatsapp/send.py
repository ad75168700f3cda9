"""One fitted Reply -> WhatsApp Cloud API calls (pywa), as few messages as the API allows.

Every message costs money, so a reply is one message wherever Meta lets it be: a text with its
reply buttons is one interactive message, and so is a photo or a file with its buttons (the file
as the message's header). Files are uploaded first and sent by media id, never by link (a link
Meta fails to fetch still answers 200, and the person gets nothing).
"""

from __future__ import annotations

import logging
import mimetypes
from collections.abc import Awaitable, Callable
from functools import partial
from typing import Protocol, TypeVar

import httpx
from pywa_async import WhatsApp
from pywa_async.errors import WhatsAppError
from pywa_async.types import Button, Section, SectionList, SectionRow

from bot.core.fitting import shorten
from bot.core.messages import Attachment, Reply

log = logging.getLogger(__name__)
T = TypeVar("T")
SECTION_TITLE_LIMIT = 24
# An interactive message needs a body: the words above buttons under a file sent alone.
BODY_UNDER_A_FILE = "👆"


class Pace(Protocol):
    """Makes one call that sends one message to `to` within the send budget (see
    bot.channels.whatsapp.budget.within_budget)."""

    async def __call__(self, to: str, call: Callable[[], Awaitable[T]]) -> T: ...


async def unpaced(to: str, call: Callable[[], Awaitable[T]]) -> T:
    """No budget: the call as it is (tests of what is sent)."""
    return await call()


async def send_reply(
    wa: WhatsApp,
    to: str,
    reply: Reply,
    sent: list[str] | None = None,
    *,
    pace: Pace = unpaced,
) -> list[str]:
    """Send one Reply (already fitted to the channel's capabilities) to `to` (a BSUID or a
    phone), each message through `pace`; the wamids of the messages sent, also appended to
    `sent` as each one leaves, so a caller knows what went out before an error. Raises pywa's
    WhatsAppError or httpx's errors as the API or the network fail."""
    refs = sent if sent is not None else []
    start = len(refs)
    text = reply.text.strip()
    buttons = [Button(button.label, button.payload) for row in reply.buttons for button in row]
    files = [
        (kind, attachment)
        for kind, attachment in (("image", reply.image), ("document", reply.document))
        if attachment is not None
    ]
    for index, (kind, attachment) in enumerate(files):
        content = await _content(wa, attachment)
        if content is None:  # a file only another channel has: the words still go
            continue
        last = index == len(files) - 1
        # The last file carries the text (as its caption) and the buttons, unless a list
        # must follow: a list message has no header for a file.
        carries = last and reply.choice_list is None
        caption = text if carries else ""
        with_buttons = buttons if carries else []
        if with_buttons and not caption:
            caption = BODY_UNDER_A_FILE
        mime = _mime(attachment, kind)
        if kind == "image":
            send = partial(wa.send_image, to, content, mime_type=mime)
        else:
            send = partial(
                wa.send_document, to, content, filename=attachment.filename, mime_type=mime
            )
        media = await pace(to, partial(send, caption=caption or None, buttons=with_buttons or None))
        refs.append(media.id)
        if carries:
            return refs[start:]
    if reply.choice_list is not None:
        choices = reply.choice_list
        rows = [SectionRow(row.title, row.payload, row.description or None) for row in choices.rows]
        section = Section(shorten(choices.opener, SECTION_TITLE_LIMIT), rows)
        opener = SectionList(choices.opener, [section])
        message = await pace(
            to, lambda: wa.send_message(to, text or choices.opener, buttons=opener)
        )
        refs.append(message.id)
    elif buttons:
        message = await pace(
            to, lambda: wa.send_message(to, text or BODY_UNDER_A_FILE, buttons=buttons)
        )
        refs.append(message.id)
    elif text:
        message = await pace(to, lambda: wa.send_message(to, text))
        refs.append(message.id)
    return refs[start:]


async def _content(wa: WhatsApp, attachment: Attachment) -> bytes | None:
    """The file's bytes: made by the bot, on disk, or (a `ref`) a WhatsApp media id to send
    again, downloaded first (a received media id cannot be sent as it is). None when the ref
    is not WhatsApp's."""
    if attachment.ref is None or attachment.data is not None or attachment.path is not None:
        return attachment.read()
    try:
        found = await wa.get_media_url(attachment.ref)
        return bytes(await wa.get_media_bytes(found.url))
    except (WhatsAppError, httpx.HTTPError, ValueError) as error:
        log.warning("could not fetch media %s to send it again: %s", attachment.ref, error)
        return None


def _mime(attachment: Attachment, kind: str) -> str:
    guessed, _ = mimetypes.guess_type(attachment.filename)
    if guessed:
        return guessed
    return "image/png" if kind == "image" else "application/octet-stream"

"""Telegram updates -> Incoming, and Reply -> Bot API calls."""

from __future__ import annotations

import logging
from functools import cache

from aiogram import Bot
from aiogram.exceptions import TelegramBadRequest
from aiogram.types import (
    BufferedInputFile,
    CallbackQuery,
    InlineKeyboardButton,
    InlineKeyboardMarkup,
    KeyboardButton,
    Message,
    ReplyKeyboardMarkup,
    User,
)

from bot.config import LANGUAGES
from bot.core.messages import Incoming, Kind, Reply, Sender
from bot.i18n import Translator, catalog
from bot.pipeline.router import bare_label

CHANNEL = "telegram"
TEXT_LIMIT = 4096  # Telegram's longest message
CAPTION_LIMIT = 1024  # Telegram's longest photo or document caption
log = logging.getLogger(__name__)


def sender_of(user: User) -> Sender:
    return Sender(
        CHANNEL,
        str(user.id),
        display_name=user.full_name,
        language_hint=user.language_code,
    )


def incoming_from_message(message: Message) -> Incoming | None:
    """What a person's message means to the core; None for messages with no author."""
    if message.from_user is None or message.from_user.is_bot:
        return None
    sender = sender_of(message.from_user)
    ref = str(message.message_id)
    if message.text is not None:
        quoted = message.reply_to_message
        quoted_text = (quoted.text or quoted.caption or "") if quoted is not None else ""
        return Incoming.from_text(sender, message.text, message_ref=ref, reply_to_text=quoted_text)
    media = message.voice or message.audio
    if media is not None:
        return Incoming(sender, Kind.voice, file_ref=media.file_id, message_ref=ref)
    if message.photo:
        photo, caption = message.photo[-1].file_id, message.caption or ""
        return Incoming(sender, Kind.photo, text=caption, file_ref=photo, message_ref=ref)
    if message.document is not None:
        document = message.document
        return Incoming(
            sender,
            Kind.document,
            text=message.caption or "",
            file_ref=document.file_id,
            message_ref=ref,
            file_name=document.file_name or "",
            file_size=document.file_size or 0,
        )
    return Incoming(sender, Kind.unsupported, message_ref=ref)


def incoming_from_callback(query: CallbackQuery) -> Incoming:
    ref = str(query.message.message_id) if query.message else ""
    return Incoming.button(sender_of(query.from_user), query.data or "", message_ref=ref)


def inline_markup(reply: Reply) -> InlineKeyboardMarkup | None:
    if not reply.buttons:
        return None
    return InlineKeyboardMarkup(
        inline_keyboard=[
            [InlineKeyboardButton(text=b.label, callback_data=b.payload) for b in row]
            for row in reply.buttons
        ]
    )


def menu_markup(reply: Reply) -> ReplyKeyboardMarkup | None:
    if not reply.menu:
        return None
    return ReplyKeyboardMarkup(
        keyboard=[[KeyboardButton(text=label) for label in row] for row in reply.menu],
        resize_keyboard=True,
        is_persistent=True,
        input_field_placeholder=placeholder_for(reply.menu),
    )


PLACEHOLDER_LIMIT = 64  # Telegram's longest input field placeholder


def placeholder_for(menu: tuple[tuple[str, ...], ...]) -> str | None:
    """The hint in the text field under a menu ("Type a question…"), in the menu's language
    (found from its labels, which come from the catalogs); None when no label is known."""
    languages = _menu_languages()
    for row in menu:
        for label in row:
            language = languages.get(bare_label(label))
            if language is not None:
                return Translator(language)("menu.placeholder")[:PLACEHOLDER_LIMIT]
    return None


@cache
def _menu_languages() -> dict[str, str]:
    """Each menu label, as the router compares it, with the language it belongs to."""
    found: dict[str, str] = {}
    for language in LANGUAGES:
        for key, text in catalog(language).items():
            if key.startswith("menu.") and key != "menu.placeholder":
                found.setdefault(bare_label(text), language)
    return found


def split_text(text: str, limit: int = TEXT_LIMIT) -> list[str]:
    """Long text in pieces Telegram accepts, cut at line breaks where possible."""
    pieces: list[str] = []
    while len(text) > limit:
        cut = text.rfind("\n", 0, limit)
        cut = cut if cut > limit // 2 else limit
        pieces.append(text[:cut])
        text = text[cut:].lstrip("\n")
    pieces.append(text)
    return pieces


async def send_reply(
    bot: Bot,
    chat_id: int,
    reply: Reply,
    edit_message_id: int | None,
    *,
    paid_broadcast: bool = False,
) -> None:
    """Send one Reply; an edit that Telegram refuses becomes a new message. A paid broadcast
    goes past the 30 msg/s limit (Telegram charges Stars for it)."""
    paid = True if paid_broadcast else None  # None: the field is left out of the request
    markup = inline_markup(reply)
    if reply.edit and edit_message_id is not None and not reply.menu and reply.text:
        try:
            await bot.edit_message_text(
                text=reply.text[:TEXT_LIMIT],
                chat_id=chat_id,
                message_id=edit_message_id,
                reply_markup=markup,
            )
            return
        except TelegramBadRequest as error:
            if "not modified" in str(error):
                return
            log.info("edit refused (%s); sending a new message", error)
    keyboard = markup or menu_markup(reply)
    attachment = reply.image or reply.document
    text = reply.text
    if attachment is not None:
        caption = text if len(text) <= CAPTION_LIMIT else None
        upload: BufferedInputFile | str = (
            attachment.ref
            if attachment.ref
            else BufferedInputFile(attachment.read(), filename=attachment.filename)
        )
        if reply.image is not None:
            await bot.send_photo(
                chat_id=chat_id,
                photo=upload,
                caption=caption,
                reply_markup=keyboard,
                allow_paid_broadcast=paid,
            )
        else:
            await bot.send_document(
                chat_id=chat_id,
                document=upload,
                caption=caption,
                reply_markup=keyboard,
                allow_paid_broadcast=paid,
            )
        if caption is not None or not text:
            return
    pieces = split_text(text) if text else []
    for index, piece in enumerate(pieces):
        last = index == len(pieces) - 1
        await bot.send_message(
            chat_id=chat_id,
            text=piece,
            reply_markup=keyboard if last else None,
            allow_paid_broadcast=paid,
        )

"""WhatsApp web-hook bodies -> what the core reads: `Incoming` messages and delivery `Receipt`s.

Meta posts `{"object": "whatsapp_business_account", "entry": [{"changes": [{"value": ...}]}]}`;
a value holds `contacts` and `messages` (what people wrote) or `statuses` (what became of the
messages we sent). A person is their business-scoped user id (`user_id`, the BSUID) where Meta
sends one, else their phone-based `wa_id`; the phone is kept beside it when present.

Nothing here trusts the body's shape: parts that are not what Meta sends are skipped.
"""

from __future__ import annotations

import logging
from dataclasses import dataclass, field, replace
from datetime import UTC, datetime
from typing import Any

from bot.channels.whatsapp.capabilities import CHANNEL
from bot.core.fitting import incoming_for_choice
from bot.core.messages import Incoming, Kind, Sender
from bot.db.models import ReceiptStatus
from bot.db.receipts import Receipt

log = logging.getLogger(__name__)

# The language a person's country suggests, from the BSUID's country ("MX.123...") or the
# phone's calling code: a first guess of their language and zone (bot.zones), until they choose.
LANGUAGE_BY_COUNTRY = {
    "MX": "es-MX",
    "GT": "es-GT",
    "CO": "es-CO",
    "PE": "es-PE",
    "ES": "es-ES",
    "CN": "zh-CN",
    "TW": "zh-TW",
    "HK": "zh-HK",
}
LANGUAGE_BY_CALLING_CODE = {"52": "es-MX", "502": "es-GT", "57": "es-CO", "86": "zh-CN"}
STATUSES = {
    "sent": ReceiptStatus.sent,
    "delivered": ReceiptStatus.delivered,
    "read": ReceiptStatus.read,
    "failed": ReceiptStatus.failed,
}


@dataclass(frozen=True)
class Inbound:
    """One message a person sent: what it means, and what the channel keeps of it."""

    incoming: Incoming
    phone: str = ""  # their wa_id, when Meta sent it
    message_id: str = ""  # its wamid (for the read receipt and typing indicator)


@dataclass
class Webhook:
    """What one web-hook call carried."""

    inbound: list[Inbound] = field(default_factory=list)
    receipts: list[Receipt] = field(default_factory=list)
    # Whom the statuses are about (their ids as the channel knows them, where Meta said).
    status_recipients: set[str] = field(default_factory=set)


def read_webhook(body: Any) -> Webhook:
    """Every message and status in a web-hook body, in the order Meta listed them."""
    found = Webhook()
    for value in _values(body):
        contacts = [c for c in _list(value.get("contacts")) if isinstance(c, dict)]
        for message in _list(value.get("messages")):
            if isinstance(message, dict):
                inbound = inbound_from_message(message, contacts)
                if inbound is not None:
                    found.inbound.append(inbound)
        errors = _list(value.get("errors"))
        for status in _list(value.get("statuses")):
            if isinstance(status, dict):
                receipt = receipt_from_status(status, errors)
                if receipt is not None:
                    found.receipts.append(receipt)
                    if recipient := _recipient_of(status, contacts):
                        found.status_recipients.add(recipient)
    return found


def _values(body: Any) -> list[dict[str, Any]]:
    if not isinstance(body, dict) or body.get("object") != "whatsapp_business_account":
        return []
    values = []
    for entry in _list(body.get("entry")):
        for change in _list(entry.get("changes") if isinstance(entry, dict) else None):
            if (
                isinstance(change, dict)
                and isinstance(change.get("value"), dict)
                and change.get("field", "messages") == "messages"
            ):
                values.append(change["value"])
    return values


def _list(value: Any) -> list[Any]:
    return value if isinstance(value, list) else []


def _text(value: Any) -> str:
    return value if isinstance(value, str) else ""


def _contact_of(message: dict[str, Any], contacts: list[dict[str, Any]]) -> dict[str, Any]:
    """The contact entry of the message's author (Meta sends one per author)."""
    user_id, phone = _text(message.get("from_user_id")), _text(message.get("from"))
    for contact in contacts:
        if (user_id and contact.get("user_id") == user_id) or (
            phone and contact.get("wa_id") == phone
        ):
            return contact
    return contacts[0] if len(contacts) == 1 else {}


def language_hint(user_id: str, phone: str) -> str | None:
    """A first guess of the person's language from their country (see LANGUAGE_BY_COUNTRY)."""
    country = user_id.split(".", 1)[0] if "." in user_id else ""
    if country in LANGUAGE_BY_COUNTRY:
        return LANGUAGE_BY_COUNTRY[country]
    for digits in (3, 2):
        if phone[:digits] in LANGUAGE_BY_CALLING_CODE:
            return LANGUAGE_BY_CALLING_CODE[phone[:digits]]
    return None


def inbound_from_message(message: dict[str, Any], contacts: list[dict[str, Any]]) -> Inbound | None:
    """What one message means to the core; None when it names no author or no id, or was
    written in a group (the bot talks with one person at a time, as on Telegram)."""
    if "group_id" in message:
        return None
    contact = _contact_of(message, contacts)
    user_id = _text(message.get("from_user_id")) or _text(contact.get("user_id"))
    phone = _text(message.get("from")) or _text(contact.get("wa_id"))
    wamid = _text(message.get("id"))
    if not (user_id or phone) or not wamid:
        log.info("a WhatsApp message without author or id was skipped")
        return None
    profile = contact.get("profile")
    name = _text(profile.get("name")) if isinstance(profile, dict) else ""
    sender = Sender(
        CHANNEL, user_id or phone, display_name=name, language_hint=language_hint(user_id, phone)
    )
    incoming = _meaning(sender, message, wamid)
    return Inbound(incoming, phone=phone, message_id=wamid)


def _meaning(sender: Sender, message: dict[str, Any], wamid: str) -> Incoming:
    kind = _text(message.get("type"))
    content = message.get(kind) if kind else None
    part: dict[str, Any] = content if isinstance(content, dict) else {}
    context = message.get("context")
    quoted = _text(context.get("id")) if isinstance(context, dict) else ""
    unsupported = Incoming(sender, Kind.unsupported, message_ref=wamid, update_ref=wamid)
    match kind:
        case "text":
            body = _text(part.get("body"))
            if not body:
                return unsupported
            incoming = Incoming.from_text(sender, body, message_ref=wamid)
        case "interactive":
            reply = part.get(_text(part.get("type")))
            choice = _text(reply.get("id")) if isinstance(reply, dict) else ""
            if not choice:
                return unsupported
            incoming = incoming_for_choice(sender, choice, message_ref=quoted or wamid)
        case "button":  # a template's quick-reply button
            payload = _text(part.get("payload")) or _text(part.get("text"))
            if not payload:
                return unsupported
            incoming = incoming_for_choice(sender, payload, message_ref=quoted or wamid)
        case "audio":
            media = _text(part.get("id"))
            if not media:
                return unsupported
            incoming = Incoming(sender, Kind.voice, file_ref=media, message_ref=wamid)
        case "image":
            media = _text(part.get("id"))
            if not media:
                return unsupported
            caption = _text(part.get("caption"))
            incoming = Incoming(sender, Kind.photo, text=caption, file_ref=media, message_ref=wamid)
        case "document":  # not taken here (no size before download): the bot says where to
            media = _text(part.get("id"))  # upload it instead, or answers as to anything else
            if not media:
                return unsupported
            name = _text(part.get("filename"))
            incoming = Incoming(
                sender, Kind.document, file_ref=media, file_name=name, message_ref=wamid
            )
        case _:  # stickers, locations, contacts, videos, reactions, "unsupported"
            return unsupported
    return replace(incoming, update_ref=wamid)


def _recipient_of(status: dict[str, Any], contacts: list[dict[str, Any]]) -> str:
    """The id of the person a status is about: their BSUID where Meta gives it, else the
    phone it names."""
    phone = _text(status.get("recipient_id"))
    user_id = _text(status.get("recipient_user_id"))
    for contact in contacts:
        if not user_id and phone and contact.get("wa_id") == phone:
            user_id = _text(contact.get("user_id"))
    if not user_id and len(contacts) == 1:
        user_id = _text(contacts[0].get("user_id"))
    return user_id or phone


def receipt_from_status(status: dict[str, Any], errors: list[Any] | None = None) -> Receipt | None:
    """One status report as a Receipt; None for a status the receipts do not count. `errors`:
    the ones Meta put beside the statuses rather than in them."""
    wamid = _text(status.get("id"))
    kind = STATUSES.get(_text(status.get("status")))
    if not wamid or kind is None:
        return None
    try:
        at = datetime.fromtimestamp(int(_text(status.get("timestamp"))), UTC)
    except (ValueError, OverflowError, OSError):  # none, or not a time: when we heard of it
        at = datetime.now(UTC)
    code = None
    for error in _list(status.get("errors")) or (errors or []):
        if isinstance(error, dict) and isinstance(error.get("code"), int):
            code = error["code"]
            break
    return Receipt(wamid, kind, at, error_code=code)

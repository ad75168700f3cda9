"""WeChat's messages and events -> what the core reads (`Incoming`), or that someone unfollowed.

A person is their openid (`FromUserName`: one per person and account). WeChat tells no language;
the account serves China, so the hint is Chinese until the person chooses.

- text: the words, or a `/command`. A tap on a `weixin://bizmsgmenu` link (or a menu message's
  item) arrives as a text with `bizmsgmenuid`: the text is the item's content, which the person
  sees as sent; the id (the choice's number, bot.channels.wechat.tappable) has been seen as
  "0". It is kept as `Inbound.menu_id` and `Incoming.choice_id`; the pipeline maps the tap back
  to a payload with the person's stored choices (`bot.core.choices.typed_choice`: the id when
  its choice reads as the text, else the label, else a number).
- voice: `file_ref` is the MediaId (AMR, sometimes Speex), fetched and transcribed like any voice;
  WeChat's own `Recognition` is not read (it is being retired).
- image: a photo, `file_ref` the MediaId.
- subscribe (follow): `/start`, and `/start CODE` from a parametric QR code (EventKey
  `qrscene_CODE`): the code opens like a Telegram deep link (join a class, take a role).
- SCAN (a follower scans a parametric QR code): `/start CODE`.
- CLICK (the account's custom menu): the item's key is its action. `say:<words>` is the words
  typed (`say:上课`, the main menu's labels, what Telegram's keyboard sends); `/<command> [args]`
  is that command; anything else is a button payload (`bot.core.payloads`), as if tapped.
- unsubscribe: `Unfollowed` (not an `Incoming`): the channel marks the person inactive.
- Other messages (video, location, link, file...): `Kind.unsupported`, answered as on Telegram.
- TEMPLATESENDJOBFINISH (what became of a template message, `MsgID` its msgid):
  `TemplateReport`, a receipt for `bot.db.receipts` (not an `Incoming`: nothing to answer).
  `Status` "success" → delivered; "failed:user block" (the person refuses the account's
  messages) → failed with USER_BLOCK as its code; any other failure ("failed: system failed")
  → failed without a code.
- Other events (VIEW, LOCATION reports, MASSSENDJOBFINISH...): nothing. They are not something
  the person said, and an answer to each would spend their message budget.

`update_ref` is the MsgId; events have none, so theirs is openid:CreateTime:Event(:EventKey)
(WeChat retries a call 3 times in 15 s with the same fields), and a job-finish event's also
ends with its MsgID: two templates to one person can finish in the same second.
"""

from __future__ import annotations

import logging
from dataclasses import dataclass, replace
from datetime import UTC, datetime
from enum import StrEnum

from bot.channels.wechat.xml import WeChatXml
from bot.core.fitting import incoming_for_choice
from bot.core.messages import Incoming, Kind, Sender
from bot.db.models import ReceiptStatus
from bot.db.receipts import Receipt

log = logging.getLogger(__name__)
CHANNEL = "wechat"
LANGUAGE_HINT = "zh"
QR_SCENE_PREFIX = "qrscene_"
REF_LENGTH = 128  # processed_updates.ref
TEMPLATE_FINISHED = "templatesendjobfinish"
# A job-finish "failed:user block" is kept with this code: WeChat's own errcode for "the user
# refuses the account's messages" (43101), so the receipt says why it never arrived.
USER_BLOCK = 43101


class Prompt(StrEnum):
    """What the person did, which decides how many messages the account may send them after:
    a message opens 48 hours (5 messages); a menu click, a follow or a QR scan one minute
    (3 messages)."""

    message = "message"
    menu_click = "menu_click"
    follow = "follow"
    scan = "scan"


@dataclass(frozen=True)
class Inbound:
    """Something a person sent or did: what it means, and what the channel keeps of it."""

    incoming: Incoming
    prompt: Prompt
    sent_at: datetime  # WeChat's CreateTime
    menu_id: str | None = None  # bizmsgmenuid: a tap on a bizmsgmenu link ("0" counts)


@dataclass(frozen=True)
class TemplateReport:
    """What WeChat says became of a template message sent to `user_id` (TEMPLATESENDJOBFINISH)."""

    user_id: str
    receipt: Receipt
    update_ref: str


@dataclass(frozen=True)
class Unfollowed:
    """The person unfollowed the account: nothing can reach them until they follow again."""

    user_id: str
    sent_at: datetime
    update_ref: str


def sender_of(openid: str) -> Sender:
    return Sender(CHANNEL, openid, language_hint=LANGUAGE_HINT)


def sent_at(message: WeChatXml) -> datetime:
    """When WeChat says it was sent; now when the time is missing or not one."""
    try:
        return datetime.fromtimestamp(int(message.create_time), UTC)
    except (ValueError, OverflowError, OSError):
        return datetime.now(UTC)


def read_message(message: WeChatXml) -> Inbound | Unfollowed | TemplateReport | None:
    """What one message or event means (see the module's docstring); None when it names no
    sender or is an event the bot does not answer."""
    openid = message.from_user_name.strip()
    if not openid:
        log.info("a WeChat message without FromUserName was skipped")
        return None
    if message.msg_type == "event":
        return _event(openid, message)
    return _message(openid, message)


def _message(openid: str, message: WeChatXml) -> Inbound:
    sender = sender_of(openid)
    ref = message.msg_id or _event_ref(openid, message)
    menu_id: str | None = None
    match message.msg_type:
        case "text" if message.content.strip():
            incoming = Incoming.from_text(sender, message.content, message_ref=ref)
            if message.bizmsgmenuid:
                menu_id = message.bizmsgmenuid
                incoming = replace(incoming, choice_id=menu_id[:REF_LENGTH])
        case "voice" if message.media_id:
            incoming = Incoming(
                sender,
                Kind.voice,
                file_ref=message.media_id,
                file_format=message.format.lower(),
                message_ref=ref,
            )
        case "image" if message.media_id:
            incoming = Incoming(sender, Kind.photo, file_ref=message.media_id, message_ref=ref)
        case _:
            incoming = Incoming(sender, Kind.unsupported, message_ref=ref)
    return Inbound(
        replace(incoming, update_ref=ref),
        Prompt.message,
        sent_at(message),
        menu_id=menu_id,
    )


def _event(openid: str, message: WeChatXml) -> Inbound | Unfollowed | TemplateReport | None:
    sender = sender_of(openid)
    ref = _event_ref(openid, message)
    key = message.event_key.strip()
    match message.event.lower():
        case "templatesendjobfinish":
            return template_report(openid, message, ref)
        case "subscribe":
            scene = key.removeprefix(QR_SCENE_PREFIX) if key.startswith(QR_SCENE_PREFIX) else ""
            incoming, prompt = _start(sender, scene), Prompt.follow
        case "scan":
            incoming, prompt = _start(sender, key), Prompt.scan
        case "click" if key:
            incoming, prompt = _menu_action(sender, key), Prompt.menu_click
        case "unsubscribe":
            return Unfollowed(openid, sent_at(message), ref)
        case _:
            log.debug("a WeChat %r event was ignored", message.event[:40])
            return None
    return Inbound(replace(incoming, update_ref=ref), prompt, sent_at(message))


def template_report(openid: str, message: WeChatXml, ref: str) -> TemplateReport | None:
    """A job-finish event as a receipt of the template it names; None without a MsgID."""
    msgid = message.job_msg_id.strip()
    if not msgid:
        log.info("a WeChat TEMPLATESENDJOBFINISH without MsgID was skipped")
        return None
    status = " ".join(message.status.lower().split())  # "failed: system failed", spaced or not
    if status == "success":
        receipt = Receipt(msgid, ReceiptStatus.delivered, sent_at(message))
    elif status.replace(" ", "").startswith("failed:userblock"):
        receipt = Receipt(msgid, ReceiptStatus.failed, sent_at(message), error_code=USER_BLOCK)
    else:
        if not status.startswith("failed"):
            log.info("a WeChat template's unknown status %r counts as failed", status[:40])
        receipt = Receipt(msgid, ReceiptStatus.failed, sent_at(message))
    return TemplateReport(openid, receipt, ref)


def _start(sender: Sender, scene: str) -> Incoming:
    """`/start`, with the QR code's scene (a class or role code) as a deep link's code."""
    return Incoming(sender, Kind.command, command="start", text=scene.strip())


def _menu_action(sender: Sender, key: str) -> Incoming:
    """A custom-menu item's key as what the person means (see the module's docstring)."""
    if key.startswith("/"):
        return Incoming.from_text(sender, key)
    return incoming_for_choice(sender, key)


def _event_ref(openid: str, message: WeChatXml) -> str:
    """An event's id for deduplication: who, when, what (and which menu item or scene)."""
    parts = [openid, message.create_time, message.event]
    if message.event_key:
        parts.append(message.event_key)
    if message.job_msg_id:
        parts.append(message.job_msg_id)
    return ":".join(parts)[:REF_LENGTH]

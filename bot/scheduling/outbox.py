"""The outbox: replies a channel could not send at once (Telegram kept answering 429 or 5xx past
the retries) wait here as delivery rows of kind "reply" and the delivery engine sends them when
the channel recovers.

A person's replies leave in the order they were made: while some wait, a new reply joins the
queue behind them (the Academy reads whether some wait together with the person,
bot.db.people.arrival), each is due no earlier than the ones before it, and the engine sends one
person's rows one after another, stopping at the first that must wait.

A reply is kept as JSON (text, buttons, menu, the attachment's name and where it comes from) and,
when the bot made the file itself (a certificate, a chart, a QR code), its bytes up to
`MAX_KEPT_BYTES`. An edit cannot be applied later (the message may have moved on): it is sent as
a new message.
"""

from __future__ import annotations

import json
import logging
import uuid
from collections.abc import Sequence
from datetime import datetime
from pathlib import Path
from typing import Any

from sqlalchemy import func, update
from sqlmodel import col, select
from sqlmodel.ext.asyncio.session import AsyncSession

from bot.core.messages import Attachment, Button, Reply
from bot.db.models import OUTBOX_WAITING, Delivery, DeliveryKind, DeliveryStatus
from bot.db.people import find_person

log = logging.getLogger(__name__)
MAX_KEPT_BYTES = 20 * 1024 * 1024  # a photo or document bigger than this is left out


def pack(reply: Reply) -> tuple[str, bytes | None]:
    """The reply as JSON, and the bytes of its attachment when only the bot has them."""
    body: dict[str, Any] = {"text": reply.text}
    if reply.buttons:
        body["buttons"] = [[[b.label, b.payload] for b in row] for row in reply.buttons]
    if reply.menu is not None:
        body["menu"] = [list(row) for row in reply.menu]
    data: bytes | None = None
    for kind, attachment in (("image", reply.image), ("document", reply.document)):
        if attachment is None:
            continue
        kept: dict[str, Any] = {"filename": attachment.filename}
        if attachment.ref is not None:
            kept["ref"] = attachment.ref
        elif attachment.data is not None:
            if len(attachment.data) > MAX_KEPT_BYTES:
                log.warning(
                    "left %s (%d bytes) out of a kept reply",
                    attachment.filename,
                    len(attachment.data),
                )
                continue
            data = attachment.data
            kept["data"] = True
        elif attachment.path is not None:
            kept["path"] = str(attachment.path)
        body[kind] = kept
    return json.dumps(body, ensure_ascii=False), data


def unpack(body: str, data: bytes | None) -> Reply:
    """The Reply `pack` kept (never an edit)."""
    kept = json.loads(body)
    attachments: dict[str, Attachment] = {}
    for kind in ("image", "document"):
        if (found := kept.get(kind)) is not None:
            attachments[kind] = Attachment(
                found["filename"],
                data=data if found.get("data") else None,
                path=Path(found["path"]) if "path" in found else None,
                ref=found.get("ref"),
            )
    return Reply(
        kept.get("text", ""),
        buttons=tuple(
            tuple(Button(label, payload) for label, payload in row)
            for row in kept.get("buttons", [])
        ),
        menu=tuple(tuple(row) for row in kept["menu"]) if "menu" in kept else None,
        image=attachments.get("image"),
        document=attachments.get("document"),
    )


async def keep(
    session: AsyncSession, channel: str, user_id: str, replies: Sequence[Reply], now: datetime
) -> bool:
    """Put `replies` in the outbox behind the person's waiting ones, and commit; False when the
    person is unknown (nothing kept)."""
    person = await find_person(session, channel, user_id)
    if person is None or person.id is None:
        return False
    latest = (
        await session.exec(
            select(func.max(Delivery.due_at)).where(
                col(Delivery.person_id) == person.id,
                col(Delivery.kind) == DeliveryKind.reply,
                col(Delivery.status).in_(OUTBOX_WAITING),
            )
        )
    ).one()
    due = max(now, latest) if latest is not None else now
    for reply in replies:
        body, data = pack(reply)
        session.add(
            Delivery(
                person_id=person.id,
                kind=DeliveryKind.reply,
                occurrence=uuid.uuid4().hex,
                due_at=due,
                body=body,
                attachment=data,
            )
        )
    await session.commit()
    return True


async def hold_back(session: AsyncSession, person_id: int, until: datetime) -> None:
    """A person's reply must wait until `until`: so do the replies queued behind it."""
    await session.exec(
        update(Delivery)
        .where(
            col(Delivery.person_id) == person_id,
            col(Delivery.kind) == DeliveryKind.reply,
            col(Delivery.status) == DeliveryStatus.pending,
            col(Delivery.due_at) < until,
        )
        .values(due_at=until)
    )

"""Files behind a download link, for a channel that cannot send files (WeChat): the bytes kept
for `LIFETIME` under the SHA-256 of a random 256-bit token, the token itself only in the link
(bot/web/files.py serves `/files/<token>`). Expired rows are pruned on the delivery tick."""

from __future__ import annotations

import hashlib
import mimetypes
import secrets
from dataclasses import dataclass
from datetime import datetime, timedelta

from sqlalchemy import delete
from sqlmodel import col
from sqlmodel.ext.asyncio.session import AsyncSession

from bot.db.models import Download

LIFETIME = timedelta(hours=24)
DEFAULT_TYPE = "application/octet-stream"
# Types `mimetypes` may not know on every system.
_TYPES = {
    ".xlsx": "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
    ".json": "application/json",
    ".csv": "text/csv",
    ".pdf": "application/pdf",
}


@dataclass(frozen=True)
class Found:
    """A download a token names, and whether it ran out (then it is not served)."""

    download: Download
    expired: bool


def token_hash(token: str) -> str:
    return hashlib.sha256(token.encode()).hexdigest()


def content_type_of(filename: str) -> str:
    suffix = "." + filename.rpartition(".")[2].lower() if "." in filename else ""
    return _TYPES.get(suffix) or mimetypes.guess_type(filename)[0] or DEFAULT_TYPE


async def store(
    session: AsyncSession, person_id: int, filename: str, data: bytes, now: datetime
) -> str:
    """Keep `data` for `person_id` until `now + LIFETIME` (flushed: committed with the caller's
    session); the token of its link."""
    token = secrets.token_urlsafe(32)
    session.add(
        Download(
            token_hash=token_hash(token),
            person_id=person_id,
            filename=filename[:255],
            content_type=content_type_of(filename),
            data=data,
            created_at=now,
            expires_at=now + LIFETIME,
        )
    )
    await session.flush()
    return token


async def find(session: AsyncSession, token: str, now: datetime) -> Found | None:
    """The download `token` names; None when there is none (never was, or pruned)."""
    if not token or len(token) > 128:
        return None
    download = await session.get(Download, token_hash(token))
    if download is None:
        return None
    return Found(download, expired=now >= download.expires_at)


async def prune(session: AsyncSession, now: datetime) -> int:
    """Drop the downloads that ran out; returns how many."""
    result = await session.exec(
        delete(Download)
        .where(col(Download.expires_at) <= now)
        .execution_options(synchronize_session=False)
    )
    return int(result.rowcount or 0)

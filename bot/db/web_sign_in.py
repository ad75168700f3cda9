"""Signing in to the web dashboard without a password: one-time links and browser sessions.

A sign-in link carries a random 256-bit token; only its SHA-256 is kept (`web_logins`), so the
database never holds a working link. It works once (`use_login` marks it used in the same
UPDATE that checks it, so two clicks at once open one session) and for LOGIN_LIFETIME.

A session is a random 256-bit cookie value, kept as its SHA-256 (`web_sessions`) with the CSRF
token its forms carry. It ends SESSION_IDLE after it was last used (renewed on use, at most
every RENEW_EVERY so most requests write nothing) and SESSION_LONGEST after sign-in whatever
happens, or at sign-out. Expired rows are pruned on the delivery tick and at each new link.
"""

from __future__ import annotations

import secrets
from dataclasses import dataclass
from datetime import datetime, timedelta
from enum import StrEnum

from sqlalchemy import delete, update
from sqlmodel import col, select
from sqlmodel.ext.asyncio.session import AsyncSession

from bot.config import Settings
from bot.db.downloads import token_hash
from bot.db.models import Person, WebLogin, WebSession

LOGIN_LIFETIME = timedelta(minutes=10)
SESSION_IDLE = timedelta(days=7)
SESSION_LONGEST = timedelta(days=30)
RENEW_EVERY = timedelta(minutes=5)
SIGN_IN_PATH = "/web/login/"  # + token: the page with the "Sign in" button (bot/web/signin.py)
_TOKEN_LONGEST = 128


def sign_in_link(settings: Settings, token: str) -> str:
    """The address a person opens to sign in with `token`."""
    return settings.web_base_url.rstrip("/") + SIGN_IN_PATH + token


async def new_login(session: AsyncSession, person_id: int, now: datetime) -> str:
    """A one-time sign-in token for `person_id`, valid LOGIN_LIFETIME from `now` (flushed:
    committed with the caller's session). Expired links and sessions are pruned on the way."""
    await prune(session, now)
    token = secrets.token_urlsafe(32)
    session.add(
        WebLogin(
            token_hash=token_hash(token),
            person_id=person_id,
            created_at=now,
            expires_at=now + LOGIN_LIFETIME,
        )
    )
    await session.flush()
    return token


class Refusal(StrEnum):
    """Why a sign-in link did not open a session."""

    unknown = "unknown"  # never made, cut, or pruned
    expired = "expired"
    used = "used"


class LoginRefused(Exception):
    """A sign-in link that does not work; `person_id` says whose it was when we know."""

    def __init__(self, reason: Refusal, person_id: int | None = None) -> None:
        super().__init__(reason.value)
        self.reason = reason
        self.person_id = person_id


async def use_login(session: AsyncSession, token: str, now: datetime) -> int:
    """Spend the sign-in token: the person it signs in (the caller commits). Raises
    LoginRefused when it is unknown, expired or already used."""
    if not token or len(token) > _TOKEN_LONGEST:
        raise LoginRefused(Refusal.unknown)
    key = token_hash(token)
    # Checked and spent in one statement: of two requests at once, only one updates the row.
    spent = await session.exec(
        update(WebLogin)
        .where(
            col(WebLogin.token_hash) == key,
            col(WebLogin.used_at).is_(None),
            col(WebLogin.expires_at) > now,
        )
        .values(used_at=now)
        .execution_options(synchronize_session=False)
    )
    login = await session.get(WebLogin, key, populate_existing=True)
    if login is None:
        raise LoginRefused(Refusal.unknown)
    if spent.rowcount == 1:
        return login.person_id
    if login.used_at is not None:
        raise LoginRefused(Refusal.used, login.person_id)
    raise LoginRefused(Refusal.expired, login.person_id)


@dataclass(frozen=True)
class OpenSession:
    """A session just opened: the cookie's value (only here, never stored) and its CSRF token."""

    cookie: str
    csrf: str
    expires_at: datetime


async def open_session(session: AsyncSession, person_id: int, now: datetime) -> OpenSession:
    """A new browser session for `person_id` (flushed; the caller commits)."""
    cookie = secrets.token_urlsafe(32)
    csrf = secrets.token_urlsafe(32)
    row = WebSession(
        id_hash=token_hash(cookie),
        person_id=person_id,
        csrf_token=csrf,
        created_at=now,
        expires_at=now + SESSION_IDLE,
        last_seen_at=now,
    )
    session.add(row)
    await session.flush()
    return OpenSession(cookie, csrf, row.expires_at)


@dataclass(frozen=True)
class SignedIn:
    """A live session and the person it belongs to; `renewed` when this use moved its expiry
    (the cookie is then sent again with the new one)."""

    record: WebSession
    person: Person
    renewed: bool


async def find_session(session: AsyncSession, cookie: str, now: datetime) -> SignedIn | None:
    """The live session a cookie names, renewed when it was last seen over RENEW_EVERY ago
    (the caller commits); None for an unknown, expired or ended one."""
    if not cookie or len(cookie) > _TOKEN_LONGEST:
        return None
    found = (
        await session.exec(
            select(WebSession, Person)
            .join(Person, col(Person.id) == col(WebSession.person_id))
            .where(col(WebSession.id_hash) == token_hash(cookie))
        )
    ).first()
    if found is None:
        return None
    record, person = found
    if now >= record.expires_at or now >= record.created_at + SESSION_LONGEST:
        return None
    renewed = now - record.last_seen_at >= RENEW_EVERY
    if renewed:
        record.last_seen_at = now
        record.expires_at = min(now + SESSION_IDLE, record.created_at + SESSION_LONGEST)
        session.add(record)
    return SignedIn(record, person, renewed)


async def end_session(session: AsyncSession, cookie: str) -> None:
    """Sign out: the session the cookie names no longer works (the caller commits)."""
    await session.exec(
        delete(WebSession)
        .where(col(WebSession.id_hash) == token_hash(cookie))
        .execution_options(synchronize_session=False)
    )


async def prune(session: AsyncSession, now: datetime) -> int:
    """Drop the links and sessions that ran out; returns how many rows went."""
    gone = 0
    for table, column in (
        (WebLogin, col(WebLogin.expires_at)),
        (WebSession, col(WebSession.expires_at)),
    ):
        result = await session.exec(
            delete(table).where(column <= now).execution_options(synchronize_session=False)
        )
        gone += int(result.rowcount or 0)
    return gone

"""Signed, expiring per-person links to the lesson page (bot/web/lesson.py), made where the
chat shows a lesson (bot/handlers/lessons.py), in a WeChat template (channels/wechat) and by
the page itself; read back only by the page.

A token is `<person>.<course>.<lesson>.<expiry>.<signature>`: an HMAC-SHA256 over the rest with
`Settings.lesson_link_secret`, cut to 128 bits. The lesson `next` (NEXT_LESSON) means "the
person's next lesson, whichever it is then". The page's forms carry a form key: an HMAC of the
token and the place in the lesson the form was drawn at, so only a page we drew can move a
person, and only from where it was drawn.
"""

from __future__ import annotations

import base64
import hashlib
import hmac
import re
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta

LESSON_PATH = "/lesson/{token}"
# Long enough for a reminder read a week late; short enough that an old forwarded link dies.
LINK_LIFETIME = timedelta(days=14)
NEXT_LESSON = "next"  # a link's lesson meaning "wherever the person is now" (not a lesson slug)
_TOKEN = re.compile(r"(\d+)\.([a-z0-9-]+)\.([a-z0-9-]+)\.(\d+)\.([A-Za-z0-9_-]{22})")


@dataclass(frozen=True)
class LessonLink:
    """Who may read which lesson, until when."""

    person_id: int
    course_id: str
    slug: str
    expires_at: datetime


class BadLink(Exception):
    """A token that is not ours (changed, cut, made up), or `expired` (then `link` says whose)."""

    def __init__(self, link: LessonLink | None = None) -> None:
        super().__init__("expired" if link else "not signed by us")
        self.link = link


def _signature(secret: bytes, body: str) -> str:
    digest = hmac.new(secret, body.encode(), hashlib.sha256).digest()[:16]
    return base64.urlsafe_b64encode(digest).decode().rstrip("=")


def sign(secret: bytes, link: LessonLink) -> str:
    """The token of `link`: `<person>.<course>.<slug>.<expiry>.<signature>`, URL-safe."""
    body = f"{link.person_id}.{link.course_id}.{link.slug}.{int(link.expires_at.timestamp())}"
    return f"{body}.{_signature(secret, body)}"


def read(secret: bytes, token: str, now: datetime) -> LessonLink:
    """The link a token names; raises BadLink when it is not ours, or has expired at `now`."""
    match = _TOKEN.fullmatch(token)
    if match is None:
        raise BadLink()
    person, course, slug, expiry, signature = match.groups()
    body = f"{person}.{course}.{slug}.{expiry}"
    if not hmac.compare_digest(signature, _signature(secret, body)):
        raise BadLink()
    link = LessonLink(int(person), course, slug, datetime.fromtimestamp(int(expiry), UTC))
    if now >= link.expires_at:
        raise BadLink(link)
    return link


def lesson_token(secret: bytes, person_id: int, course_id: str, slug: str, now: datetime) -> str:
    """A token for one person's lesson `slug` (or NEXT_LESSON), working LINK_LIFETIME from `now`."""
    return sign(secret, LessonLink(person_id, course_id, slug, now + LINK_LIFETIME))


def lesson_url(
    public_url: str, secret: bytes, person_id: int, course_id: str, slug: str, now: datetime
) -> str:
    """The address of the lesson's page for one person, working for LINK_LIFETIME from `now`."""
    token = lesson_token(secret, person_id, course_id, slug, now)
    return public_url.rstrip("/") + LESSON_PATH.format(token=token)


def next_lesson_url(
    public_url: str, secret: bytes, person_id: int, course_id: str, now: datetime
) -> str:
    """The address of the page of whichever lesson the person is on when they open it."""
    return lesson_url(public_url, secret, person_id, course_id, NEXT_LESSON, now)


def form_key(secret: bytes, token: str, lesson: str, at: str) -> str:
    """The key a page's form carries: it names the token and the place `at` in `lesson` the form
    was drawn at, so a form from another page, or one edited to another place, is refused."""
    return _signature(secret, f"form|{token}|{lesson}|{at}")


def is_form_key(secret: bytes, token: str, lesson: str, at: str, key: str) -> bool:
    return hmac.compare_digest(key, form_key(secret, token, lesson, at))

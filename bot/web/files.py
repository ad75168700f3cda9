"""The download page: a file a channel could not send (a coordinator's spreadsheet, a person's
data on WeChat) fetched from our own web server by the link the person got in its place.

`GET /files/<token>` answers the file as an attachment (its name, its type) while the link is
young (bot.db.downloads.LIFETIME, a day); a token we never made, or whose file was pruned,
answers 404, one that ran out 410, each a short page in zh, es or en from the catalogs (the
person's language when the link still says whose it was, else the browser's). The token is the
only key: a random 256-bit value per file, of which only the SHA-256 is kept, so one link never
opens another file.

Interface:
- `store_download(session, public_url, person_id, attachment, now) -> str`: the file's link
  (kept with the session's commit).
- `add_file_routes(app, sessions=, clock=)`: the route on the web app.
"""

from __future__ import annotations

import re
from collections.abc import Callable
from datetime import datetime
from urllib.parse import quote

from aiohttp import web
from sqlalchemy.ext.asyncio import async_sessionmaker
from sqlmodel.ext.asyncio.session import AsyncSession

from bot.core.messages import Attachment
from bot.db import downloads
from bot.db.models import Person
from bot.web.lesson import accepted_language, problem_page

ROUTE = "/files/{token}"
_UNSAFE = re.compile(r"[^A-Za-z0-9._-]")


def file_url(public_url: str, token: str) -> str:
    return public_url.rstrip("/") + ROUTE.format(token=token)


async def store_download(
    session: AsyncSession,
    public_url: str,
    person_id: int,
    attachment: Attachment,
    now: datetime,
) -> str:
    """Keep the attachment's bytes for `person_id` in `session` (the caller commits); the
    address it is fetched at."""
    token = await downloads.store(session, person_id, attachment.filename, attachment.read(), now)
    return file_url(public_url, token)


def add_file_routes(
    app: web.Application,
    *,
    sessions: async_sessionmaker[AsyncSession],
    clock: Callable[[], datetime],
) -> None:
    """Serve the downloads on `app`."""

    async def file_download(request: web.Request) -> web.StreamResponse:
        asked = accepted_language(request.headers.get("Accept-Language", ""))
        async with sessions() as session:
            found = await downloads.find(session, request.match_info["token"], clock())
            if found is None:
                return problem_page(asked, "files_page.not_found", 404)
            if found.expired:
                person = await session.get(Person, found.download.person_id)
                language = person.language if person else asked
                return problem_page(language, "files_page.expired", 410)
            download = found.download
        return web.Response(
            body=download.data,
            content_type=download.content_type,
            headers={
                "Content-Disposition": _disposition(download.filename),
                # One person's file: not kept by caches, not indexed, never read as a page.
                "Cache-Control": "no-store",
                "Referrer-Policy": "no-referrer",
                "X-Robots-Tag": "noindex",
                "X-Content-Type-Options": "nosniff",
            },
        )

    app.router.add_get(ROUTE, file_download)


def _disposition(filename: str) -> str:
    """`attachment` with the name, plain ASCII for old browsers and UTF-8 (RFC 6266) for all."""
    plain = _UNSAFE.sub("_", filename) or "file"
    return f"attachment; filename=\"{plain}\"; filename*=UTF-8''{quote(filename, safe='')}"

"""What the web-hook channels share: reading a signed body whole, within a size limit (the
signature covers the raw bytes, so the body is read before anything is parsed)."""

from __future__ import annotations

from aiohttp import web

MAX_BODY = 1024 * 1024  # no message or batch of statuses comes near a megabyte


async def read_body(request: web.Request, limit: int = MAX_BODY) -> bytes | None:
    """The raw body, all of it; None when it is over `limit` (said, or as it arrives)."""
    if (request.content_length or 0) > limit:
        return None
    chunks: list[bytes] = []
    size = 0
    async for chunk in request.content.iter_chunked(64 * 1024):
        size += len(chunk)
        if size > limit:
            return None
        chunks.append(chunk)
    return b"".join(chunks)

"""What the page tests share: a server of the runtime's routes on a clock the test moves, and a
visitor that fetches pages and makes people to link to."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from datetime import datetime

import aiohttp

from bot.db.models import Person
from bot.runtime import Runtime
from tests.fakes.server import LocalServer


class RoutesServer(LocalServer):
    """The routes a subclass adds in `make_app`, with the runtime and a movable clock."""

    def __init__(self, runtime: Runtime, clock: list[datetime]) -> None:
        self.runtime = runtime
        self.clock = clock


@dataclass
class Visitor:
    runtime: Runtime
    clock: list[datetime]

    async def fetch(self, url: str, language: str = "") -> tuple[int, bytes, Mapping[str, str]]:
        """GET `url` (with `Accept-Language: language`): status, body, headers."""
        headers = {"Accept-Language": language} if language else {}
        async with aiohttp.ClientSession() as http, http.get(url, headers=headers) as response:
            return response.status, await response.read(), response.headers

    async def person(self, language: str) -> int:
        """A WeChat person speaking `language`; their id."""
        async with self.runtime.sessions() as session:
            person = Person(channel="wechat", channel_user_id=f"o{language}", language=language)
            session.add(person)
            await session.commit()
            assert person.id is not None
            return person.id

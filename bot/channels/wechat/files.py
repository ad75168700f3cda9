"""Documents on WeChat, which cannot send files: each one kept on our web server for a day and
sent as a text with its download link (bot/web/files.py), in the person's language. Made when a
document is sent, not when it is made, so a reply held in the outbox for days still gets a
fresh link."""

from __future__ import annotations

from collections.abc import Callable
from datetime import datetime

from sqlalchemy.ext.asyncio import async_sessionmaker
from sqlmodel.ext.asyncio.session import AsyncSession

from bot.channels.wechat.send import FileLine
from bot.core.messages import Attachment
from bot.db.downloads import LIFETIME
from bot.i18n import Translator
from bot.web.files import store_download


class FileLinks:
    """Stores the documents sent to people and words their links."""

    def __init__(
        self,
        sessions: async_sessionmaker[AsyncSession],
        public_url: str,
        clock: Callable[[], datetime],
    ) -> None:
        self.sessions = sessions
        self.public_url = public_url
        self.clock = clock

    def for_person(
        self, person_id: int, language: str, session: AsyncSession | None = None
    ) -> FileLine | None:
        """How a document is worded for this person; None without a PUBLIC_URL (then the
        fitting already put a line in its place). With `session` (one that is writing, e.g. the
        answer's: SQLite lets one write at a time) the file is kept with its commit; else in a
        session of its own, committed at once."""
        if not self.public_url:
            return None
        t = Translator(language)

        async def line(document: Attachment) -> str:
            if document.data is None and document.path is None:  # only another channel's id
                return t("fit.file_elsewhere", filename=document.filename)
            if session is not None:
                url = await store_download(
                    session, self.public_url, person_id, document, self.clock()
                )
            else:
                async with self.sessions() as own:
                    url = await store_download(
                        own, self.public_url, person_id, document, self.clock()
                    )
                    await own.commit()
            hours = int(LIFETIME.total_seconds() // 3600)
            return t("fit.file_link", filename=document.filename, link=url, hours=hours)

        return line

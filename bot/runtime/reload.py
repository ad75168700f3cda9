"""Content edited while the bot runs: checked, then swapped in, with the question index rebuilt.

Every CONTENT_CHECK_SECONDS the content folder's files are listed with their sizes and change
times; when that list differs, the whole library is loaded and checked again (in a thread, so
people keep being answered). A library that passes replaces the old one at once: courses, lesson
texts and the search index (and the embeddings, rebuilt on the next question). A broken one is
logged with every problem, `file:line: message`, and the bot keeps serving the content it had;
the next edit is tried again. Nobody's progress is touched here: it is stored by lesson slug,
and a published version's changes under a trainee are followed when they next act
(bot.lessons.positions). Published courses are symbolic links into their history: followed.
"""

from __future__ import annotations

import asyncio
import logging
import os
from pathlib import Path
from typing import TYPE_CHECKING

from bot.config import Settings
from bot.lessons.content import ContentError, MissingCourse, load_courses
from bot.lessons.model import Course
from bot.pipeline.router import Services

if TYPE_CHECKING:
    from bot.qa.retrieval import CourseIndex

log = logging.getLogger(__name__)

Signature = tuple[tuple[str, int, int], ...]


def signature(folder: Path) -> Signature:
    """Every file under `folder` with its size and change time, following the links a published
    course is served through (each link with its target); empty when the folder is missing."""
    if not folder.is_dir():
        return ()
    found: list[tuple[str, int, int]] = []
    for top, dirs, files in os.walk(folder, followlinks=True):
        here = Path(top)
        dirs.sort()
        for name in dirs:
            if (here / name).is_symlink():
                target = os.readlink(here / name)
                found.append((f"{(here / name).relative_to(folder)} -> {target}", 0, 0))
        for name in sorted(files):
            path = here / name
            try:
                stat = path.stat()
            except OSError:  # removed while we looked: the next check sees the rest
                continue
            found.append((str(path.relative_to(folder)), stat.st_size, stat.st_mtime_ns))
    return tuple(found)


class ContentReloader:
    """Watches Settings.content_dir for one running bot's Services."""

    def __init__(self, settings: Settings, services: Services) -> None:
        self.settings = settings
        self.services = services
        self.seen = signature(settings.content_dir)
        self._lock = asyncio.Lock()

    async def check(self) -> bool:
        """Reload when the files changed; True when new content is now served."""
        if self._lock.locked():
            return False  # a reload is under way
        return await self.reload_now()

    async def reload_now(self) -> bool:
        """Reload when the files changed, waiting for a reload under way (a publish from this
        process is served at once, not at the next check); True when new content is served."""
        async with self._lock:
            current = await asyncio.to_thread(signature, self.settings.content_dir)
            if current == self.seen:
                return False
            self.seen = current
            try:
                courses, index = await asyncio.to_thread(self._load)
            except (ContentError, MissingCourse) as error:
                log.error(
                    "the content changed but cannot be used; still serving the old:\n%s", error
                )
                return False
            self.services.courses = courses
            if self.services.asker is not None:
                self.services.asker.use(courses, index)
            log.info("content reloaded: %s", ", ".join(sorted(courses)))
            return True

    def _load(self) -> tuple[dict[str, Course], CourseIndex]:
        from bot.qa.retrieval import CourseIndex

        courses = load_courses(self.settings)
        return courses, CourseIndex.build(courses)

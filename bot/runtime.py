"""The composition root: settings, logging, database, the Academy and its services."""

from __future__ import annotations

import asyncio
import logging
from collections.abc import Coroutine
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any, TypeVar

from sqlalchemy.ext.asyncio import AsyncEngine, async_sessionmaker
from sqlmodel.ext.asyncio.session import AsyncSession

from bot.config import Settings
from bot.db.engine import make_engine, make_sessionmaker
from bot.db.migrate import require_current_schema
from bot.db.people import sync_admins
from bot.handlers import build_router
from bot.lessons.content import require_library
from bot.lessons.model import Course
from bot.lessons.reload import ContentReloader
from bot.pipeline.app import Academy
from bot.pipeline.router import Services

if TYPE_CHECKING:
    from bot.qa.service import Asker

T = TypeVar("T")


def run_async(main: Coroutine[Any, Any, T]) -> T:
    """Run the bot's event loop: uvloop where it is installed (about a third more updates per
    second, measured in bench/updates.py), the standard loop otherwise."""
    try:
        import uvloop
    except ImportError:
        return asyncio.run(main)
    return uvloop.run(main)


@dataclass
class Runtime:
    """Everything a channel needs to serve people."""

    settings: Settings
    engine: AsyncEngine
    sessions: async_sessionmaker[AsyncSession]
    academy: Academy
    content: ContentReloader

    async def close(self) -> None:
        await self.engine.dispose()


def setup_logging(level: str) -> None:
    logging.basicConfig(
        level=level.upper(),
        format="%(asctime)s %(levelname)s %(name)s: %(message)s",
    )
    logging.getLogger("alembic").setLevel(logging.WARNING)  # its per-start chatter is noise


class MissingCourse(RuntimeError):
    """DEFAULT_COURSE names a course the content folder does not have."""


def load_courses(settings: Settings) -> dict[str, Course]:
    """Every course, validated; refuses to go on with a broken file or a missing default course."""
    courses = require_library(settings.content_dir)
    if settings.default_course not in courses:
        raise MissingCourse(
            f"DEFAULT_COURSE is {settings.default_course!r}, but {settings.content_dir} has only: "
            f"{', '.join(sorted(courses)) or 'no courses'}."
        )
    return courses


def make_asker(settings: Settings, courses: dict[str, Course]) -> Asker:
    """Retrieval over every course, and the LLM when LLM_BASE_URL is set."""
    from bot.qa.retrieval import CourseIndex
    from bot.qa.service import Asker

    llm = embeddings = None
    if settings.llm_base_url:
        from openai import AsyncOpenAI

        from bot.qa.llm import LLMAnswerer

        client = AsyncOpenAI(
            base_url=settings.llm_base_url,
            api_key=settings.llm_api_key or "not-needed",
            timeout=settings.llm_timeout,
            max_retries=0,
        )
        llm = LLMAnswerer(client, settings.llm_model, timeout=settings.llm_timeout)
        if settings.embedding_model:
            from bot.qa.embeddings import EmbeddingIndex

            embeddings = EmbeddingIndex(
                client,
                settings.embedding_model,
                courses,
                timeout=min(10.0, settings.llm_timeout),
                min_similarity=settings.embedding_min_similarity,
            )
    return Asker(
        CourseIndex.build(courses), llm, quota=settings.qa_daily_quota, embeddings=embeddings
    )


async def open_runtime(settings: Settings, *, check_schema: bool = True) -> Runtime:
    """Load the courses, connect to the database (refusing an out-of-date schema), make the
    admins those of ADMIN_IDS, build the Academy."""
    courses = load_courses(settings)
    engine = make_engine(settings)
    try:
        if check_schema:
            await require_current_schema(engine)
            async with make_sessionmaker(engine)() as session:
                await sync_admins(session, settings.admins)
    except BaseException:
        await engine.dispose()
        raise
    services = Services(settings=settings, courses=courses, asker=make_asker(settings, courses))
    academy = Academy(build_router(), services)
    reloader = ContentReloader(settings, services)
    return Runtime(settings, engine, make_sessionmaker(engine), academy, reloader)

"""The question answerer a running bot uses, made from the settings."""

from __future__ import annotations

from bot.config import Settings
from bot.lessons.model import Course
from bot.qa.retrieval import CourseIndex
from bot.qa.service import Asker


def make_asker(settings: Settings, courses: dict[str, Course]) -> Asker:
    """Retrieval over every course, and the LLM when LLM_BASE_URL is set."""
    llm = embeddings = None
    if settings.llm_base_url:
        from openai import AsyncOpenAI

        from bot.qa.llm import LLMAnswerer

        client = AsyncOpenAI(
            base_url=settings.llm_base_url,
            api_key=settings.llm_api_key.get_secret_value() or "not-needed",
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

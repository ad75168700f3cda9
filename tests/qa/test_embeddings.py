"""Embeddings from the provider fused with BM25, over the fake OpenAI server: a card only the
embeddings find, the wider "covered" rule, and BM25 alone when the provider fails."""

from __future__ import annotations

from collections.abc import AsyncIterator

import pytest

from bot.lessons.content import require_library
from bot.qa.retrieval import CourseIndex
from bot.qa.service import Asker
from tests.conftest import SAMPLE_CONTENT, make_settings
from tests.fakes.openai_server import FakeOpenAI

OFF_TOPIC = "Which team won the cup final?"  # BM25 finds nothing of the course in it


@pytest.fixture
async def llm() -> AsyncIterator[FakeOpenAI]:
    async with FakeOpenAI() as server:
        yield server


def make(llm: FakeOpenAI, **overrides: object) -> Asker:
    from bot.qa.setup import make_asker

    settings = make_settings(
        "sqlite+aiosqlite://",
        llm_base_url=llm.base_url,
        llm_api_key="k",
        embedding_model="text-embedding-3-small",
        **overrides,
    )
    asker = make_asker(settings, require_library(SAMPLE_CONTENT))
    asker.llm = None  # the retrieval answer shows which card was chosen
    return asker


async def test_a_card_only_the_embeddings_find_is_quoted(llm: FakeOpenAI) -> None:
    asker = make(llm)
    course = asker.embeddings.courses["sample"]  # type: ignore[union-attr]
    bm25 = CourseIndex.build({"sample": course}).search(OFF_TOPIC, "en", "sample")
    assert not bm25
    declined = await asker.answer(OFF_TOPIC, "en", course)
    assert not declined.answered  # unrelated vectors: similarity far below 0.5

    llm.embed_like("coin next to it", "size")
    llm.embed_like("cup final", "size")
    asker = make(llm)
    answer = await asker.answer(OFF_TOPIC, "en", course)
    assert answer.answered and answer.mode == "retrieval"
    assert "coin next to it" in answer.text
    assert answer.sources[0].lesson == "good-photos"
    embedded = [r for r in llm.requests if r.path.endswith("/embeddings")]
    # Each asker embedded the cards once per language (en, es, zh), then its one question.
    assert [len(r.body["input"]) > 1 for r in embedded] == [True] * 3 + [False] + [True] * 3 + [
        False
    ]


async def test_a_failing_provider_leaves_bm25_to_answer(llm: FakeOpenAI) -> None:
    asker = make(llm)
    course = asker.embeddings.courses["sample"]  # type: ignore[union-attr]
    llm.fail_next(status=500)
    answer = await asker.answer("How do I use daylight by a window for photos?", "en", course)
    assert answer.answered and answer.sources[0].lesson == "good-photos"
    # The failed build is not retried at once: no second request for this question.
    before = len(llm.requests)
    await asker.answer("How do I use daylight by a window for photos?", "en", course)
    assert len(llm.requests) == before


async def test_a_slow_question_embedding_is_given_up(llm: FakeOpenAI) -> None:
    asker = make(llm, llm_timeout=0.5)
    course = asker.embeddings.courses["sample"]  # type: ignore[union-attr]
    assert await asker.embeddings.ready()  # type: ignore[union-attr]
    llm.delay_next(2.0)
    answer = await asker.answer("How do I use daylight by a window for photos?", "en", course)
    assert answer.answered and answer.sources[0].lesson == "good-photos"

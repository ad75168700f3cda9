"""Optional embeddings from the configured provider, combined with BM25.

When EMBEDDING_MODEL is set, every lesson card (with its lesson's title and summary) is embedded
once per course language, on the first question after start-up or a content change, and each
question is embedded when it is asked. The two rankings are merged by reciprocal rank fusion
(RANK_CONSTANT 60, the usual choice): a card found by both comes first, and a card only the
embeddings find ("the snaps of my walnuts" with no course word) can still be quoted.

Declining stays with BM25's rule, widened by one case: the course also covers the question when a
card's cosine similarity reaches EMBEDDING_MIN_SIMILARITY (its scale depends on the model; 0.5
suits OpenAI's text-embedding-3 models). Embeddings only ever add: when the provider is down or
slow, the question is answered from BM25 alone and the failure is logged; a failed index build
is retried at most once a minute.
"""

from __future__ import annotations

import asyncio
import logging
import time
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from typing import Any

from bot.lessons.model import Course
from bot.qa.model import Hit, Passage
from bot.qa.retrieval import card_passages

log = logging.getLogger(__name__)

RANK_CONSTANT = 60
CANDIDATES = 10  # cards taken from each ranking before fusing
BATCH = 64  # texts per embeddings request
RETRY_AFTER = 60.0  # seconds between attempts to build a failed index


@dataclass
class _Vectors:
    passages: list[Passage]
    matrix: Any  # numpy array (cards, dimensions), rows of length 1


@dataclass
class EmbeddingIndex:
    """Card vectors per (course, language), built lazily, and question-time fusion with BM25."""

    client: Any  # openai.AsyncOpenAI
    model: str
    courses: Mapping[str, Course]
    timeout: float = 10.0
    min_similarity: float = 0.5
    _vectors: dict[tuple[str, str], _Vectors] | None = field(default=None, init=False)
    _failed_at: float = field(default=-RETRY_AFTER, init=False)
    _lock: asyncio.Lock = field(default_factory=asyncio.Lock, init=False)

    async def _embed(self, texts: Sequence[str]) -> Any:
        import numpy as np  # here, not at import: a bot without embeddings never loads it

        rows: list[list[float]] = []
        for start in range(0, len(texts), BATCH):
            response = await asyncio.wait_for(
                self.client.embeddings.create(
                    model=self.model, input=list(texts[start : start + BATCH])
                ),
                self.timeout,
            )
            rows.extend(item.embedding for item in sorted(response.data, key=lambda d: d.index))
        matrix = np.asarray(rows, dtype=np.float32)
        norms = np.linalg.norm(matrix, axis=1, keepdims=True)
        return matrix / np.where(norms == 0, 1.0, norms)

    async def ready(self) -> bool:
        """Whether the card vectors exist; builds them when due. Never raises."""
        if self._vectors is not None:
            return True
        async with self._lock:
            if self._vectors is not None:
                return True
            if time.monotonic() - self._failed_at < RETRY_AFTER:
                return False
            try:
                self._vectors = await self._build()
            except Exception as error:  # the provider is down: BM25 alone until it is back
                self._failed_at = time.monotonic()
                log.warning("could not embed the course cards (%s); BM25 alone for now", error)
                return False
            return True

    async def _build(self) -> dict[tuple[str, str], _Vectors]:
        started = time.perf_counter()
        built: dict[tuple[str, str], _Vectors] = {}
        for course_id, course in self.courses.items():
            for language in course.languages:
                cards = card_passages(course_id, course, language)
                texts = [f"{p.title}\n{summary}\n{p.text}" for p, summary in cards]
                built[(course_id, language)] = _Vectors(
                    [p for p, _ in cards], await self._embed(texts)
                )
        embedded = sum(len(v.passages) for v in built.values())
        log.info("embedded %d cards in %.1f s", embedded, time.perf_counter() - started)
        return built

    async def combine(
        self, question: str, language: str, course_id: str, hits: list[Hit], covered: bool, k: int
    ) -> tuple[list[Hit], bool]:
        """BM25's `hits` (best first) fused with the embedding ranking, and whether the course
        covers the question; BM25's own answer when embeddings are unavailable."""
        if not await self.ready():
            return hits, covered
        assert self._vectors is not None
        vectors = self._vectors.get((course_id, language))
        if vectors is None or not vectors.passages:
            return hits, covered
        try:
            query = (await self._embed([question]))[0]
        except Exception as error:
            log.warning("could not embed a question (%s); BM25 alone", error)
            return hits, covered
        similarity = vectors.matrix @ query
        order = (-similarity).argsort()[:CANDIDATES]
        fused: dict[Passage, float] = {}
        for rank, hit in enumerate(hits[:CANDIDATES]):
            fused[hit.passage] = fused.get(hit.passage, 0.0) + 1 / (RANK_CONSTANT + rank + 1)
        for rank, number in enumerate(order):
            passage = vectors.passages[int(number)]
            fused[passage] = fused.get(passage, 0.0) + 1 / (RANK_CONSTANT + rank + 1)
        best = sorted(fused.items(), key=lambda item: -item[1])[:k]
        covered = covered or float(similarity[order[0]]) >= self.min_similarity
        return [Hit(passage, score) for passage, score in best], covered

"""Answers from the course: retrieval over lesson cards, an LLM that cites them, a fallback."""

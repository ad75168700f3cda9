"""Which of the course's Latin-script languages a question is written in: Spanish or English.

A trainee who picked English on the language screen may still type in Spanish (a relative set up
the phone, or they tapped the first button), and the reverse. Their question is searched in the
language they wrote it in, not the one on their settings. Only the small words every sentence
needs are counted (articles, prepositions, question words, pronouns, the texting forms of them);
a question decides only when one language clearly outnumbers the other, otherwise the person's
own language stands. Words both languages share ("a", "no", "me", "son") count for neither.
"""

from __future__ import annotations

import re
import unicodedata

SPANISH = frozenset(
    [
        "que",
        "q",
        "k",
        "como",
        "cmo",
        "para",
        "pa",
        "el",
        "la",
        "los",
        "las",
        "mi",
        "mis",
        "tu",
        "tus",
        "su",
        "sus",
        "de",
        "del",
        "por",
        "x",
        "con",
        "sin",
        "hay",
        "puedo",
        "quiero",
        "tengo",
        "hago",
        "hacer",
        "se",
        "lo",
        "le",
        "les",
        "una",
        "uno",
        "unos",
        "unas",
        "es",
        "esta",
        "este",
        "estos",
        "esas",
        "eso",
        "y",
        "o",
        "cuanto",
        "cuantos",
        "cuanta",
        "donde",
        "cuando",
        "porque",
        "xq",
        "pq",
        "pero",
        "mas",
        "muy",
        "tambien",
        "tmb",
        "aunque",
        "aunq",
        "nomas",
        "ya",
        "mejor",
        "al",
        "ser",
        "sale",
        "salen",
        "cual",
        "cuales",
        "quien",
        "ud",
        "usted",
        "hola",
        "buenas",
        "gracias",
        "necesito",
        "vendo",
        "vender",
    ]
)
ENGLISH = frozenset(
    [
        "the",
        "how",
        "what",
        "whats",
        "my",
        "to",
        "do",
        "does",
        "i",
        "im",
        "is",
        "are",
        "can",
        "could",
        "should",
        "would",
        "will",
        "for",
        "with",
        "and",
        "of",
        "you",
        "u",
        "ur",
        "your",
        "it",
        "its",
        "when",
        "where",
        "why",
        "which",
        "who",
        "this",
        "that",
        "these",
        "those",
        "much",
        "many",
        "get",
        "got",
        "about",
        "from",
        "have",
        "has",
        "any",
        "some",
        "there",
        "their",
        "they",
        "them",
        "we",
        "our",
        "if",
        "or",
        "but",
        "just",
        "also",
        "hello",
        "hi",
        "thanks",
        "please",
        "pls",
        "plz",
        "wat",
        "hw",
        "dont",
        "cant",
        "wont",
        "sell",
        "selling",
        "buy",
    ]
)
_WORD = re.compile(r"[a-z]+")


def _words(text: str) -> list[str]:
    folded = unicodedata.normalize("NFKD", text.casefold())
    plain = "".join(ch for ch in folded if not unicodedata.combining(ch))
    return _WORD.findall(plain)


def latin_language(text: str) -> str | None:
    """ "es" or "en" when the question's small words clearly say which; None when they don't
    (too few of them, or as many of each)."""
    words = _words(text)
    spanish = sum(word in SPANISH for word in words)
    english = sum(word in ENGLISH for word in words)
    if spanish >= 2 and spanish > 2 * english:
        return "es"
    if english >= 2 and english > 2 * spanish:
        return "en"
    return None

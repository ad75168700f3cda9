"""UI strings from gettext catalogs (`bot/locales/<lang>/LC_MESSAGES/messages.po`).

Message ids are stable keys ("menu.help"); every language has its own catalog, and a test fails
when a key is missing from one of them. Placeholders use `{name}` (python-brace-format).
"""

from __future__ import annotations

import logging
from collections.abc import Mapping
from functools import cache
from pathlib import Path

from babel.messages.pofile import read_po

from bot.config import LANGUAGES

LOCALES = Path(__file__).parent / "locales"
FALLBACK = "en"
log = logging.getLogger(__name__)


def catalog_path(language: str) -> Path:
    return LOCALES / language / "LC_MESSAGES" / "messages.po"


@cache
def catalog(language: str) -> Mapping[str, str]:
    """Every translated string of one language, by key."""
    with catalog_path(language).open("rb") as handle:
        po = read_po(handle, locale=language)
    return {
        str(message.id): str(message.string)
        for message in po
        if message.id and isinstance(message.string, str) and message.string
    }


def normalise_language(code: str | None, default: str = FALLBACK) -> str:
    """A supported language from a client's code such as 'zh-hans', 'es-MX' or 'en'."""
    if code:
        base = code.replace("_", "-").split("-", 1)[0].lower()
        if base in LANGUAGES:
            return base
    return default


class Translator:
    """The strings of one language; falls back to English, then to the key, and logs it."""

    def __init__(self, language: str) -> None:
        self.language = language if language in LANGUAGES else FALLBACK
        self._strings = catalog(self.language)

    def __call__(self, key: str, /, **values: object) -> str:
        text = self._strings.get(key)
        if text is None:
            log.warning("missing UI string %r in %s", key, self.language)
            text = catalog(FALLBACK).get(key, key)
        return text.format(**values) if values else text


def all_labels(key: str) -> dict[str, str]:
    """The same string in every language, e.g. to recognise a tapped menu label."""
    return {language: Translator(language)(key) for language in LANGUAGES}

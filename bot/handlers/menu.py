"""The main menu: big buttons at the bottom of the screen. It holds only what works."""

from __future__ import annotations

from bot.config import LANGUAGES
from bot.core.messages import Button
from bot.i18n import Translator

# Each row is a row of big buttons; labels are catalog keys. Later features add rows here.
MENU_ROWS: tuple[tuple[str, ...], ...] = (("menu.help", "menu.language"),)


def main_menu(t: Translator) -> tuple[tuple[str, ...], ...]:
    """The menu labels in the person's language."""
    return tuple(tuple(t(key) for key in row) for row in MENU_ROWS)


def language_buttons(current: str) -> tuple[tuple[Button, ...], ...]:
    """One big button per language, each named in its own language; the current one ticked."""
    rows = []
    for language in LANGUAGES:
        name = Translator(language)("language.name")
        label = f"✓ {name}" if language == current else name
        rows.append((Button(label, f"lang:{language}"),))
    return tuple(rows)

"""The main menu: big buttons at the bottom of the screen. It holds only what works."""

from __future__ import annotations

from functools import cache

from bot.config import LANGUAGES
from bot.core.messages import Button, Reply
from bot.core.payloads import ChooseLanguage, WelcomeLanguage
from bot.db.models import Role
from bot.db.roles import at_least
from bot.i18n import Translator, all_labels
from bot.lessons.progress import due_reviews
from bot.pipeline.router import Context, bare_label

Menu = tuple[tuple[str, ...], ...]


async def main_menu(ctx: Context, t: Translator | None = None) -> Menu:
    """The person's menu in their language; "Review" appears only when questions are due."""
    t = t or ctx.t
    rows: list[tuple[str, ...]] = [(t("menu.lesson"), t("menu.progress"))]
    course = ctx.services.course_for(ctx.person)
    due = await due_reviews(ctx.session, ctx.person, course, ctx.now)
    if due:
        rows.append((t("menu.review", count=due),))
    if at_least(ctx.person, Role.coordinator):
        rows.append((t("menu.cohorts"), t("menu.stats")))
    elif at_least(ctx.person, Role.lecturer):
        rows.append((t("menu.cohorts"),))
    rows.append((t("menu.help"), t("menu.language")))
    return tuple(rows)


def language_buttons(
    current: str,
    *,
    kind: type[ChooseLanguage | WelcomeLanguage] = ChooseLanguage,
    others_only: bool = False,
) -> tuple[Button, ...]:
    """One button per language, each named in its own language; the current one ticked, or left
    out with `others_only`. The payload's `kind` tells where the choice was offered."""
    buttons = []
    for language in LANGUAGES:
        if others_only and language == current:
            continue
        name = Translator(language)("language.name")
        label = f"✓ {name}" if language == current else name
        buttons.append(Button(label, kind(language).pack()))
    return tuple(buttons)


@cache
def _menu_words() -> frozenset[str]:
    """The words that ask for the menu, in every language ("menú", "menu", "菜单", "0")."""
    return frozenset(
        bare_label(word)
        for words in all_labels("show_menu.words").values()
        for word in words.split(",")
        if word.strip()
    )


def asks_for_menu(text: str) -> bool:
    """Whether typed `text` asks for the main menu (where there is no menu on screen, as on
    WhatsApp, people type "menú" or "0" to get it back)."""
    return bare_label(text) in _menu_words()


async def show_menu(ctx: Context) -> Reply:
    """The main menu again, under one short line."""
    return Reply(ctx.t("show_menu.text"), menu=await main_menu(ctx))

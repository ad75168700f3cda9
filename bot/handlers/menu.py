"""The main menu: big buttons at the bottom of the screen. It holds only what works."""

from __future__ import annotations

from bot.cohorts.service import at_least
from bot.config import LANGUAGES
from bot.core.messages import Button
from bot.db.models import Role
from bot.i18n import Translator
from bot.lessons.progress import due_reviews
from bot.pipeline.router import Context

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
    current: str, *, prefix: str = "lang", others_only: bool = False
) -> tuple[Button, ...]:
    """One button per language, each named in its own language; the current one ticked, or left
    out with `others_only`. The payload's `prefix` tells where the choice was offered."""
    buttons = []
    for language in LANGUAGES:
        if others_only and language == current:
            continue
        name = Translator(language)("language.name")
        label = f"✓ {name}" if language == current else name
        buttons.append(Button(label, f"{prefix}:{language}"))
    return tuple(buttons)

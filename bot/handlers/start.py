"""Onboarding: /start, choosing the language, /help."""

from __future__ import annotations

from bot.config import LANGUAGES
from bot.core.messages import Reply
from bot.core.router import Context, HandlerResult, Router
from bot.handlers.join import open_code
from bot.handlers.menu import language_buttons, main_menu
from bot.i18n import Translator

router = Router("start")


@router.command("start")
async def start(ctx: Context) -> HandlerResult:
    """Greet, show the menu, offer the language until the person has chosen one, and open the
    code of a deep link (`/start CODE`: join a class, or take a role)."""
    person = ctx.person
    name = person.display_name or ctx.t("start.friend")
    replies = [Reply(ctx.t("start.welcome", name=name), menu=await main_menu(ctx))]
    if ctx.incoming.text.strip():
        replies += await open_code(ctx, ctx.incoming.text)
    if not person.language_chosen:
        replies.append(Reply(ctx.t("language.prompt"), buttons=language_buttons(person.language)))
    return replies


@router.command("language")
@router.menu("menu.language")
async def choose_language(ctx: Context) -> HandlerResult:
    return Reply(ctx.t("language.prompt"), buttons=language_buttons(ctx.person.language))


@router.button("lang")
async def language_chosen(ctx: Context) -> HandlerResult:
    language = ctx.incoming.payload.partition(":")[2]
    if language not in LANGUAGES:
        return Reply(ctx.t("error.stale_button"), menu=await main_menu(ctx))
    ctx.person.language = language
    ctx.person.language_chosen = True
    ctx.session.add(ctx.person)
    t = Translator(language)
    return [
        Reply(t("language.set"), edit=True),
        Reply(t("start.ready"), menu=await main_menu(ctx, t)),
    ]


@router.command("help")
@router.menu("menu.help")
async def show_help(ctx: Context) -> HandlerResult:
    return Reply(ctx.t("help.text"), menu=await main_menu(ctx))

"""What the bot says to anything no feature answers: never silence, always a way back. Also the
one answer to a stale or forged button and to someone a handler's role keeps out."""

from __future__ import annotations

from bot.core.messages import Kind, Reply
from bot.handlers.menu import main_menu
from bot.pipeline.router import Context, HandlerResult, Router

router = Router("fallback")


async def unknown_command(ctx: Context) -> HandlerResult:
    return Reply(ctx.t("error.unknown_command"), menu=await main_menu(ctx))


async def stale_button(ctx: Context) -> HandlerResult:
    return Reply(ctx.t("error.stale_button"), menu=await main_menu(ctx))


async def refuse(ctx: Context) -> Reply:
    """Not for this person's role (or not their class)."""
    return Reply(ctx.t("access.denied"), menu=await main_menu(ctx))


router.fallback_command = unknown_command
router.stale = stale_button
router.denied = refuse


@router.on(Kind.photo)
@router.on(Kind.unsupported)
async def unsupported(ctx: Context) -> HandlerResult:
    return Reply(ctx.t("error.unsupported"), menu=await main_menu(ctx))

"""What the bot says to anything no feature answers: never silence, always a way back."""

from __future__ import annotations

from bot.core.messages import Kind, Reply
from bot.handlers.menu import main_menu
from bot.pipeline.router import Context, HandlerResult, Router

router = Router("fallback")


async def unknown_command(ctx: Context) -> HandlerResult:
    return Reply(ctx.t("error.unknown_command"), menu=await main_menu(ctx))


async def stale_button(ctx: Context) -> HandlerResult:
    return Reply(ctx.t("error.stale_button"), menu=await main_menu(ctx))


router.fallback_command = unknown_command
router.fallback_button = stale_button


@router.on(Kind.voice)
async def voice(ctx: Context) -> HandlerResult:
    return Reply(ctx.t("error.voice"), menu=await main_menu(ctx))


@router.on(Kind.photo)
@router.on(Kind.unsupported)
async def unsupported(ctx: Context) -> HandlerResult:
    return Reply(ctx.t("error.unsupported"), menu=await main_menu(ctx))

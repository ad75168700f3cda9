"""/link: one person on several channels. The code it gives, sent from another channel (as
`/link CODE`, `/join CODE` or the code alone), joins the two accounts (bot.cohorts.linking)."""

from __future__ import annotations

from bot.cohorts.linking import LINK_CODE_TTL, new_link_code
from bot.core.messages import Reply
from bot.handlers.join import open_code
from bot.handlers.menu import main_menu
from bot.pipeline.router import Context, HandlerResult, Router, join_command

router = Router("link")


@router.command("link")
async def link(ctx: Context) -> HandlerResult:
    """A code to send from the other channel; with a code, the other channel's side of it."""
    if ctx.incoming.text.strip():
        return await open_code(ctx, ctx.incoming.text)
    return await link_code(ctx)


async def link_code(ctx: Context) -> Reply:
    """A fresh code (the older one stops working), and a link that sends it for them on each
    other channel that has links."""
    code = await new_link_code(ctx.session, ctx.person, ctx.now)
    minutes = int(LINK_CODE_TTL.total_seconds() // 60)
    links = [
        ctx.services.link_for(channel, code)
        for channel, offers in sorted(ctx.services.offers.items())
        if channel != ctx.channel and offers.link_for is not None
    ]
    # A channel that makes links only for class codes (WeChat's QR codes) gives `/join CODE`.
    links = [link for link in links if link != join_command(code)]
    text = ctx.t("link.code", code=code, minutes=minutes)
    if links:
        text += "\n\n" + ctx.t("link.open", links="\n".join(links))
    return Reply(text, menu=await main_menu(ctx))

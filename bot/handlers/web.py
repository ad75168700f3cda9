"""/web: a one-time link to the web dashboard, for lecturers, coordinators and admins."""

from __future__ import annotations

from bot.core.messages import Reply
from bot.db.models import Role
from bot.db.web_sign_in import LOGIN_LIFETIME, new_login, sign_in_link
from bot.pipeline.router import Context, HandlerResult, Router

router = Router("web")


@router.command("web", role=Role.lecturer)
async def dashboard_link(ctx: Context) -> HandlerResult:
    """The link works once, for LOGIN_LIFETIME; only its hash is kept (bot/db/web_sign_in.py)."""
    if not ctx.settings.web_dashboard:
        return Reply(ctx.t("web.dashboard_off"))
    assert ctx.person.id is not None
    token = await new_login(ctx.session, ctx.person.id, ctx.now)
    minutes = int(LOGIN_LIFETIME.total_seconds() // 60)
    return Reply(ctx.t("web.link", link=sign_in_link(ctx.settings, token), minutes=minutes))

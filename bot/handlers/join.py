"""Joining a class by link or code, and role invites that make lecturers and coordinators."""

from __future__ import annotations

from datetime import timedelta

from bot.cohorts.service import (
    INVITE_NEEDS,
    at_least,
    claim_role_invite,
    create_role_invite,
    enrol,
    find_invitation,
)
from bot.core.messages import Reply
from bot.core.router import Context, HandlerResult, Router
from bot.db.models import Role
from bot.handlers.menu import main_menu

router = Router("join")


async def open_code(ctx: Context, typed: str) -> list[Reply]:
    """What a code from a link, a poster or a message does: join a class or take a role."""
    found = await find_invitation(ctx.session, typed)
    if found.cohort is not None:
        cohort = found.cohort
        if not cohort.invite_open:
            return [Reply(ctx.t("join.closed"), menu=await main_menu(ctx))]
        new = await enrol(ctx.session, ctx.person, cohort, ctx.now)
        course = ctx.services.course_for(ctx.person)
        title = course.text_in(course.title, ctx.person.language)
        key = "join.welcome" if new else "join.already"
        return [Reply(ctx.t(key, cohort=cohort.name, course=title), menu=await main_menu(ctx))]
    if found.role_invite is not None:
        invite = found.role_invite
        ttl = timedelta(days=ctx.settings.role_invite_ttl_days)
        claim = await claim_role_invite(ctx.session, invite, ctx.person, ctx.now, ttl)
        # "already" names the role they hold; "granted" the one they were given
        role = ctx.t(f"role.{ctx.person.role}")
        return [Reply(ctx.t(f"role.{claim.value}", role=role), menu=await main_menu(ctx))]
    return [Reply(ctx.t("join.bad_code"), menu=await main_menu(ctx))]


@router.command("join")
async def join(ctx: Context) -> HandlerResult:
    if not ctx.incoming.text.strip():
        return Reply(ctx.t("join.usage"), menu=await main_menu(ctx))
    return await open_code(ctx, ctx.incoming.text)


async def invite(ctx: Context, role: Role, needs: Role) -> HandlerResult:
    if not at_least(ctx.person, needs):
        return Reply(ctx.t("access.denied"), menu=await main_menu(ctx))
    invitation = await create_role_invite(ctx.session, ctx.person, role, ctx.now)
    link = ctx.services.link_for(invitation.code)
    return Reply(
        ctx.t(
            "invite.role",
            role=ctx.t(f"role.{role.value}"),
            link=link,
            code=invitation.code,
            days=ctx.settings.role_invite_ttl_days,
        )
    )


@router.command("invite_lecturer")
async def invite_lecturer(ctx: Context) -> HandlerResult:
    return await invite(ctx, Role.lecturer, needs=INVITE_NEEDS[Role.lecturer])


@router.command("invite_coordinator")
async def invite_coordinator(ctx: Context) -> HandlerResult:
    return await invite(ctx, Role.coordinator, needs=INVITE_NEEDS[Role.coordinator])

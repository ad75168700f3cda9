"""Joining a class by link or code, role invites that make lecturers and coordinators, and the
codes that link a person's accounts on two channels (/link)."""

from __future__ import annotations

import logging
from datetime import timedelta
from zoneinfo import ZoneInfo

from bot.cohorts.join_limits import JoinLimits, may_try_again_at, record_attempt
from bot.cohorts.linking import find_link_code, redeem
from bot.cohorts.service import (
    INVITE_NEEDS,
    Invitation,
    claim_role_invite,
    create_role_invite,
    enrol,
    find_invitation,
)
from bot.core.codes import normalise_code
from bot.core.messages import Reply
from bot.db.models import LinkCode, Role
from bot.handlers.menu import main_menu
from bot.pipeline.router import Context, HandlerResult, Router

log = logging.getLogger(__name__)
router = Router("join")


async def open_code(ctx: Context, typed: str) -> list[Reply]:
    """What a code from a link, a poster or a message does: join a class or take a role. Too
    many wrong codes lock the person out for a while; every attempt is logged (never the code:
    a wrong one may be a typo of a real one)."""
    person_id = ctx.person.id
    assert person_id is not None
    who = f"{ctx.incoming.sender.channel}:{ctx.incoming.sender.user_id}"
    until = await may_try_again_at(ctx.session, person_id, ctx.now, JoinLimits.of(ctx.settings))
    if until is not None:
        log.info("join attempt by %s: outcome=locked until=%s", who, f"{until:%Y-%m-%dT%H:%M}")
        local = until.astimezone(ZoneInfo(ctx.person.timezone))
        return [Reply(ctx.t("join.locked", time=f"{local:%H:%M}"), menu=await main_menu(ctx))]
    found = await find_invitation(ctx.session, typed)
    link = None if found.cohort or found.role_invite else await find_link_code(ctx.session, typed)
    if link is not None:
        key, values, opened = await _link(ctx, link)
    else:
        key, values, opened = await _open(ctx, found)
    ok = key in RIGHT_CODE
    cohort_id = found.cohort.id if found.cohort is not None else None
    # Linked: the attempt is the kept person's, like the ones moved over (bot.cohorts.linking).
    attempt_by = ctx.person.id or person_id
    await record_attempt(ctx.session, attempt_by, ctx.now, ok=ok, cohort_id=cohort_id)
    log.info(
        "join attempt by %s: outcome=%s answer=%s opened=%s",
        who,
        "ok" if ok else "failed",
        key,
        opened,
    )
    return [Reply(ctx.t(key, **values), menu=await main_menu(ctx))]


# Answers to a code that exists and was still good: not a wrong code for the lockout.
RIGHT_CODE = frozenset(
    {"join.welcome", "join.already", "role.granted", "role.already"}
    | {"link.linked", "link.already", "link.outranks"}
)


async def code_in_use(ctx: Context, typed: str) -> bool:
    """Whether `typed` is a class code, role invite or link code someone could open now."""
    found = await find_invitation(ctx.session, typed)
    return bool(found.cohort or found.role_invite or await find_link_code(ctx.session, typed))


async def open_bare_code(ctx: Context, text: str) -> list[Reply] | None:
    """A message that is only a code (people type what is on the poster, or what /link showed on
    their other phone): opened as `/join CODE` would. None when it is not one: a word that has
    the shape of a code (eight letters of the code alphabet, such as "PERFECTA") but matches no
    code is ordinary text, and is not counted as a wrong code; a code-shaped text with a digit
    that matches nothing is a mistyped code, and is."""
    code = normalise_code(text)
    if not code:
        return None
    if not any(ch.isdigit() for ch in code) and not await code_in_use(ctx, code):
        return None
    return await open_code(ctx, code)


async def _link(ctx: Context, link: LinkCode) -> tuple[str, dict[str, str], str]:
    """A link code sent from another account: the two become one person (bot.cohorts.linking).
    From then on `ctx.person` is the person who goes on."""
    linked = await redeem(ctx.session, ctx.person, link, ctx.now)
    ctx.person = linked.person
    return f"link.{linked.result.value}", {}, f"link:{link.person_id}"


async def _open(ctx: Context, found: Invitation) -> tuple[str, dict[str, str], str]:
    """The answer's key and values, and what the code opened (for the log)."""
    if found.cohort is not None:
        cohort = found.cohort
        opened = f"class:{cohort.id}"
        if not cohort.invite_open:
            return "join.closed", {}, opened
        new = await enrol(ctx.session, ctx.person, cohort, ctx.now)
        course = ctx.services.course_for(ctx.person)
        title = course.text_in(course.title, ctx.person.language)
        key = "join.welcome" if new else "join.already"
        return key, {"cohort": cohort.name, "course": title}, opened
    if found.role_invite is not None:
        invite = found.role_invite
        ttl = timedelta(days=ctx.settings.role_invite_ttl_days)
        claim = await claim_role_invite(ctx.session, invite, ctx.person, ctx.now, ttl)
        # "already" names the role they hold; "granted" the one they were given
        role = ctx.t(f"role.{ctx.person.role}")
        return f"role.{claim.value}", {"role": role}, f"invite:{invite.id}"
    return "join.bad_code", {}, "nothing"


@router.command("join")
async def join(ctx: Context) -> HandlerResult:
    if not ctx.incoming.text.strip():
        return Reply(ctx.t("join.usage"), menu=await main_menu(ctx))
    return await open_code(ctx, ctx.incoming.text)


async def invite(ctx: Context, role: Role) -> HandlerResult:
    """A one-time link that gives `role` (who may ask is declared where the command is)."""
    invitation = await create_role_invite(ctx.session, ctx.person, role, ctx.now)
    link = ctx.link_for(invitation.code)
    return Reply(
        ctx.t(
            "invite.role",
            role=ctx.t(f"role.{role.value}"),
            link=link,
            code=invitation.code,
            days=ctx.settings.role_invite_ttl_days,
        )
    )


@router.command("invite_lecturer", role=INVITE_NEEDS[Role.lecturer])
async def invite_lecturer(ctx: Context) -> HandlerResult:
    return await invite(ctx, Role.lecturer)


@router.command("invite_coordinator", role=INVITE_NEEDS[Role.coordinator])
async def invite_coordinator(ctx: Context) -> HandlerResult:
    return await invite(ctx, Role.coordinator)

"""/reminders: the time of the daily reminder (in the person's own timezone), or turning it off."""

from __future__ import annotations

from datetime import time

from bot.core.messages import Button, Reply
from bot.handlers.cohorts import zone_label
from bot.handlers.menu import main_menu
from bot.localtime import QuietHours, parse_hhmm
from bot.pipeline.router import Context, HandlerResult, Router
from bot.scheduling.reminders import choose_zone, next_reminder_at, reminder_clock
from bot.zones import OFFERED, zone_name

router = Router("reminders")
# The times offered, local to the person; one inside the quiet hours is left out.
TIMES = ("08:00", "12:00", "17:00", "18:00", "19:00", "20:00")
OFF = "off"
ZONE = "tz"  # rem:tz shows the zones, rem:tz:<zone> chooses one


def allowed_times(quiet: QuietHours) -> list[str]:
    """The reminder times a person can choose under these quiet hours."""
    return [at for at in TIMES if not quiet.contains(parse_hhmm(at) or time(0))]


def time_buttons(
    ctx: Context, quiet: QuietHours, current: str | None
) -> tuple[tuple[Button, ...], ...]:
    """Big buttons, two times a row, the current choice ticked; "Off" on its own row."""
    labels = [(f"✓ {at}" if at == current else at, f"rem:{at}") for at in allowed_times(quiet)]
    rows = [
        tuple(Button(label, payload) for label, payload in labels[i : i + 2])
        for i in range(0, len(labels), 2)
    ]
    off = ctx.t("reminders.off_button")
    rows.append((Button(f"✓ {off}" if current is None else off, f"rem:{OFF}"),))
    zone = zone_name(ctx.person.timezone, ctx.person.language)
    rows.append((Button(ctx.t("reminders.zone_button", zone=zone), f"rem:{ZONE}"),))
    return tuple(rows)


def zone_buttons(ctx: Context) -> tuple[tuple[Button, ...], ...]:
    """The zones offered by name, one a row, the person's own ticked."""
    return tuple(
        (Button(zone_label(ctx, zone, ctx.person.timezone), f"rem:{ZONE}:{zone}"),)
        for zone in OFFERED
    )


@router.command("reminders")
async def show_reminders(ctx: Context) -> HandlerResult:
    """The current setting and the times to choose from."""
    quiet = QuietHours.parse(ctx.settings.quiet_hours)
    at = reminder_clock(ctx.person, quiet, ctx.settings.reminder_time)
    current = at.strftime("%H:%M") if at is not None else None
    text = (
        ctx.t("reminders.current", time=current)
        if current is not None
        else ctx.t("reminders.off_now")
    )
    return Reply(text, buttons=time_buttons(ctx, quiet, current))


@router.button("rem")
async def choose_time(ctx: Context) -> HandlerResult:
    """Save the chosen time (or off) and when the next reminder is due."""
    choice = ctx.incoming.payload.partition(":")[2]
    quiet = QuietHours.parse(ctx.settings.quiet_hours)
    if choice == ZONE:
        return Reply(ctx.t("reminders.pick_zone"), buttons=zone_buttons(ctx), edit=True)
    if choice.startswith(f"{ZONE}:"):
        return await choose_own_zone(ctx, choice.removeprefix(f"{ZONE}:"), quiet)
    if choice != OFF and choice not in allowed_times(quiet):
        return Reply(ctx.t("error.stale_button"), menu=await main_menu(ctx))
    person = ctx.person
    person.reminder_time = None if choice == OFF else choice
    person.next_reminder_at = next_reminder_at(
        person, ctx.now, quiet, default_time=ctx.settings.reminder_time
    )
    ctx.session.add(person)
    if choice == OFF:
        return Reply(ctx.t("reminders.turned_off"), edit=True)
    return Reply(ctx.t("reminders.set", time=choice), edit=True)


async def choose_own_zone(ctx: Context, zone: str, quiet: QuietHours) -> HandlerResult:
    """The person's own zone: their class's changes no longer move them."""
    if zone not in OFFERED:
        return Reply(ctx.t("error.stale_button"), menu=await main_menu(ctx))
    choose_zone(ctx.person, zone, ctx.now, quiet, default_time=ctx.settings.reminder_time)
    ctx.session.add(ctx.person)
    name = zone_name(zone, ctx.person.language)
    return Reply(ctx.t("reminders.zone_set", zone=name), edit=True)

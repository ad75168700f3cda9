"""/reminders: the time of the daily reminder (in the person's own timezone), or turning it off."""

from __future__ import annotations

from datetime import time

from bot.core.messages import Button, Reply
from bot.core.payloads import ReminderAt, ReminderOff, ReminderZone, ReminderZones, StaleButton
from bot.handlers.cohorts import zone_label
from bot.localtime import QuietHours, parse_hhmm
from bot.pipeline.router import Context, HandlerResult, Router
from bot.scheduling.reminders import choose_zone, next_reminder_at, reminder_clock
from bot.zones import OFFERED, zone_name

router = Router("reminders")
# The times offered, local to the person; one inside the quiet hours is left out.
TIMES = ("08:00", "12:00", "17:00", "18:00", "19:00", "20:00")


def allowed_times(quiet: QuietHours) -> list[str]:
    """The reminder times a person can choose under these quiet hours."""
    return [at for at in TIMES if not quiet.contains(parse_hhmm(at) or time(0))]


def time_buttons(
    ctx: Context, quiet: QuietHours, current: str | None
) -> tuple[tuple[Button, ...], ...]:
    """Big buttons, two times a row, the current choice ticked; "Off" on its own row."""
    labels = [(f"✓ {at}" if at == current else at, time_payload(at)) for at in allowed_times(quiet)]
    rows = [
        tuple(Button(label, payload) for label, payload in labels[i : i + 2])
        for i in range(0, len(labels), 2)
    ]
    off = ctx.t("reminders.off_button")
    rows.append((Button(f"✓ {off}" if current is None else off, ReminderOff().pack()),))
    zone = zone_name(ctx.person.timezone, ctx.person.language)
    rows.append((Button(ctx.t("reminders.zone_button", zone=zone), ReminderZones().pack()),))
    return tuple(rows)


def zone_buttons(ctx: Context) -> tuple[tuple[Button, ...], ...]:
    """The zones offered by name, one a row, the person's own ticked."""
    return tuple(
        (Button(zone_label(ctx, zone, ctx.person.timezone), ReminderZone(zone).pack()),)
        for zone in OFFERED
    )


@router.command("reminders")
async def show_reminders(ctx: Context) -> HandlerResult:
    """The current setting and the times to choose from."""
    quiet = ctx.settings.quiet
    at = reminder_clock(ctx.person, quiet, ctx.settings.reminder_time)
    current = at.strftime("%H:%M") if at is not None else None
    text = (
        ctx.t("reminders.current", time=current)
        if current is not None
        else ctx.t("reminders.off_now")
    )
    return Reply(text, buttons=time_buttons(ctx, quiet, current))


def time_payload(at: str) -> str:
    at_time = parse_hhmm(at) or time(0)
    return ReminderAt(at_time.hour, at_time.minute).pack()


@router.button(ReminderZones)
async def show_zones(ctx: Context, _: ReminderZones) -> HandlerResult:
    return Reply(ctx.t("reminders.pick_zone"), buttons=zone_buttons(ctx), edit=True)


@router.button(ReminderAt)
async def choose_time(ctx: Context, tap: ReminderAt) -> HandlerResult:
    """Save the chosen time and when the next reminder is due."""
    quiet = ctx.settings.quiet
    choice = f"{tap.hour:02d}:{tap.minute:02d}"
    if choice not in allowed_times(quiet):
        raise StaleButton(choice)
    save_reminder(ctx, choice, quiet)
    return Reply(ctx.t("reminders.set", time=choice), edit=True)


@router.button(ReminderOff)
async def turn_off(ctx: Context, _: ReminderOff) -> HandlerResult:
    save_reminder(ctx, None, ctx.settings.quiet)
    return Reply(ctx.t("reminders.turned_off"), edit=True)


def save_reminder(ctx: Context, choice: str | None, quiet: QuietHours) -> None:
    """The person's reminder time (None: off) and when the next reminder is due."""
    person = ctx.person
    person.reminder_time = choice
    person.next_reminder_at = next_reminder_at(
        person, ctx.now, quiet, default_time=ctx.settings.reminder_time
    )
    ctx.session.add(person)


@router.button(ReminderZone)
async def choose_own_zone(ctx: Context, tap: ReminderZone) -> HandlerResult:
    """The person's own zone: their class's changes no longer move them."""
    if tap.zone not in OFFERED:
        raise StaleButton(tap.zone)
    quiet = ctx.settings.quiet
    choose_zone(ctx.person, tap.zone, ctx.now, quiet, default_time=ctx.settings.reminder_time)
    ctx.session.add(ctx.person)
    name = zone_name(tap.zone, ctx.person.language)
    return Reply(ctx.t("reminders.zone_set", zone=name), edit=True)

"""`academy run`, `academy chat`, `academy deliver`: the runtime with its channels."""

from __future__ import annotations

import asyncio
from collections.abc import Callable, Coroutine
from typing import Annotated, Any

import typer

from bot.cli.common import fail, fail_content, settings_or_exit
from bot.config import Settings
from bot.runtime.loop import run_async


def serving(settings: Settings, main: Callable[[], Coroutine[Any, Any, None]], bye: str) -> None:
    """Run `main` on the bot's loop; a stale schema, broken content or a channel that cannot
    start ends the command with a line saying what to do, and its exit code."""
    from bot.db.migrate import SchemaOutOfDate
    from bot.lessons.content import ContentError, MissingCourse
    from bot.runtime.channel import StartupError

    try:
        run_async(main())
    except SchemaOutOfDate as error:
        raise fail(str(error), 3) from error
    except (ContentError, MissingCourse) as error:
        raise fail_content(error) from error
    except StartupError as error:
        raise fail(str(error), error.exit_code) from error
    except KeyboardInterrupt:
        typer.echo(bye)


def run(
    workers: Annotated[
        int | None,
        typer.Option(
            "--workers",
            min=1,
            max=64,
            help="Webhook worker processes (default: WORKERS); more than one needs WEBHOOK_URL, "
            "PostgreSQL and REDIS_URL.",
        ),
    ] = None,
    worker_index: Annotated[int | None, typer.Option("--worker-index", hidden=True)] = None,
) -> None:
    """Run the bot on every enabled channel (Telegram when BOT_TOKEN is set, WhatsApp when
    WHATSAPP_PHONE_NUMBER_ID and WHATSAPP_ACCESS_TOKEN are), otherwise the console chat."""
    settings = settings_or_exit()
    from bot.channels import enabled_channels
    from bot.runtime import Runtime, setup_logging
    from bot.runtime.workers import CannotRunWorkers, Supervisor, Worker, check_settings

    setup_logging(settings.log_level)
    count = workers or settings.workers
    if worker_index is None and count > 1:
        try:
            check_settings(settings, count)
        except CannotRunWorkers as error:
            raise fail(str(error), 2) from error
        raise typer.Exit(Supervisor(count).run())
    worker = Worker(worker_index or 0, count)
    channels = enabled_channels(settings, worker)
    if not channels:
        typer.echo(
            "No BOT_TOKEN, WhatsApp number or WeChat account set: starting the console chat "
            "(see README to connect Telegram, WhatsApp or WeChat)."
        )
        chat(user="you", lang=None)
        return

    async def main() -> None:
        async with Runtime.running(
            settings, channels, lead=worker.lead, reuse_port=worker.count > 1
        ) as runtime:
            await runtime.until_stopped()

    serving(settings, main, "Stopped.")


def chat(
    user: Annotated[
        str, typer.Option(help="Act as this person (each name is its own trainee).")
    ] = ("you"),
    lang: Annotated[str | None, typer.Option(help="Your phone's language: zh, es or en.")] = None,
) -> None:
    """Chat with the bot in this terminal, on the same handlers and database."""
    settings = settings_or_exit()
    from bot.db.models import Person

    longest = Person.__table__.c.channel_user_id.type.length  # type: ignore[attr-defined]
    if not user.strip() or len(user) > longest:
        raise fail(f"--user must be 1 to {longest} characters (it is the person's id).", 2)

    async def main() -> None:
        from bot.channels.console import ConsoleChannel
        from bot.runtime import Runtime

        console = ConsoleChannel(user=user, language=lang)
        async with Runtime.running(settings, [console]) as runtime:
            await runtime.until_stopped()

    serving(settings, main, "")


def deliver(
    once: Annotated[bool, typer.Option(help="One tick: send what is due now, then stop.")] = False,
) -> None:
    """Run only the delivery engine (reminders, lesson plans, announcements) on Telegram and
    WhatsApp: a second sender beside the bot, or a catch-up after downtime."""
    settings = settings_or_exit()
    whatsapp = bool(settings.whatsapp_phone_number_id and settings.whatsapp_access_token)
    if not (settings.bot_token or whatsapp):
        raise fail(
            "BOT_TOKEN (Telegram) or WHATSAPP_PHONE_NUMBER_ID and WHATSAPP_ACCESS_TOKEN are "
            "needed to deliver scheduled messages.",
            2,
        )
    from bot.runtime import setup_logging

    setup_logging(settings.log_level)

    async def main() -> None:
        from bot.runtime import Channel, Runtime

        senders: list[Channel] = []
        if settings.bot_token:
            from bot.channels.telegram.channel import TelegramChannel

            senders.append(TelegramChannel(settings, intake=False))
        if whatsapp:
            from bot.channels.whatsapp.channel import WhatsAppChannel

            senders.append(WhatsAppChannel(settings, intake=False))
        async with Runtime.running(settings, senders, deliveries=False) as runtime:
            engine = runtime.delivery
            assert engine is not None  # both channels have a transport
            while True:  # ticks here, not on the ticker: the first one at once
                report = await engine.tick()
                if report.claimed:
                    typer.echo(f"delivered: {report.outcomes}")
                if once:
                    return
                await asyncio.sleep(settings.delivery_interval)

    serving(settings, main, "Stopped.")

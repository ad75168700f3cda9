"""`academy whatsapp setup`: the business number's "/" commands and ice breakers."""

from __future__ import annotations

import typer

from bot.cli.common import fail, settings_or_exit
from bot.runtime.loop import run_async

whatsapp_app = typer.Typer(help="The WhatsApp business number.", no_args_is_help=True)


@whatsapp_app.command()
def setup() -> None:
    """Set the "/" commands and up to 4 ice breakers (DEFAULT_LANGUAGE) on the number."""
    settings = settings_or_exit()
    if not (settings.whatsapp_phone_number_id and settings.whatsapp_access_token):
        raise fail("Set WHATSAPP_PHONE_NUMBER_ID and WHATSAPP_ACCESS_TOKEN first.", 2)
    from bot.channels.whatsapp.setup import SetupRefused, publish_automation

    try:
        automation = run_async(publish_automation(settings))
    except SetupRefused as refused:
        raise fail(str(refused), refused.exit_code) from None
    typer.echo(f"Commands: {', '.join('/' + name for name, _ in automation.commands)}")
    for text in automation.ice_breakers:
        typer.echo(f"Ice breaker: {text}")

"""`academy wechat menu`: the service account's custom menu (上课 / 提问 / 我的)."""

from __future__ import annotations

import json

import typer

from bot.cli.common import fail, settings_or_exit
from bot.config import LANGUAGES
from bot.runtime.loop import run_async

wechat_app = typer.Typer(help="The WeChat service account.", no_args_is_help=True)


@wechat_app.command()
def menu(
    language: str = typer.Option(
        "zh", "--language", "-l", help=f"Language of the labels ({', '.join(LANGUAGES)})."
    ),
    dry_run: bool = typer.Option(False, "--dry-run", help="Print the menu's JSON; send nothing."),
) -> None:
    """Set the account's menu: lesson, ask, and my progress / review / reminders / help /
    language, as buttons the bot reads in every language."""
    if language not in LANGUAGES:
        raise fail(f"--language must be one of {', '.join(LANGUAGES)}, not {language!r}.", 2)
    from bot.channels.wechat.menu import MenuRefused, MenuTooLong, menu_for, publish_menu

    try:
        body = menu_for(language)
    except MenuTooLong as error:
        raise fail(str(error), 2) from None
    if dry_run:
        typer.echo(json.dumps(body, ensure_ascii=False, indent=2))
        return
    settings = settings_or_exit()
    if not (settings.wechat_app_id and settings.wechat_app_secret.get_secret_value()):
        raise fail("Set WECHAT_APP_ID and WECHAT_APP_SECRET first (see the README, WeChat).", 2)
    try:
        run_async(publish_menu(settings, body))
    except MenuRefused as refused:
        raise fail(str(refused), refused.exit_code) from None
    for button in body["button"]:
        subs = [sub["name"] for sub in button.get("sub_button", [])]
        typer.echo(f"{button['name']}: {' / '.join(subs)}" if subs else button["name"])
    typer.echo("Menu set. WeChat shows it within minutes (at once after following again).")

"""The `academy` command: one module per command group, composed here."""

from __future__ import annotations

import typer

from bot.cli.ask import ask
from bot.cli.certificate import certificate_app
from bot.cli.content import content_app
from bot.cli.db import db_app
from bot.cli.plan import plan_app
from bot.cli.run import chat, deliver, run
from bot.cli.stats import stats_app
from bot.cli.users import users_app
from bot.cli.web import web_app
from bot.cli.wechat import wechat_app
from bot.cli.whatsapp import whatsapp_app

app = typer.Typer(
    help="Village Academy: lessons on selling online, in a chat.", no_args_is_help=True
)
app.command()(run)
app.command()(chat)
app.command()(deliver)
app.command()(ask)
app.add_typer(db_app, name="db")
app.add_typer(content_app, name="content")
app.add_typer(users_app, name="users")
app.add_typer(stats_app, name="stats")
app.add_typer(plan_app, name="plan")
app.add_typer(certificate_app, name="certificate")
app.add_typer(whatsapp_app, name="whatsapp")
app.add_typer(wechat_app, name="wechat")
app.add_typer(web_app, name="web")


def main() -> None:
    """`academy`: a database it cannot use ends it with one line that says what to do."""
    from sqlalchemy.exc import OperationalError

    from bot.db.engine import DatabaseUnusable
    from bot.db.outage import database_unavailable

    try:
        app()
    except DatabaseUnusable as error:
        typer.secho(str(error), fg=typer.colors.RED, err=True)
        raise SystemExit(6) from None
    except Exception as error:  # the driver's own words: unreachable, refused, read-only
        if not (isinstance(error, OperationalError) or database_unavailable(error)):
            raise
        cause = " ".join(str(getattr(error, "orig", None) or error).split())
        typer.secho(
            f"Cannot use the database ({cause}): check DATABASE_URL and the database server.",
            fg=typer.colors.RED,
            err=True,
        )
        raise SystemExit(6) from None

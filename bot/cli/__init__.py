"""The `academy` command: run the bot, chat in the terminal, manage the database."""

from __future__ import annotations

import asyncio
from typing import TYPE_CHECKING, Annotated

import typer

from bot.cohorts.cli import users_app
from bot.config import Settings
from bot.db.migrate import SchemaOutOfDate
from bot.lessons.cli import content_app
from bot.lessons.content import ContentError
from bot.runtime import MissingCourse, run_async
from bot.scheduling.cli import plan_app
from bot.stats.cli import stats_app

if TYPE_CHECKING:
    from bot.qa.model import AnswerJSON

app = typer.Typer(
    help="Village Academy: lessons on selling online, in a chat.", no_args_is_help=True
)
db_app = typer.Typer(help="Database schema.", no_args_is_help=True)
app.add_typer(db_app, name="db")
app.add_typer(content_app, name="content")
app.add_typer(users_app, name="users")
app.add_typer(stats_app, name="stats")
app.add_typer(plan_app, name="plan")


def _settings() -> Settings:
    try:
        return Settings()
    except Exception as error:  # a bad value in the environment or .env
        typer.secho(f"Invalid settings: {error}", fg=typer.colors.RED, err=True)
        raise typer.Exit(2) from error


def _fail_schema(error: SchemaOutOfDate) -> typer.Exit:
    typer.secho(str(error), fg=typer.colors.RED, err=True)
    return typer.Exit(3)


def _fail_content(error: Exception) -> typer.Exit:
    typer.secho("The course content has problems; the bot will not start:", fg="red", err=True)
    typer.echo(str(error), err=True)
    typer.echo("Check it with: academy content check", err=True)
    return typer.Exit(5)


@app.command()
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
    """Run the bot: Telegram when BOT_TOKEN is set, otherwise the console chat."""
    settings = _settings()
    from bot.runtime import setup_logging

    setup_logging(settings.log_level)
    count = workers or settings.workers
    if worker_index is None and count > 1:
        from bot.workers import CannotRunWorkers, Supervisor, check_settings

        try:
            check_settings(settings, count)
        except CannotRunWorkers as error:
            typer.secho(str(error), fg=typer.colors.RED, err=True)
            raise typer.Exit(2) from error
        raise typer.Exit(Supervisor(count).run())
    if not settings.bot_token:
        typer.echo("No BOT_TOKEN set: starting the console chat (see README to connect Telegram).")
        chat(user="you", lang=None)
        return
    from aiogram.exceptions import TelegramNetworkError, TelegramUnauthorizedError
    from aiogram.utils.token import TokenValidationError

    from bot.channels.telegram.app import Worker, serve

    worker = Worker(worker_index or 0, count)
    try:
        run_async(serve(settings, worker))
    except SchemaOutOfDate as error:
        raise _fail_schema(error) from error
    except (ContentError, MissingCourse) as error:
        raise _fail_content(error) from error
    except (TokenValidationError, TelegramUnauthorizedError) as error:
        typer.secho(
            f"Telegram refused BOT_TOKEN ({error}). Check the token from @BotFather.",
            fg=typer.colors.RED,
            err=True,
        )
        raise typer.Exit(2) from error
    except TelegramNetworkError as error:
        server = settings.telegram_api_url or "api.telegram.org"
        typer.secho(
            f"Could not reach Telegram at {server}: {error}. Check the network or "
            "TELEGRAM_API_URL.",
            fg=typer.colors.RED,
            err=True,
        )
        raise typer.Exit(4) from error
    except KeyboardInterrupt:
        typer.echo("Stopped.")


@app.command()
def chat(
    user: Annotated[
        str, typer.Option(help="Act as this person (each name is its own trainee).")
    ] = ("you"),
    lang: Annotated[str | None, typer.Option(help="Your phone's language: zh, es or en.")] = None,
) -> None:
    """Chat with the bot in this terminal, on the same handlers and database."""
    settings = _settings()
    from bot.db.models import Person

    longest = Person.__table__.c.channel_user_id.type.length  # type: ignore[attr-defined]
    if not user.strip() or len(user) > longest:
        typer.secho(
            f"--user must be 1 to {longest} characters (it is the person's id).",
            fg=typer.colors.RED,
            err=True,
        )
        raise typer.Exit(2)

    async def main() -> None:
        from bot.channels.console import ConsoleChat
        from bot.runtime import open_runtime

        runtime = await open_runtime(settings)
        try:
            chat = ConsoleChat(runtime.academy, runtime.sessions, user=user, language=lang)
            if settings.content_check_seconds > 0:
                chat.before_each = runtime.content.check
            await chat.run()
        finally:
            await runtime.close()

    try:
        run_async(main())
    except SchemaOutOfDate as error:
        raise _fail_schema(error) from error
    except (ContentError, MissingCourse) as error:
        raise _fail_content(error) from error
    except KeyboardInterrupt:
        typer.echo()


@db_app.command("upgrade")
def db_upgrade(
    revision: Annotated[str, typer.Argument(help="Target revision.")] = "head",
) -> None:
    """Bring the database schema up to date (safe to run every time)."""
    settings = _settings()

    async def main() -> None:
        from bot.db.engine import make_engine
        from bot.db.migrate import upgrade

        engine = make_engine(settings)
        try:
            state = await upgrade(engine, revision)
        finally:
            await engine.dispose()
        typer.echo(f"Database schema at revision {state.current}.")

    run_async(main())


@db_app.command("status")
def db_status() -> None:
    """Show the database's schema revision and the newest one; exit 3 when behind."""
    settings = _settings()

    async def main() -> bool:
        from bot.db.engine import make_engine
        from bot.db.migrate import status

        engine = make_engine(settings)
        try:
            state = await status(engine)
        finally:
            await engine.dispose()
        typer.echo(f"current: {state.current or '(empty)'}  head: {state.head}")
        return state.up_to_date

    if not run_async(main()):
        typer.echo("Run: academy db upgrade")
        raise typer.Exit(3)


@app.command()
def deliver(
    once: Annotated[bool, typer.Option(help="One tick: send what is due now, then stop.")] = False,
) -> None:
    """Run only the delivery engine (reminders, lesson plans, announcements) on Telegram: a
    second sender beside the bot, or a catch-up after downtime."""
    settings = _settings()
    if not settings.bot_token:
        typer.secho("BOT_TOKEN is needed to deliver scheduled messages.", fg="red", err=True)
        raise typer.Exit(2)
    from bot.runtime import setup_logging

    setup_logging(settings.log_level)

    async def main() -> None:
        from bot.channels.telegram.app import make_bot
        from bot.channels.telegram.transport import TelegramTransport
        from bot.runtime import open_runtime
        from bot.scheduling.setup import build_engine

        runtime = await open_runtime(settings)
        bot = make_bot(settings)
        transport = TelegramTransport(bot, paid_broadcast=settings.paid_broadcast)
        engine = build_engine(runtime, [transport])
        try:
            while True:
                report = await engine.tick()
                if report.claimed:
                    typer.echo(f"delivered: {report.outcomes}")
                if once:
                    return
                await asyncio.sleep(settings.delivery_interval)
        finally:
            await bot.session.close()
            await runtime.close()

    try:
        run_async(main())
    except SchemaOutOfDate as error:
        raise _fail_schema(error) from error
    except KeyboardInterrupt:
        typer.echo("Stopped.")


@app.command()
def ask(
    question: Annotated[str, typer.Argument(help="The question, in the trainee's words.")],
    lang: Annotated[str, typer.Option(help="zh, es or en.")] = "en",
    course: Annotated[str | None, typer.Option(help="Course id (default: DEFAULT_COURSE).")] = None,
    as_json: Annotated[bool, typer.Option("--json", help="Print the answer as JSON.")] = False,
) -> None:
    """Ask the course a question, as a trainee would (nothing is stored)."""
    import json

    from bot.i18n import normalise_language

    settings = _settings()

    async def main() -> AnswerJSON:
        from bot.runtime import load_courses, make_asker

        courses = load_courses(settings)
        asker = make_asker(settings, courses)
        chosen = courses.get(course or settings.default_course)
        if chosen is None:
            raise typer.BadParameter(f"no course {course!r}; have {', '.join(courses)}")
        answer = await asker.answer(question, normalise_language(lang), chosen)
        return answer.to_json()

    try:
        result = run_async(main())
    except (ContentError, MissingCourse) as error:
        raise _fail_content(error) from error
    if as_json:
        typer.echo(json.dumps(result, ensure_ascii=False))
        return
    typer.echo(result["answer"])
    for source in result["sources"]:
        typer.echo(f"  · {source['lesson']}: {source['title']} ({source['score']})")


certificate_app = typer.Typer(help="Course certificates.", no_args_is_help=True)
app.add_typer(certificate_app, name="certificate")


@certificate_app.command("verify")
def certificate_verify(
    code: Annotated[str, typer.Argument(help="The code on the certificate.")],
) -> None:
    """Check a certificate's code: who completed which course, and when. Exit 1 if unknown."""
    settings = _settings()

    async def main() -> str | None:
        from bot.db.engine import make_engine, make_sessionmaker
        from bot.lessons.certificates import find_certificate
        from bot.runtime import load_courses

        courses = load_courses(settings)
        engine = make_engine(settings)
        try:
            async with make_sessionmaker(engine)() as session:
                found = await find_certificate(session, code)
        finally:
            await engine.dispose()
        if found is None:
            return None
        course = courses.get(found.course_id)
        title = course.text_in(course.title, "en") if course else found.course_id
        return (
            f"Valid: {found.name} completed {title!r} on {found.issued_at:%Y-%m-%d} ({found.code})."
        )

    verdict = run_async(main())
    if verdict is None:
        typer.secho(f"No certificate has the code {code!r}.", fg=typer.colors.RED, err=True)
        raise typer.Exit(1)
    typer.echo(verdict)


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


if __name__ == "__main__":
    main()

"""Shared fixtures: a real database (an SQLite file, or a PostgreSQL database with --backend
postgresql / TEST_BACKEND=postgresql and TEST_DATABASE_URL), a migrated runtime, and a scripted
person talking to the handlers."""

from __future__ import annotations

import asyncio
import os
import shutil
import uuid
from collections import deque
from collections.abc import AsyncIterator, Callable, Iterator
from concurrent.futures import Future, ThreadPoolExecutor
from contextlib import contextmanager
from pathlib import Path

import asyncpg
import pytest
from sqlalchemy.engine import make_url

from bot.config import Settings
from bot.core.messages import Button, Incoming, Reply, Sender
from bot.db.engine import make_engine
from bot.db.migrate import upgrade
from bot.runtime import Runtime, open_runtime

PG_URL = os.environ.get("TEST_DATABASE_URL", "")
BACKENDS = ("sqlite", "postgresql")
SAMPLE_CONTENT = Path(__file__).parent / "content"


def make_settings(database_url: str, **overrides: object) -> Settings:
    """Settings for tests: no .env file, no token, the sample course, generous flood limits."""
    values: dict[str, object] = {
        "database_url": database_url,
        "bot_token": "",
        "default_language": "en",
        "flood_max_messages": 1000,
        "content_dir": SAMPLE_CONTENT,
        "default_course": "sample",
    }
    values.update(overrides)
    return Settings(_env_file=None, **values)  # type: ignore[call-arg]


def pytest_addoption(parser: pytest.Parser) -> None:
    parser.addoption(
        "--backend",
        default=os.environ.get("TEST_BACKEND", "sqlite"),
        help="the database every test that uses one runs on: sqlite (default) or postgresql "
        "(a fresh database per test on the TEST_DATABASE_URL server); env: TEST_BACKEND",
    )


def pytest_configure(config: pytest.Config) -> None:
    backend = config.getoption("backend")
    if backend not in BACKENDS:
        raise pytest.UsageError(f"--backend / TEST_BACKEND must be one of {BACKENDS}: {backend!r}")
    if backend == "postgresql" and not PG_URL:
        raise pytest.UsageError(
            "the postgresql backend needs TEST_DATABASE_URL=postgresql+asyncpg://…"
        )


def pytest_report_header(config: pytest.Config) -> str:
    backend = config.getoption("backend")
    if backend == "sqlite":
        return "database backend: sqlite (a file per test)"
    server = make_url(PG_URL).render_as_string(hide_password=True)
    return f"database backend: postgresql on {server} (tests that use no database: deselected)"


def pytest_collection_modifyitems(config: pytest.Config, items: list[pytest.Item]) -> None:
    """On PostgreSQL, only the tests that use a database run: the others ran in the SQLite pass.
    A test uses one when its fixtures reach `backend` (every database fixture asks for it)."""
    if config.getoption("backend") == "sqlite":
        return
    keep = [item for item in items if "backend" in getattr(item, "fixturenames", ())]
    dropped = [item for item in items if "backend" not in getattr(item, "fixturenames", ())]
    if dropped:
        config.hook.pytest_deselected(items=dropped)
        items[:] = keep


class _Running:
    """Whether the running test asks for a database fixture (see `migrated_runtime`)."""

    uses_database = True


@pytest.hookimpl(tryfirst=True)
def pytest_runtest_setup(item: pytest.Item) -> None:
    _Running.uses_database = "backend" in getattr(item, "fixturenames", ())


@pytest.fixture(scope="session")
def backend(request: pytest.FixtureRequest) -> str:
    """The database the tests run on: --backend or TEST_BACKEND, sqlite by default."""
    return str(request.config.getoption("backend"))


def _run_on_server(*statements: str) -> None:
    """Run statements on the TEST_DATABASE_URL server outside any transaction (never from a
    thread with a running event loop: see `_postgres_admin`)."""
    dsn = make_url(PG_URL).set(drivername="postgresql").render_as_string(hide_password=False)

    async def run() -> None:
        connection = await asyncpg.connect(dsn)
        try:
            for statement in statements:
                await connection.execute(statement)
        finally:
            await connection.close()

    asyncio.run(run())


def _postgres_admin(*statements: str) -> None:
    """`_run_on_server` on a thread of its own, so that it works the same from sync and async
    tests and from any fixture scope."""
    with ThreadPoolExecutor(1) as pool:
        pool.submit(_run_on_server, *statements).result()


def _drop(name: str) -> str:
    return f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)'


class _PostgresDatabases:
    """New, empty databases on the TEST_DATABASE_URL server. CREATE DATABASE mostly waits on the
    disk (0.1-0.3 s each here), so a thread makes the next few while tests run, and drops the
    used ones; what is left is dropped when the session ends."""

    AHEAD = 2

    def __init__(self) -> None:
        self._thread = ThreadPoolExecutor(1, thread_name_prefix="test-databases")
        self._made: deque[Future[str]] = deque()

    def _create(self) -> str:
        name = f"academy_{uuid.uuid4().hex[:12]}"
        _run_on_server(f'CREATE DATABASE "{name}"')
        return name

    def take(self) -> str:
        while len(self._made) <= self.AHEAD:
            self._made.append(self._thread.submit(self._create))
        return self._made.popleft().result()

    def drop(self, name: str) -> None:
        self._thread.submit(_run_on_server, _drop(name))

    def close(self) -> None:
        names = [future.result() for future in self._made]
        if names:
            self._thread.submit(_run_on_server, *map(_drop, names))
        self._thread.shutdown(wait=True)


_postgres_databases: _PostgresDatabases | None = None


def pytest_sessionfinish(session: pytest.Session) -> None:
    if _postgres_databases is not None:
        _postgres_databases.close()


@contextmanager
def fresh_database(backend: str, directory: Path) -> Iterator[str]:
    """A new, empty database: an SQLite file in a folder of `directory` of its own, or a
    PostgreSQL database on the TEST_DATABASE_URL server, dropped afterwards."""
    global _postgres_databases
    if backend == "sqlite":
        yield f"sqlite+aiosqlite:///{directory / 'db' / 'academy.db'}"
        return
    if _postgres_databases is None:
        _postgres_databases = _PostgresDatabases()
    name = _postgres_databases.take()
    try:
        yield make_url(PG_URL).set(database=name).render_as_string(hide_password=False)
    finally:
        _postgres_databases.drop(name)


def drop_database(url: str) -> str:
    """Make a test's database disappear under the running code (SQLite: its folder, PostgreSQL:
    the database); returns what the driver then says about it."""
    if url.startswith("sqlite"):
        shutil.rmtree(Path(make_url(url).database or "").parent)
        return "unable to open database"
    name = make_url(url).database
    _postgres_admin(_drop(str(name)))
    return f'database "{name}" does not exist'


@pytest.fixture
def database_url(backend: str, tmp_path: Path) -> Iterator[str]:
    """A fresh, empty database on the backend under test. Every test that needs a database
    asks for this (or for `settings`, `runtime`…, which do), so it runs on both databases."""
    with fresh_database(backend, tmp_path) as url:
        yield url


@pytest.fixture
def sqlite_url(backend: str, tmp_path: Path) -> str:
    """For the few tests about SQLite itself (pragmas, files); skipped in the PostgreSQL pass."""
    if backend != "sqlite":
        pytest.skip("SQLite-specific: runs in the SQLite pass")
    return f"sqlite+aiosqlite:///{tmp_path / 'academy.db'}"


@pytest.fixture
def postgres_url(backend: str, tmp_path: Path) -> Iterator[str]:
    """For the few tests about PostgreSQL itself; skipped in the SQLite pass."""
    if backend != "postgresql":
        pytest.skip("PostgreSQL-specific: runs in the PostgreSQL pass (--backend postgresql)")
    with fresh_database(backend, tmp_path) as url:
        yield url


@pytest.fixture
def settings(database_url: str) -> Settings:
    return make_settings(database_url)


async def migrated_runtime(settings: Settings) -> Runtime:
    assert _Running.uses_database, (
        "this test opens a database without asking for the `database_url` fixture (or `settings`,"
        " `runtime`…), so the PostgreSQL pass would leave it out: ask for `database_url`"
        " (`sqlite_url` only if the test is about SQLite itself)"
    )
    engine = make_engine(settings)
    await upgrade(engine)
    await engine.dispose()
    return await open_runtime(settings)


@pytest.fixture
async def runtime(settings: Settings) -> AsyncIterator[Runtime]:
    rt = await migrated_runtime(settings)
    try:
        yield rt
    finally:
        await rt.close()


class Trainee:
    """A scripted person talking straight to the Academy, as any channel would."""

    def __init__(self, runtime: Runtime, user_id: str, name: str, language: str | None) -> None:
        self.runtime = runtime
        self.sender = Sender("test", user_id, display_name=name, language_hint=language)
        self.last: list[Reply] = []

    async def send(self, text: str) -> list[Reply]:
        return await self._handle(Incoming.from_text(self.sender, text))

    async def press(self, label: str) -> list[Reply]:
        """Tap an inline button of the latest replies, by its label (ignoring a leading tick)."""
        button = self.button(label)
        return await self._handle(Incoming.button(self.sender, button.payload))

    def button(self, label: str) -> Button:
        buttons = [b for reply in self.last for row in reply.buttons for b in row]
        for candidate in buttons:
            if candidate.label.removeprefix("✓ ") == label.removeprefix("✓ "):
                return candidate
        raise AssertionError(f"no button {label!r}; have {[b.label for b in buttons]}")

    async def _handle(self, incoming: Incoming) -> list[Reply]:
        async with self.runtime.sessions() as session:
            self.last = await self.runtime.academy.handle(incoming, session)
        return self.last

    @property
    def texts(self) -> list[str]:
        return [reply.text for reply in self.last]

    @property
    def menu(self) -> tuple[tuple[str, ...], ...] | None:
        menus = [reply.menu for reply in self.last if reply.menu is not None]
        return menus[-1] if menus else None


@pytest.fixture
def trainee_factory(runtime: Runtime) -> Callable[..., Trainee]:
    def make(user_id: str = "1", name: str = "Ana", language: str | None = "en") -> Trainee:
        return Trainee(runtime, user_id, name, language)

    return make

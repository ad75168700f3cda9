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
from datetime import UTC, datetime
from pathlib import Path

import asyncpg
import pytest
from redis.asyncio import Redis
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
    """Settings for tests: no .env file, no token, the sample course, generous flood limits, no
    dashboard."""
    values: dict[str, object] = {
        "database_url": database_url,
        "bot_token": "",
        "default_language": "en",
        "flood_max_messages": 1000,
        "content_dir": SAMPLE_CONTENT,
        "default_course": "sample",
        # Tests run side by side: none listens on WEBHOOK_PORT unless it asks (tests/web).
        "web_dashboard": False,
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


def _in_a_thread(function: Callable[..., object], *args: object) -> None:
    """Run `function` on a thread of its own and wait: it may call asyncio.run, whatever runs
    here (sync or async tests, any fixture scope)."""
    with ThreadPoolExecutor(1) as thread:
        thread.submit(function, *args).result()


def _run_on_server(*statements: str) -> None:
    """Run statements on the TEST_DATABASE_URL server outside any transaction."""
    dsn = make_url(PG_URL).set(drivername="postgresql").render_as_string(hide_password=False)

    async def run() -> None:
        connection = await asyncpg.connect(dsn)
        try:
            for statement in statements:
                await connection.execute(statement)
        finally:
            await connection.close()

    asyncio.run(run())


def _migrate(url: str) -> None:
    async def run() -> None:
        engine = make_engine(make_settings(url))
        try:
            await upgrade(engine)
        finally:
            await engine.dispose()

    asyncio.run(run())


def _postgres(name: str) -> str:
    return make_url(PG_URL).set(database=name).render_as_string(hide_password=False)


def _drop(name: str) -> str:
    return f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)'


class Databases:
    """The tests' databases on the session's backend. A test gets one of its own, at the newest
    schema: migrating takes longer than copying, so the session migrates one template and copies
    it (an SQLite file; on PostgreSQL, CREATE DATABASE … TEMPLATE). On PostgreSQL, threads also
    make the next copies while tests run and drop the used ones: CREATE DATABASE mostly waits
    on the disk, 0.1-0.2 s one at a time here but 0.03 s each when a few run together. The rest
    and the template are dropped when the session ends."""

    AHEAD = 4

    def __init__(self, backend: str, scratch: Path) -> None:
        self.backend = backend
        self._scratch = scratch
        self._sqlite_template: Path | None = None
        self._pg_template: str | None = None
        self._threads = ThreadPoolExecutor(self.AHEAD, thread_name_prefix="test-databases")
        self._made: deque[Future[str]] = deque()

    @contextmanager
    def fresh(self, directory: Path, *, migrated: bool = True) -> Iterator[str]:
        """A new database, at the newest schema or empty: an SQLite file in a folder of
        `directory` of its own, or a PostgreSQL database, dropped afterwards."""
        if self.backend == "sqlite":
            path = directory / f"db-{uuid.uuid4().hex[:8]}" / "academy.db"
            if migrated:
                path.parent.mkdir(parents=True, exist_ok=True)
                shutil.copyfile(self._sqlite_copy_source(), path)
            yield f"sqlite+aiosqlite:///{path}"
            return
        if migrated:
            if self._pg_template is None:
                _in_a_thread(self._make_pg_template)
            while len(self._made) <= self.AHEAD:
                self._made.append(self._threads.submit(self._pg_copy))
            name = self._made.popleft().result()
        else:
            name = f"academy_{uuid.uuid4().hex[:12]}"
            _in_a_thread(_run_on_server, f'CREATE DATABASE "{name}"')
        try:
            yield _postgres(name)
        finally:
            self._threads.submit(_run_on_server, _drop(name))

    def _sqlite_copy_source(self) -> Path:
        if self._sqlite_template is None:
            template = self._scratch / "template.db"
            _in_a_thread(_migrate, f"sqlite+aiosqlite:///{template}")
            self._sqlite_template = template
        return self._sqlite_template

    def _make_pg_template(self) -> None:
        template = f"academy_template_{uuid.uuid4().hex[:12]}"
        _run_on_server(f'CREATE DATABASE "{template}"')
        try:
            _migrate(_postgres(template))
        except BaseException:
            _run_on_server(_drop(template))
            raise
        self._pg_template = template

    def _pg_copy(self) -> str:
        name = f"academy_{uuid.uuid4().hex[:12]}"
        _run_on_server(f'CREATE DATABASE "{name}" TEMPLATE "{self._pg_template}"')
        return name

    def close(self) -> None:
        names = [f.result() for f in self._made if f.exception() is None]
        self._made.clear()
        if self._pg_template is not None:
            names.append(self._pg_template)
        if names:
            self._threads.submit(_run_on_server, *map(_drop, names))
        self._threads.shutdown(wait=True)


@pytest.fixture(scope="session")
def databases(backend: str, tmp_path_factory: pytest.TempPathFactory) -> Iterator[Databases]:
    made = Databases(backend, tmp_path_factory.mktemp("databases"))
    try:
        yield made
    finally:
        made.close()


def drop_database(url: str) -> str:
    """Make a test's database disappear under the running code (SQLite: its folder, PostgreSQL:
    the database); returns what the driver then says about it."""
    if url.startswith("sqlite"):
        shutil.rmtree(Path(make_url(url).database or "").parent)
        return "unable to open database"
    name = make_url(url).database
    _in_a_thread(_run_on_server, _drop(str(name)))
    return f'database "{name}" does not exist'


@pytest.fixture
def database_url(databases: Databases, tmp_path: Path) -> Iterator[str]:
    """A fresh database of the test's own on the backend under test, at the newest schema (as
    `academy db upgrade` leaves it). Every test that needs a database asks for this (or for
    `settings`, `runtime`…, which do), so it runs on both databases."""
    with databases.fresh(tmp_path) as url:
        yield url


@pytest.fixture
def empty_database_url(databases: Databases, tmp_path: Path) -> Iterator[str]:
    """Like `database_url`, but empty: for the tests of migrating and of refusing an old schema."""
    with databases.fresh(tmp_path, migrated=False) as url:
        yield url


@pytest.fixture
def sqlite_url(backend: str, tmp_path: Path) -> str:
    """An empty SQLite file, for the few tests about SQLite itself (pragmas, files); skipped in
    the PostgreSQL pass."""
    if backend != "sqlite":
        pytest.skip("SQLite-specific: runs in the SQLite pass")
    return f"sqlite+aiosqlite:///{tmp_path / 'academy.db'}"


@pytest.fixture
def postgres_url(databases: Databases, tmp_path: Path) -> Iterator[str]:
    """Like `database_url`, for the few tests about PostgreSQL itself; skipped in the SQLite
    pass."""
    if databases.backend != "postgresql":
        pytest.skip("PostgreSQL-specific: runs in the PostgreSQL pass (--backend postgresql)")
    with databases.fresh(tmp_path) as url:
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


class FixedClock:
    """A clock that stands still until a test moves `now`: Monday 2026-05-04 09:00 UTC, 17:00 in
    Shanghai."""

    def __init__(self) -> None:
        self.now = datetime(2026, 5, 4, 9, 0, tzinfo=UTC)

    def __call__(self) -> datetime:
        return self.now


@pytest.fixture
async def school(database_url: str) -> AsyncIterator[Runtime]:
    """A migrated runtime whose admin is `test:boss`, on a FixedClock."""
    runtime = await migrated_runtime(make_settings(database_url, admin_ids="test:boss"))
    runtime.academy.services.clock = FixedClock()
    try:
        yield runtime
    finally:
        await runtime.close()


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


# The Redis of the machine (CI has one too); tests that need it are skipped without it.
REDIS_URL = "redis://127.0.0.1:6379/0"


@pytest.fixture
async def redis() -> AsyncIterator[Redis]:
    """A client of the machine's Redis; tests use keys of their own (a uuid in the namespace)."""
    client = Redis.from_url(REDIS_URL)
    try:
        await client.ping()
    except Exception:
        await client.aclose()
        pytest.skip("no Redis on 127.0.0.1:6379")
    yield client
    await client.aclose()

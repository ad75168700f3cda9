"""Browser tests: Debian's Chromium, headless, on the runtime's real web routes (the dashboard's
server of tests/web/conftest.py on a free port of 127.0.0.1).

One browser per test session; each test gets fresh tabs (`phone`: 360×640 touch, `laptop`:
1280×800), each in a context of its own. Without Chromium (or the playwright package) these
tests skip, saying how to install it. They run in the SQLite pass only: the pages' database
work is tested on both databases by the HTTP-level tests beside them.

A tab that sent a request beyond 127.0.0.1 (blocked) or logged a console or script error fails
its test at teardown.
"""

from __future__ import annotations

from collections.abc import AsyncIterator, Iterator

import pytest

from tests.web.browser.chromium import LAPTOP, PHONE, Chromium, Tab, find_chromium, why_no_browser

BROWSER = "browser"


def pytest_collection_modifyitems(config: pytest.Config, items: list[pytest.Item]) -> None:
    """Mark every test here `browser`; leave them out of the PostgreSQL pass."""
    for item in items:
        if "tests/web/browser/" in item.nodeid.replace("\\", "/"):
            item.add_marker(BROWSER)
    if config.getoption("backend") == "sqlite":
        return
    dropped = [item for item in items if item.get_closest_marker(BROWSER)]
    if dropped:
        config.hook.pytest_deselected(items=dropped)
        items[:] = [item for item in items if not item.get_closest_marker(BROWSER)]


@pytest.fixture(scope="session")
def chromium() -> Iterator[Chromium]:
    """Headless Chromium for the whole session (skips the test when there is none)."""
    missing = why_no_browser()
    if missing:
        pytest.skip(missing)
    executable = find_chromium()
    assert executable is not None
    browser = Chromium(executable).start()
    try:
        yield browser
    finally:
        browser.stop()


async def _clean(tab: Tab) -> AsyncIterator[Tab]:
    try:
        yield tab
    finally:
        await tab.close()
    assert not tab.stray, f"requests left 127.0.0.1: {tab.stray}"
    assert not tab.errors, f"the page logged errors: {tab.errors}"


@pytest.fixture
async def phone(chromium: Chromium) -> AsyncIterator[Tab]:
    """A touch phone's browser, 360×640 CSS pixels, in English."""
    async for tab in _clean(await chromium.tab(PHONE)):
        yield tab


@pytest.fixture
async def laptop(chromium: Chromium) -> AsyncIterator[Tab]:
    """A laptop's browser, 1280×800, in English."""
    async for tab in _clean(await chromium.tab(LAPTOP)):
        yield tab

"""Debian's Chromium, headless, driven by Playwright: for the browser tests and the screenshots.

The browser runs on a thread of its own with an event loop of its own, started once per test
session (a launch costs about a second). The server under test runs on the test's loop: a test
awaits the browser's work (`Tab.do`) as a future of the other loop, so the server keeps
answering while the browser waits for it.

Nothing is downloaded: Playwright drives the Chromium of the system (`CHROMIUM`, else
`chromium` on PATH), never a browser of its own. Every tab blocks and records any request that
would leave 127.0.0.1, and records every console error and uncaught script error.
"""

from __future__ import annotations

import asyncio
import os
import shutil
import threading
from collections.abc import Awaitable, Callable, Coroutine
from concurrent.futures import Future
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, TypeVar
from urllib.parse import urlsplit

T = TypeVar("T")

INSTALL_HINT = "install Debian's chromium: apt-get install chromium"
# The closed network refuses Chromium's own calls home; these keep it from trying.
FLAGS = (
    "--no-sandbox",  # as root in a container
    "--disable-gpu",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
    "--disable-quic",
    "--no-first-run",
    "--disable-features=Translate,OptimizationHints,MediaRouter",
)
LOCAL_HOSTS = ("127.0.0.1",)


@dataclass(frozen=True)
class Screen:
    """A viewport in CSS pixels, the pixels per CSS pixel, and whether it is a touch phone."""

    width: int
    height: int
    scale: float = 1.0
    phone: bool = False


PHONE = Screen(360, 640, phone=True)
LAPTOP = Screen(1280, 800)


def find_chromium() -> str | None:
    """The Chromium to drive: $CHROMIUM, else `chromium` on PATH; None when there is none."""
    named = os.environ.get("CHROMIUM", "")
    if named:
        return named if Path(named).is_file() else None
    return shutil.which("chromium")


def why_no_browser() -> str:
    """Why browser tests cannot run here ("" when they can)."""
    try:
        import playwright  # noqa: F401
    except ImportError:
        return "the Python package playwright is missing: pip install -e '.[dev]'"
    if find_chromium() is None:
        return f"no Chromium on this machine: {INSTALL_HINT}"
    return ""


class Chromium:
    """One headless Chromium on its own thread; `start()`, then `tab()` per page, `stop()`."""

    def __init__(self, executable: str) -> None:
        self.executable = executable
        self.loop = asyncio.new_event_loop()
        self._thread = threading.Thread(target=self.loop.run_forever, name="chromium", daemon=True)
        self._playwright: Any = None
        self._browser: Any = None

    def start(self) -> Chromium:
        self._thread.start()
        self.run(self._launch())
        return self

    async def _launch(self) -> None:
        from playwright.async_api import async_playwright

        self._playwright = await async_playwright().start()
        # Playwright gives each launch a fresh, empty profile (--user-data-dir) of its own.
        self._browser = await self._playwright.chromium.launch(
            executable_path=self.executable, headless=True, args=list(FLAGS)
        )

    def stop(self) -> None:
        async def close() -> None:
            if self._browser is not None:
                await self._browser.close()
            if self._playwright is not None:
                await self._playwright.stop()

        try:
            self.run(close())
        finally:
            self.loop.call_soon_threadsafe(self.loop.stop)
            self._thread.join(timeout=10)

    def submit(self, work: Coroutine[Any, Any, T]) -> Future[T]:
        return asyncio.run_coroutine_threadsafe(work, self.loop)

    def run(self, work: Coroutine[Any, Any, T]) -> T:
        """Run `work` on the browser's loop and wait (from code that has no loop running)."""
        return self.submit(work).result(timeout=60)

    async def call(self, work: Coroutine[Any, Any, T]) -> T:
        """Run `work` on the browser's loop; the caller's loop goes on meanwhile."""
        return await asyncio.wrap_future(self.submit(work))

    async def tab(self, screen: Screen, language: str = "en") -> Tab:
        """A new page in a context of its own (its own cookies), at `screen`'s size."""
        return await self.call(self._new_tab(screen, language))

    async def _new_tab(self, screen: Screen, language: str) -> Tab:
        context = await self._browser.new_context(
            viewport={"width": screen.width, "height": screen.height},
            device_scale_factor=screen.scale,
            is_mobile=screen.phone,
            has_touch=screen.phone,
            locale=language,
            extra_http_headers={"Accept-Language": language},
        )
        tab = Tab(self, screen, context, await context.new_page())
        await context.route("**/*", tab._only_local)
        tab.page.on("console", tab._console)
        tab.page.on("pageerror", lambda error: tab.errors.append(f"script error: {error}"))
        return tab


@dataclass
class Tab:
    """One page of the browser, used from the test's loop: each method runs on the browser's."""

    chromium: Chromium
    screen: Screen
    context: Any
    page: Any
    stray: list[str] = field(default_factory=list)  # requests to elsewhere, blocked
    errors: list[str] = field(default_factory=list)  # console errors, script errors

    async def do(self, action: Callable[[Any], Awaitable[T]]) -> T:
        """`await action(page)` on the browser's loop (the page is a Playwright Page)."""

        async def work() -> T:
            return await action(self.page)

        return await self.chromium.call(work())

    async def open(self, url: str) -> int:
        """Go to `url`; the status of the page it ends on."""

        async def go(page: Any) -> int:
            response = await page.goto(url)
            return int(response.status) if response is not None else 0

        return await self.do(go)

    async def press(self, name: str) -> None:
        """Tap the button (or link drawn as one) called `name` and wait for the next page."""

        async def press(page: Any) -> None:
            target = page.get_by_role("button", name=name, exact=True).or_(
                page.get_by_role("link", name=name, exact=True)
            )
            async with page.expect_navigation():
                await (target.first.tap() if self.screen.phone else target.first.click())
            await page.wait_for_load_state("load")

        await self.do(press)

    async def text(self) -> str:
        """The page's visible text."""
        return str(await self.do(lambda page: page.inner_text("body")))

    @property
    def url(self) -> str:
        return str(self.page.url)

    async def labels(self) -> list[str]:
        """The visible labels of the page's buttons, in order."""
        found = await self.do(lambda page: page.get_by_role("button").all_inner_texts())
        return [label.strip() for label in found]

    async def evaluate(self, script: str, argument: Any = None) -> Any:
        return await self.do(lambda page: page.evaluate(script, argument))

    async def screenshot(self, path: Path, *, full_page: bool = False) -> None:
        path.parent.mkdir(parents=True, exist_ok=True)
        await self.do(lambda page: page.screenshot(path=str(path), full_page=full_page))

    async def close(self) -> None:
        await self.chromium.call(self.context.close())

    async def _only_local(self, route: Any) -> None:
        url = route.request.url
        if urlsplit(url).hostname in LOCAL_HOSTS:
            await route.continue_()
        else:
            self.stray.append(url)
            await route.abort("blockedbyclient")

    def _console(self, message: Any) -> None:
        if message.type == "error":
            self.errors.append(f"console: {message.text}")

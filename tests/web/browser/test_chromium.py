"""The harness itself: a tab catches what the page tests rely on it to catch."""

from __future__ import annotations

from tests.web.browser.chromium import Tab

_LEAKY = """<!doctype html><title>x</title>
<img src="http://example.invalid/pixel.png" alt="">
<script>console.error("broken"); null.nothing;</script>"""


async def test_a_tab_blocks_and_records_requests_beyond_this_machine_and_errors(
    phone: Tab,
) -> None:
    async def leak(page: object) -> None:
        await page.set_content(_LEAKY, wait_until="load")  # type: ignore[attr-defined]

    await phone.do(leak)
    assert phone.stray == ["http://example.invalid/pixel.png"]
    assert "console: broken" in phone.errors
    assert any(error.startswith("script error:") for error in phone.errors)
    phone.stray.clear()  # seen: the fixture's own check would fail the test otherwise
    phone.errors.clear()

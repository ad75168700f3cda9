"""What a person would see go wrong in a page's real layout, measured in the browser: a page
wider than the screen (sideways scrolling), text sticking out of or cut off by its box, and tap
targets smaller than a finger (48 CSS pixels, Android's and WCAG 2.5.5's size)."""

from __future__ import annotations

from typing import Any

from tests.web.browser.chromium import Tab

TAP_TARGET_PX = 48

# Returns {"page": [scrollWidth, innerWidth], "overflow": [...], "small": [...],
# "font_px": the body's font size}. A box inside a frame that scrolls sideways on purpose
# (a wide table's .table-wrap) may hold more than it shows; nothing else may.
_MEASURE = """
(minimum) => {
  const width = document.documentElement.clientWidth;
  const name = (el) => {
    const text = (el.innerText || el.value || el.getAttribute("aria-label") || "").trim();
    const kind = el.getAttribute("class");
    return `${el.tagName.toLowerCase()}${kind ? "." + kind : ""} "${text.slice(0, 40)}"`;
  };
  const scrolls = (el) => {
    for (let up = el.parentElement; up; up = up.parentElement) {
      const style = getComputedStyle(up);
      if (style.overflowX === "auto" || style.overflowX === "scroll") return true;
    }
    return false;
  };
  const shown = (el) => {
    const box = el.getBoundingClientRect();
    // Wholly left of the screen is hidden on purpose (a skip link until it has the focus).
    return box.width > 0 && box.height > 0 && box.right > 0
      && getComputedStyle(el).visibility !== "hidden";
  };
  const overflow = [];
  for (const el of document.body.querySelectorAll("*")) {
    if (!shown(el) || scrolls(el)) continue;
    const box = el.getBoundingClientRect();
    if (box.right > width + 1 || box.left < -1) {
      overflow.push(`${name(el)} spans ${Math.round(box.left)}..${Math.round(box.right)}`
        + ` of ${width}`);
    } else if (el instanceof HTMLElement  // an SVG drawing's parts have no such box
               && el.scrollWidth > el.clientWidth + 1 && el.clientWidth > 0
               && getComputedStyle(el).display !== "inline"
               && !["auto", "scroll"].includes(getComputedStyle(el).overflowX)) {
      overflow.push(`${name(el)} holds ${el.scrollWidth} px in ${el.clientWidth}`);
    }
  }
  const small = [];
  const targets = "button, a.button, input:not([type=hidden]), select, textarea, summary";
  for (const el of document.querySelectorAll(targets)) {
    if (!shown(el)) continue;
    // a box inside its label is tapped anywhere on the label: the label is the target
    const box = (el.closest("label") || el).getBoundingClientRect();
    if (box.height < minimum || box.width < minimum) {
      small.push(`${name(el)} ${Math.round(box.width)}x${Math.round(box.height)}`);
    }
  }
  return {
    page: [document.documentElement.scrollWidth, width],
    overflow,
    small,
    font_px: parseFloat(getComputedStyle(document.body).fontSize),
  };
}
"""


async def measure(tab: Tab, minimum: int = TAP_TARGET_PX) -> dict[str, Any]:
    return dict(await tab.evaluate(_MEASURE, minimum))


async def layout_problems(tab: Tab, *, tap_targets: bool = True) -> list[str]:
    """Everything wrong with the page on screen now ([] when nothing is)."""
    found = await measure(tab)
    problems = list(found["overflow"])
    scroll_width, width = found["page"]
    if scroll_width > width:
        problems.insert(0, f"the page scrolls sideways: {scroll_width} px wide on {width}")
    if tap_targets:
        problems += [f"tap target under {TAP_TARGET_PX} px: {small}" for small in found["small"]]
    return problems


async def double_the_font_size(tab: Tab) -> None:
    """Set the browser's default font size to 32 px (from 16), as a person does in the
    browser's settings, and reload the page (Chromium's DevTools protocol)."""

    async def set_sizes(page: Any) -> None:
        devtools = await page.context.new_cdp_session(page)
        await devtools.send("Page.enable")
        await devtools.send("Page.setFontSizes", {"fontSizes": {"standard": 32, "fixed": 26}})
        await page.reload()

    await tab.do(set_sizes)

"""A real browser for the tests: Debian's chromium, driven by Playwright, headless.

Nothing is downloaded at run time: the browser is the system's (`apt-get install chromium`),
never one `playwright install` fetches. Outside CI a missing browser skips loudly; with
CI=true it fails.
"""

from __future__ import annotations

import os
import shutil
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

import pytest

try:
    import playwright
    from playwright.sync_api import Browser, Locator, Page, Route, expect, sync_playwright
except ImportError:  # pragma: no cover - reported by `_chromium`
    playwright = None
    Browser = Locator = Page = Route = expect = sync_playwright = None  # type: ignore[assignment,misc]

# How long one page may take to load and render, in milliseconds (Playwright's unit).
page_timeout_ms = 60_000
# How long an `expect` waits for the page to show what it should, in milliseconds:
# Playwright's 5 s default is too short for a photo decoded on a machine whose cores are busy.
expect_timeout_ms = 20_000


def _missing(why: str) -> None:
    if os.environ.get("CI") == "true":
        pytest.fail(f"{why} (CI=true: the browser test may not be skipped)")
    pytest.skip(why)


def _chromium() -> str:
    if playwright is None:
        _missing("the playwright package is missing: scripts/bootstrap installs it (.[dev])")
    driver = Path(playwright.__file__).parent / "driver" / "node"
    if not driver.exists():
        _missing(f"playwright's node driver is missing ({driver}): reinstall playwright")
    path = shutil.which("chromium")
    if path is None:
        _missing("the browser test needs Debian's chromium: apt-get install chromium")
    assert path is not None
    return path


@contextmanager
def launched_chromium() -> Iterator[Browser]:
    """Debian's chromium, headless, for as long as the `with` lasts."""
    executable = _chromium()
    expect.set_options(timeout=expect_timeout_ms)
    with sync_playwright() as p:
        launched = p.chromium.launch(
            executable_path=executable, headless=True, args=["--no-sandbox"]
        )
        try:
            yield launched
        finally:
            launched.close()


@pytest.fixture
def browser() -> Iterator[Browser]:
    with launched_chromium() as launched:
        yield launched


def fits_its_window(page: Page) -> None:
    """The page is no wider than its window: wide tables scroll in their own box. Measured
    against the window's width as set, not `innerWidth`: a phone's layout viewport widens
    to fit what overflows, so the page would always seem to fit it. Measured once the page
    has loaded: an element can be in the document before its stylesheet is, and a layout
    taken then is the unstyled page's."""
    page.wait_for_load_state("load")
    wide = page.evaluate("document.documentElement.scrollWidth")
    size = page.viewport_size
    assert size is not None, "the page's window has no size set"
    assert wide <= size["width"], f"the page is {wide} px wide in a {size['width']} px window"


def seen_without_scrolling(page: Page, locator: Locator) -> None:
    """`locator` lies wholly inside the window's width as the page is laid out: a phone's user
    sees it without scrolling a table sideways (its box's left and right edges, measured
    against the window's width as set)."""
    page.wait_for_load_state("load")
    box = locator.bounding_box()
    size = page.viewport_size
    assert box is not None, f"{locator} is not laid out"
    assert size is not None, "the page's window has no size set"
    assert box["x"] >= 0 and box["x"] + box["width"] <= size["width"], (
        f"{locator} spans {box['x']:.0f}-{box['x'] + box['width']:.0f} px"
        f" of a {size['width']} px window"
    )


def loopback_only(page: Page, url: str, refused: list[str]) -> None:
    """Every request that leaves the server at `url` is refused, and noted in `refused`."""

    def route(r: Route) -> None:
        if r.request.url.startswith(url + "/"):
            r.continue_()
        else:
            refused.append(r.request.url)
            r.abort()

    page.route("**/*", route)


__all__ = [
    "Browser", "Page", "browser", "expect", "launched_chromium", "loopback_only", "page_timeout_ms",
]  # fmt: skip

"""The web page in a real browser: Debian's chromium, driven by Playwright, headless.

Nothing is downloaded at run time: the browser is the system's (`apt-get install chromium`),
never one `playwright install` fetches, and every request that leaves the server is refused,
so the Swagger UI page must render from the assets Colony serves itself. Outside CI a missing
browser skips loudly; with CI=true it fails.
"""

from __future__ import annotations

import re
from collections.abc import Iterator
from pathlib import Path

import pytest

from tests.browser import Browser, expect, loopback_only, page_timeout_ms
from tests.cli.demo_server import DemoServer, demo_server


@pytest.fixture
def server(tmp_path: Path) -> Iterator[DemoServer]:
    with demo_server(tmp_path / "demo.db") as running:
        yield running


def test_the_page_shows_colony_alive_and_links_to_the_api_docs(
    browser: Browser, server: DemoServer
) -> None:
    page = browser.new_page()
    page.set_default_timeout(page_timeout_ms)
    refused: list[str] = []
    loopback_only(page, server.url, refused)

    page.goto(server.url + "/")
    expect(page).to_have_title("Colony")
    expect(page.get_by_role("heading", level=1)).to_have_text(re.compile("Colony is running"))
    expect(page.locator("#version")).to_have_text(re.compile(r"^\d+\.\d+\.\d+"))
    expect(page.locator("#wallets")).to_have_text("5")
    expect(page.locator("#merchants")).to_have_text("4")
    totals = page.locator("#totals tbody tr")
    expect(totals).to_have_count(4)  # SGD, EUR, and the cross-border stories' CNY and PHP
    expect(totals.filter(has_text="SGD").locator("td").last).to_have_text("yes")
    expect(totals.filter(has_text="€").locator("td").first).to_have_text("EUR")
    # Anyone may read the page: totals only, no payment and nothing a payer wrote.
    expect(page.locator("#payments")).to_have_count(0)
    expect(page.locator("body")).not_to_contain_text("reindeer mug")
    expect(page.locator("body")).not_to_contain_text("Aurora Gifts")

    page.get_by_role("link", name="API documentation").click()
    expect(page).to_have_url(server.url + "/docs")
    expect(page).to_have_title("Colony - Swagger UI")
    # Rendered by Swagger UI's script from /openapi.json: the assets were served locally.
    expect(page.locator(".swagger-ui .info .title")).to_contain_text("Colony")
    expect(page.locator(".opblock-summary-path", has_text="/v1/payments").first).to_be_visible()
    assert refused == [], f"the pages asked for something off the server: {refused}"
    page.close()

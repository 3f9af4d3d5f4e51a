"""The demo's Alice in a real browser (Debian's chromium, headless): seeded with her weeks of
wages and spending (cli/demo_history.py), she agrees to be scored on the Credit screen and
the shipped scorecard offers her credit; she opens the pay-later line there, and takes out a
cash loan on the Loans screen. On a phone-sized and a desktop window (screenshots kept in
$COLONY_SCREENSHOTS when set)."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import httpx
import pytest

from colony.cli import demo_data
from colony.cli.serve import build_context
from colony.kernel.clock import ManualClock
from tests.api.test_wallet_api import on_loopback
from tests.browser import Browser, expect
from tests.credit.test_line_browser import _page
from tests.web.test_app_browser import DESKTOP, PHONE, _shot
from tests.web.visitor import Visitor, code_sent_to, visitor_for

PIN = "482915"


@pytest.fixture
def demo(tmp_path: Path) -> Iterator[httpx.Client]:
    """The demo seeded into a new database, served on loopback."""
    clock = ManualClock()
    ctx = build_context(f"sqlite:///{tmp_path}/demo.db", clock=clock)
    demo_data.seed(ctx)
    with on_loopback(ctx) as api:
        yield api


def _alice(api: httpx.Client) -> Visitor:
    """Alice signed in on a new phone: her texted code, then a PIN of her choosing."""
    alice = visitor_for(api)
    phone = demo_data.ALICE.phone
    sent = alice.post("/app/signin", {"phone": phone})
    assert sent.headers.get("location") == "/app/signin/code", sent.text[:500]
    proved = alice.post("/app/signin/code", {"code": code_sent_to(api, phone)})
    if proved.headers.get("location") == "/app/pin/new":
        pinned = alice.post("/app/pin/new", {"pin": PIN, "pin_again": PIN})
        assert pinned.headers.get("location") == "/app", pinned.text[:500]
    else:
        assert proved.headers.get("location") == "/app/signin/pin", proved.headers
        assert alice.post("/app/signin/pin", {"pin": PIN}).headers.get("location") == "/app"
    return alice


@pytest.mark.parametrize(("window", "name"), [(PHONE, "phone"), (DESKTOP, "desktop")])
def test_the_demos_alice_is_offered_the_line_and_a_loan(
    browser: Browser, demo: httpx.Client, tmp_path: Path, window: dict[str, object], name: str
) -> None:
    url = str(demo.base_url).rstrip("/")
    alice = _alice(demo)
    page = _page(browser, url, alice, window)
    page.goto(url + "/app/credit")
    page.get_by_test_id("consent").click()
    expect(page.get_by_test_id("band")).not_to_have_text("Declined")
    expect(page.get_by_text("Credit you could be offered:")).to_be_visible()
    _shot(page, tmp_path, f"{name}-demo-alice-offered")
    page.get_by_test_id("open-line").click()
    expect(page.get_by_test_id("line-state")).to_have_text("Open")
    expect(page.get_by_test_id("line-limit")).not_to_have_text("SGD 0.00")
    _shot(page, tmp_path, f"{name}-demo-alice-line")

    page.goto(url + "/app/loans")
    expect(page.get_by_test_id("needs-consent")).to_have_count(0)
    page.get_by_test_id("amount").fill("300")
    page.get_by_test_id("apply").click()
    expect(page.get_by_test_id("error")).to_have_count(0)
    expect(page.get_by_test_id("loan-status")).to_have_text("Open")
    _shot(page, tmp_path, f"{name}-demo-alice-loan")

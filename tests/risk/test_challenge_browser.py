"""A challenge of risk control's answered with the PIN in the wallet app, in a real browser
against `colony serve --demo`: a risk analyst makes the new-payee rule challenge every
payment to a shop the wallet never paid; a newcomer pays the hawker, is asked for the PIN,
types a wrong one (told how many tries are left before the lock, and for how long), then
the right one, and is paid; the next payment to the same shop is not challenged (the payee
is known once paid). On a phone window, with axe-core's checks and the CSP in force."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pyotp
import pytest

from tests.browser import Browser, expect, launched_chromium
from tests.cli.demo_server import DemoServer, demo_server
from tests.risk.test_console_risk_browser import RITA, RITA_PASSWORD, _analyst, _rule
from tests.web.test_app_browser import (
    DESKTOP,
    PHONE,
    _accessible,
    _code_photo,
    _hawker,
    _shot,
    _wallet_with_money,
    _watched,
)
from tests.web.test_console_browser import signed_in

NEWCOMER, PIN = "+6581239999", "592730"


@pytest.fixture(scope="module")
def server(tmp_path_factory: pytest.TempPathFactory) -> Iterator[DemoServer]:
    database = tmp_path_factory.mktemp("risk-challenge") / "demo.db"
    with demo_server(database) as running:
        yield running


@pytest.fixture(scope="module")
def chromium() -> Iterator[Browser]:
    with launched_chromium() as launched:
        yield launched


def test_a_challenged_payment_is_paid_with_the_pin_after_a_wrong_one(
    chromium: Browser, server: DemoServer, tmp_path: Path
) -> None:
    secret = _analyst(server)
    console_context = chromium.new_context(**DESKTOP, locale="en-GB")
    console = console_context.new_page()
    signed_in(console, server, RITA, RITA_PASSWORD, pyotp.TOTP(secret).now())
    console.goto(server.url + "/console/risk")
    _rule(console, "new_payee", "0", "active")  # challenge: any amount to a new payee
    expect(console.get_by_role("heading", name="Rules, version 2")).to_be_visible()
    console_context.close()

    context = chromium.new_context(**PHONE, locale="en-GB")
    page = context.new_page()
    refused, errors = _watched(page, server)
    _wallet_with_money(page, server, NEWCOMER, "Siti Nur", PIN)

    photo = _code_photo(server, tmp_path, _hawker(server), 350)
    page.get_by_role("link", name="Pay", exact=True).click()
    page.locator("#photo").set_input_files(photo)
    expect(page.get_by_role("heading", level=1)).to_have_text("Pay Hawker Chan")
    expect(page.get_by_label("PIN")).to_have_count(0)  # below the no-PIN limit
    page.get_by_role("button", name="Pay", exact=True).click()
    expect(page.get_by_role("alert")).to_have_text("Confirm this payment with your PIN.")
    _accessible(page)
    _shot(page, tmp_path, "phone-pay-challenged")
    page.get_by_label("PIN").fill("000001")
    page.get_by_role("button", name="Pay", exact=True).click()
    expect(page.get_by_role("alert")).to_have_text(
        "That PIN is wrong: 4 tries left before a 15-minute lock."
    )
    _shot(page, tmp_path, "phone-pay-wrong-pin")
    page.get_by_label("PIN").fill(PIN)
    page.get_by_role("button", name="Pay", exact=True).click()
    expect(page.get_by_role("heading", level=1)).to_have_text("Paid Hawker Chan")
    expect(page.get_by_test_id("receipt")).to_contain_text("SGD 3.50")

    # The hawker is a known payee now: paying again asks for nothing more.
    page.get_by_role("link", name="Pay", exact=True).click()
    page.locator("#photo").set_input_files(photo)
    page.get_by_role("button", name="Pay", exact=True).click()
    expect(page.get_by_role("heading", level=1)).to_have_text("Paid Hawker Chan")
    page.get_by_role("link", name="Home").click()
    expect(page.get_by_test_id("balance")).to_have_text("SGD 43.01")  # 50.01 - 2 x 3.50
    assert refused == errors == [], (refused, errors)
    context.close()

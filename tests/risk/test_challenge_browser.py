"""A challenge of risk control's answered with the PIN in the wallet app, in a real browser
against `colony serve --demo`: a risk analyst makes the new-payee rule challenge every
payment to a shop the wallet never paid; a newcomer pays the hawker, is asked for the PIN,
types a wrong one (told how many tries are left before the lock, and for how long), then
the right one, and is paid; the next payment to the same shop is not challenged (the payee
is known once paid). Another newcomer's first withdrawal to the bank is challenged by the
same rule and made with the PIN the Withdraw screen asks for (docs/adr/0063). On a phone
window, with axe-core's checks and the CSP in force."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pyotp
import pytest

from tests.browser import Browser, Page, expect, launched_chromium
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
SAVER = "+6581238888"
Newcomer = tuple[Page, list[str], list[str]]


@pytest.fixture(scope="module")
def server(tmp_path_factory: pytest.TempPathFactory) -> Iterator[DemoServer]:
    database = tmp_path_factory.mktemp("risk-challenge") / "demo.db"
    with demo_server(database) as running:
        yield running


@pytest.fixture(scope="module")
def chromium() -> Iterator[Browser]:
    with launched_chromium() as launched:
        yield launched


@pytest.fixture(scope="module")
def challenging(chromium: Browser, server: DemoServer) -> None:
    """A risk analyst makes the new-payee rule challenge any amount to a new payee (a shop
    or a bank the wallet never paid), in the console."""
    secret = _analyst(server)
    console_context = chromium.new_context(**DESKTOP, locale="en-GB")
    console = console_context.new_page()
    signed_in(console, server, RITA, RITA_PASSWORD, pyotp.TOTP(secret).now())
    console.goto(server.url + "/console/risk")
    _rule(console, "new_payee", "0", "active")  # challenge: any amount to a new payee
    expect(console.get_by_role("heading", name="Rules, version 2")).to_be_visible()
    console_context.close()


def _newcomer(chromium: Browser, server: DemoServer, phone: str, name: str) -> Newcomer:
    """A newcomer's phone window (closed with `page.context`) on a wallet holding SGD 50.01,
    its refusals and script errors watched."""
    context = chromium.new_context(**PHONE, locale="en-GB")
    page = context.new_page()
    refused, errors = _watched(page, server)
    _wallet_with_money(page, server, phone, name, PIN)
    return page, refused, errors


@pytest.mark.usefixtures("challenging")
def test_a_challenged_payment_is_paid_with_the_pin_after_a_wrong_one(
    chromium: Browser, server: DemoServer, tmp_path: Path
) -> None:
    page, refused, errors = _newcomer(chromium, server, NEWCOMER, "Siti Nur")

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
    # The photo is decoded on the phone: the payment's screen shows once it is.
    expect(page.get_by_role("heading", level=1)).to_have_text("Pay Hawker Chan")
    page.get_by_role("button", name="Pay", exact=True).click()
    expect(page.get_by_role("heading", level=1)).to_have_text("Paid Hawker Chan")
    page.get_by_role("link", name="Home").click()
    expect(page.get_by_test_id("balance")).to_have_text("SGD 43.01")  # 50.01 - 2 x 3.50
    assert refused == errors == [], (refused, errors)
    page.context.close()


@pytest.mark.usefixtures("challenging")
def test_a_challenged_withdrawal_is_made_with_the_pin_the_screen_asks_for(
    chromium: Browser, server: DemoServer, tmp_path: Path
) -> None:
    page, refused, errors = _newcomer(chromium, server, SAVER, "Tan Wei")
    page.goto(server.url + "/app")
    page.get_by_role("link", name="Withdraw to your bank").click()
    page.get_by_label("Amount in SGD").fill("20")
    page.get_by_label("PIN").fill("000001")
    page.get_by_role("button", name="Withdraw").click()
    expect(page.get_by_role("alert")).to_have_text(
        "That PIN is wrong: 4 tries left before a 15-minute lock."
    )
    _accessible(page)
    # The bank is a new payee, so risk control challenges: the PIN typed answers it.
    page.get_by_label("PIN").fill(PIN)
    page.get_by_role("button", name="Withdraw").click()
    expect(page.get_by_role("heading", level=1)).to_have_text("Withdrawal")
    expect(page.get_by_test_id("movement-status")).to_have_text("Waiting for the bank")
    _shot(page, tmp_path, "phone-withdrawal-challenged")
    page.get_by_role("link", name="Home").click()
    expect(page.get_by_test_id("available")).to_have_text("SGD 30.01")  # 50.01 - 20 held
    expect(page.get_by_test_id("activity")).to_contain_text("Withdrawal pending")
    _accessible(page)
    assert refused == errors == [], (refused, errors)
    page.context.close()

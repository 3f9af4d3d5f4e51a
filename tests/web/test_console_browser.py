"""The operator console's journey in a real browser, against `colony serve --demo`: staff
sign in with a password and a TOTP code, find a wallet by its number, freeze it with a reason,
see its payment refused, unfreeze it, read both actions in the audit log and see the payments
drawn live; on a desktop window, and on a phone a wallet and a merchant's page with its
payouts, the merchant suspended and reinstated; with screenshots, axe-core's checks and the
page's CSP in force."""

from __future__ import annotations

import re
import time
from collections.abc import Iterator
from pathlib import Path

import httpx
import pyotp
import pytest

from tests.browser import Browser, Page, expect, seen_without_scrolling
from tests.cli.demo_server import DemoServer, demo_server
from tests.web.test_app_browser import DESKTOP, PHONE, _accessible, _shot, _watched

ALICE = "+6591234567"  # the demo's wallet whose token the demo prints


@pytest.fixture(scope="module")
def server(tmp_path_factory: pytest.TempPathFactory) -> Iterator[DemoServer]:
    with demo_server(tmp_path_factory.mktemp("console") / "demo.db") as running:
        yield running


def _staff(server: DemoServer) -> tuple[str, str, str]:
    """The demo staff member's email, password and TOTP secret, as the demo printed them."""
    found = re.search(r"as (\S+@\S+), password (\S+)", server.output)
    secret = re.search(r"TOTP secret:\s+([A-Z2-7]+)", server.output)
    assert found and secret, server.output
    return found.group(1), found.group(2), secret.group(1)


def signed_in(page: Page, server: DemoServer, email: str, password: str, code: str) -> None:
    """Sign in to the console: the email and password, then the authenticator's code."""
    page.goto(server.url + "/console/signin")
    page.get_by_label("Email").fill(email)
    page.get_by_label("Password").fill(password)
    page.get_by_role("button", name="Continue").click()
    page.get_by_label("Code").fill(code)
    page.get_by_role("button", name="Sign in").click()
    expect(page).to_have_url(server.url + "/console")


def _pay(server: DemoServer, key: str) -> httpx.Response:
    """Alice pays the hawker's code SGD 1.00 with her printed wallet token."""
    hawker = {"Authorization": f"Bearer {server.secret('mk_')}"}
    code = httpx.get(f"{server.url}/v1/merchants/me/qr_code", headers=hawker).json()
    return httpx.post(
        f"{server.url}/v1/payments",
        json={"payload": code["payload"], "amount_minor": 100},
        headers={"Authorization": f"Bearer {server.secret('wtok_')}", "Idempotency-Key": key},
    )


def test_staff_freeze_a_wallet_see_its_payment_refused_and_unfreeze_it(
    browser: Browser, server: DemoServer, tmp_path: Path
) -> None:
    email, password, secret = _staff(server)
    context = browser.new_context(**DESKTOP, locale="en-GB")
    page = context.new_page()
    refused, errors = _watched(page, server)

    page.goto(server.url + "/console")
    expect(page).to_have_url(server.url + "/console/signin")
    _accessible(page)
    page.get_by_label("Email").fill(email)
    page.get_by_label("Password").fill(password)
    page.get_by_role("button", name="Continue").click()
    page.get_by_label("Code").fill("000000" if pyotp.TOTP(secret).now() != "000000" else "111111")
    page.get_by_role("button", name="Sign in").click()
    expect(page.get_by_role("alert")).to_be_visible()  # a wrong code is refused
    page.get_by_label("Code").fill(pyotp.TOTP(secret).now())
    page.get_by_role("button", name="Sign in").click()
    expect(page).to_have_url(server.url + "/console")

    page.get_by_role("link", name="Wallets").click()
    page.get_by_label("Find a wallet by phone number or id").fill("+65 9123 4567")
    page.get_by_role("button", name="Find").click()
    expect(page.get_by_test_id("details")).to_contain_text(ALICE)
    expect(page.get_by_test_id("status")).to_have_text("active")
    _accessible(page)
    _shot(page, tmp_path, "desktop-console-wallet")

    page.get_by_label("Reason (the audit log keeps it)").fill("Card reported stolen by holder")
    page.get_by_role("button", name="Freeze").click()
    expect(page.get_by_test_id("status")).to_have_text("frozen")
    expect(page.get_by_test_id("freeze-reason")).to_have_text("Card reported stolen by holder")
    frozen = _pay(server, "while-frozen")
    assert frozen.status_code == 409 and frozen.json()["error"]["code"] == "wallet_frozen"

    page.get_by_label("Reason (the audit log keeps it)").fill("Holder found the card")
    page.get_by_role("button", name="Unfreeze").click()
    expect(page.get_by_test_id("status")).to_have_text("active")
    assert _pay(server, "after-unfreeze").status_code == 201

    page.get_by_role("link", name="Audit log").click()
    log = page.locator("main")
    expect(log).to_contain_text("Card reported stolen by holder")
    expect(log).to_contain_text("Holder found the card")
    _accessible(page)
    _shot(page, tmp_path, "desktop-console-audit")

    # Live: the payments just made, drawn by uPlot from the event stream, and in the table.
    page.get_by_role("link", name="Live").click()
    expect(page.get_by_test_id("chart").locator("canvas")).to_be_visible()
    expect(page.get_by_test_id("live-totals")).to_contain_text("SGD")
    _accessible(page)
    _shot(page, tmp_path, "desktop-console-live")
    assert refused == [] and errors == [], (refused, errors)
    context.close()


def test_the_console_on_a_phone_sized_window(
    browser: Browser, server: DemoServer, tmp_path: Path
) -> None:
    email, password, secret = _staff(server)
    context = browser.new_context(**PHONE)
    page = context.new_page()
    refused, errors = _watched(page, server)
    # Each TOTP code is taken once, and none older than the last: the next step's code
    # (accepted a step early, as clocks drift) is newer than the one the other test used.
    signed_in(page, server, email, password, pyotp.TOTP(secret).at(time.time() + 30))
    page.goto(server.url + "/console/wallets?q=%2B6591234567")
    expect(page.get_by_test_id("details")).to_contain_text(ALICE)
    _shot(page, tmp_path, "phone-console-wallet")
    page.goto(server.url + "/console/merchants?q=Hawker")
    # Each merchant found a card on a phone: its currency in sight, not off to the right.
    found = page.get_by_test_id("merchants").get_by_role("row").filter(has_text="Hawker")
    seen_without_scrolling(page, found.get_by_role("cell").last)
    page.get_by_test_id("merchants").get_by_role("link").first.click()
    expect(page.get_by_role("heading", name="Payouts")).to_be_visible()
    expect(page.get_by_label("Through the funding partner")).to_be_visible()
    _accessible(page)
    _shot(page, tmp_path, "phone-console-merchant")
    # Suspended (docs/adr/0114): its payers are refused until it is reinstated.
    page.get_by_label("Reason (the audit log keeps it)").fill("Acquirer reports card testing")
    page.get_by_role("button", name="Suspend").click()
    expect(page.get_by_test_id("status")).to_have_text("suspended")
    expect(page.get_by_test_id("suspension-reason")).to_have_text("Acquirer reports card testing")
    _accessible(page)
    _shot(page, tmp_path, "phone-console-merchant-suspended")
    stopped = _pay(server, "while-suspended")
    assert stopped.status_code == 409 and stopped.json()["error"]["code"] == "merchant_suspended"
    page.get_by_label("Reason (the audit log keeps it)").fill("Cleared by the acquirer")
    page.get_by_role("button", name="Reinstate").click()
    expect(page.get_by_test_id("status")).to_have_text("active")
    assert _pay(server, "after-reinstating").status_code == 201
    assert refused == [] and errors == [], (refused, errors)
    context.close()

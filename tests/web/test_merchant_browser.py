"""The merchant portal in a real browser (Debian's chromium, headless), against
`colony serve --demo` as a newcomer runs it: the hawker stall's owner signs in with the
texted code and chooses a password, opens the QR poster, watches a payment made through the
API arrive on the home screen by itself, and refunds part of it; on a desktop and a
phone-sized window, with screenshots, axe-core's checks and the page's own CSP in force."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import httpx
import pytest

from tests.browser import Browser, Page, expect, fits_its_window, seen_without_scrolling
from tests.cli.demo_server import DemoServer, demo_server
from tests.web.test_app_browser import DESKTOP, PHONE, _accessible, _code, _shot, _watched

OWNER = "+6590008888"  # the demo's hawker stall's owner (cli/demo_data.py)
PASSWORD = "chicken rice 1963"


@pytest.fixture(scope="module")
def server(tmp_path_factory: pytest.TempPathFactory) -> Iterator[DemoServer]:
    with demo_server(tmp_path_factory.mktemp("merchant") / "demo.db") as running:
        yield running


def _signed_in(page: Page, server: DemoServer, *, first: bool) -> None:
    page.goto(server.url + "/merchant")
    expect(page).to_have_url(server.url + "/merchant/signin")
    page.get_by_label("Phone number or email").fill("+65 9000 8888")
    page.get_by_role("button", name="Send me a code").click()
    page.get_by_label("Code").fill(_code(server, OWNER))
    page.get_by_role("button", name="Continue").click()
    if first:
        page.get_by_label("Password", exact=True).fill(PASSWORD)
        page.get_by_label("The same password again").fill(PASSWORD)
        page.get_by_role("button", name="Set password and sign in").click()
    else:
        page.get_by_label("Password", exact=True).fill(PASSWORD)
        page.get_by_role("button", name="Sign in").click()
    expect(page).to_have_url(server.url + "/merchant")


def _drawn(page: Page, test_id: str) -> None:
    """The image has loaded, and is a code's size (not a broken image's)."""
    page.wait_for_function(
        f"() => {{ const img = document.querySelector('[data-testid={test_id}]');"
        " return img.complete && img.naturalWidth > 100; }"
    )


def _pay_through_the_api(server: DemoServer, amount_minor: int, key: str) -> str:
    """The demo's wallet pays the stall's static code: the payment's id."""
    wallet = {"Authorization": f"Bearer {server.secret('wtok_')}"}
    shop = {"Authorization": f"Bearer {server.secret('mk_')}"}
    payload = httpx.get(f"{server.url}/v1/merchants/me/qr_code", headers=shop).json()["payload"]
    paid = httpx.post(
        f"{server.url}/v1/payments", json={"payload": payload, "amount_minor": amount_minor},
        headers=wallet | {"Idempotency-Key": key},
    )  # fmt: skip
    assert paid.status_code == 201, paid.text
    return str(paid.json()["id"])


def test_the_owner_signs_in_sees_a_payment_arrive_and_refunds_part_of_it(
    browser: Browser, server: DemoServer, tmp_path: Path
) -> None:
    context = browser.new_context(**DESKTOP, locale="en-GB")
    page = context.new_page()
    refused, errors = _watched(page, server)

    _signed_in(page, server, first=True)
    expect(page.get_by_text("Hawker Chan · Chan Hon Meng (Owner)")).to_be_visible()
    _accessible(page)

    page.get_by_role("link", name="Poster").click()
    expect(page.get_by_role("heading", name="Hawker Chan")).to_be_visible()
    _drawn(page, "poster-qr")
    _accessible(page)
    _shot(page, tmp_path, "merchant-desktop-poster")
    page.emulate_media(media="print")
    expect(page.get_by_role("navigation")).to_be_hidden()
    page.emulate_media(media="screen")

    page.get_by_role("link", name="Today").click()
    expect(page.get_by_test_id("payment-rows")).to_be_visible()
    page.wait_for_timeout(500)  # the stream is open
    payment = _pay_through_the_api(server, 777, "browser-pay-1")
    row = page.locator(f"tr[data-id='{payment}']")
    expect(row).to_contain_text("7.77")  # arrived by itself: no reload
    _shot(page, tmp_path, "merchant-desktop-home")

    row.get_by_role("link").click()
    expect(page.get_by_role("heading", name="Payment", exact=True)).to_be_visible()
    page.get_by_label("Amount to give back").fill("2.00")
    page.get_by_label("Reason").fill("one kopi was missing")
    _accessible(page)
    page.get_by_role("button", name="Refund", exact=True).click()
    expect(page.get_by_test_id("status")).to_have_text("Partly refunded")
    expect(page.get_by_test_id("refunded")).to_contain_text("2.00")
    expect(page.get_by_text("one kopi was missing")).to_be_visible()
    _shot(page, tmp_path, "merchant-desktop-refund")
    assert refused == [] and errors == [], (refused, errors)
    context.close()


def test_the_owner_on_a_phone_charges_an_amount(
    browser: Browser, server: DemoServer, tmp_path: Path
) -> None:
    context = browser.new_context(**PHONE, locale="en-GB")
    page = context.new_page()
    refused, errors = _watched(page, server)
    page.goto(server.url + "/merchant")
    if page.url.endswith("/merchant/signin"):
        # The password is set by the first test when it ran before this one.
        first = "password/new" in _first_step(page, server)
        page.get_by_label("Password", exact=True).fill(PASSWORD)
        if first:
            page.get_by_label("The same password again").fill(PASSWORD)
        page.get_by_role("button", name="Set password and sign in" if first else "Sign in").click()
    expect(page).to_have_url(server.url + "/merchant")
    _accessible(page)
    _shot(page, tmp_path, "merchant-phone-home")
    # The payments, each a card on a phone: the page no wider than the phone.
    fits_its_window(page)
    page.get_by_role("link", name="Payments", exact=True).click()
    expect(page.get_by_test_id("payment-rows").get_by_role("row").first).to_be_visible()
    fits_its_window(page)
    _shot(page, tmp_path, "merchant-phone-payments")
    page.get_by_role("link", name="Charge").click()
    page.get_by_label("Amount (SGD)").fill("4.80")
    page.get_by_label("Order reference (optional)").fill("T12")
    page.get_by_role("button", name="Show the code").click()
    expect(page.get_by_test_id("payload")).to_contain_text("5404" + "4.80")
    _drawn(page, "charge-qr")
    _accessible(page)
    _shot(page, tmp_path, "merchant-phone-charge")
    page.get_by_role("link", name="Reports").click()
    expect(page.get_by_role("columnheader", name="Paid out")).to_be_attached()
    # Six columns scroll inside the table's own box: the page itself is no wider than the phone.
    fits_its_window(page)
    _accessible(page)
    _shot(page, tmp_path, "merchant-phone-reports")
    # The staff list: each person a card on a phone, their role and Remove in sight.
    page.get_by_role("link", name="Staff").click()
    page.get_by_label("Phone number").fill("+6590008809")
    page.get_by_label("Name").fill("Siti Nurhaliza binte Abdullah")
    page.get_by_label("Email (optional: they may sign in with a code mailed to it)").fill(
        "siti.nurhaliza@hawkerchan.example"
    )
    page.get_by_role("button", name="Add", exact=True).click()
    added = page.get_by_test_id("staff").get_by_role("row").filter(has_text="Siti Nurhaliza")
    expect(added).to_contain_text("not signed in yet")
    # Removing someone is asked twice: the first tap only opens what the second does.
    added.get_by_text("Remove", exact=True).click()
    remove = added.get_by_role("button", name="Remove Siti Nurhaliza binte Abdullah")
    expect(added.get_by_text("They are signed out at once.")).to_be_visible()
    for part in (added.get_by_text("Cashier"), remove):
        seen_without_scrolling(page, part)
    seen_without_scrolling(page, added.get_by_text("siti.nurhaliza@hawkerchan.example"))
    fits_its_window(page)
    _accessible(page)
    _shot(page, tmp_path, "merchant-phone-staff")
    remove.click()
    expect(page.get_by_test_id("staff")).not_to_contain_text("Siti Nurhaliza")
    assert refused == [] and errors == [], (refused, errors)
    context.close()


def _first_step(page: Page, server: DemoServer) -> str:
    """Number and code: where sign-in goes next (a new password, or the password)."""
    page.get_by_label("Phone number or email").fill(OWNER)
    page.get_by_role("button", name="Send me a code").click()
    page.get_by_label("Code").fill(_code(server, OWNER))
    page.get_by_role("button", name="Continue").click()
    page.wait_for_url(lambda url: "/merchant/signin/code" not in url)
    return page.url

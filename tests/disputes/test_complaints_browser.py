"""Complaints in a real browser (Debian's chromium, headless) against `colony serve --demo`:
a person pays the hawker from the app on a phone and complains about it from the receipt;
the stall's owner answers in the portal on a desktop; support staff see it in the console's
queue and on its page, and the dashboard counts what is overdue. Screenshots on a phone
(390x844) and a desktop (1280x800), axe-core's checks and the CSP in force."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pyotp
import pytest

from tests.browser import Browser, expect
from tests.cli.demo_server import DemoServer, demo_server
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
from tests.web.test_console_browser import _staff, signed_in
from tests.web.test_merchant_browser import _signed_in as owner_signed_in

PERSON = "+6581236666"
PIN = "592731"


@pytest.fixture(scope="module")
def server(tmp_path_factory: pytest.TempPathFactory) -> Iterator[DemoServer]:
    with demo_server(tmp_path_factory.mktemp("complaints") / "demo.db") as running:
        yield running


def test_a_person_complains_the_merchant_answers_and_staff_see_it(
    browser: Browser, server: DemoServer, tmp_path: Path
) -> None:
    # The person, on a phone: a wallet, money in, a payment, and a complaint about it.
    phone = browser.new_context(**PHONE, locale="en-GB", timezone_id="Asia/Singapore")
    page = phone.new_page()
    refused, errors = _watched(page, server)
    _wallet_with_money(page, server, PERSON, "Mei Tan", PIN)
    page.get_by_role("link", name="Pay", exact=True).click()
    page.locator("#photo").set_input_files(_code_photo(server, tmp_path, _hawker(server), 1250))
    page.get_by_role("button", name="Pay", exact=True).click()
    expect(page.get_by_role("heading", level=1)).to_have_text("Paid Hawker Chan")

    page.get_by_role("link", name="Complain about this payment").click()
    expect(page.get_by_role("heading", level=1)).to_have_text("Complain about a payment")
    page.get_by_role(
        "button", name="Send the complaint"
    ).click()  # nothing chosen: the browser stops it
    expect(page.get_by_role("heading", level=1)).to_have_text("Complain about a payment")
    page.get_by_label("Not as described").check()
    page.get_by_label("What went wrong?").fill("The noodles were cold and the egg was missing.")
    _accessible(page)
    _shot(page, tmp_path, "phone-complaint-new")
    page.get_by_role("button", name="Send the complaint").click()
    expect(page.get_by_test_id("complaint-status")).to_have_text("Waiting for the merchant")
    expect(page.get_by_test_id("due")).to_be_visible()
    # A photo: a text file named as a picture is refused, a real PNG is kept and shown.
    fake = tmp_path / "receipt.png"
    fake.write_text("not a picture")
    page.locator("#photo").set_input_files(str(fake))
    page.get_by_role("button", name="Add the photo").click()
    expect(page.locator("#photo-error")).to_have_text("That file is not the picture it says it is.")
    page.locator("#photo").set_input_files(_code_photo(server, tmp_path, _hawker(server), 1250))
    page.get_by_role("button", name="Add the photo").click()
    expect(page.get_by_role("img", name="Photo 1")).to_be_visible()
    _accessible(page)
    _shot(page, tmp_path, "phone-complaint")
    page.get_by_role("link", name="Your complaints").click()
    expect(page.get_by_test_id("my-complaints").get_by_role("listitem")).to_have_count(1)
    _shot(page, tmp_path, "phone-complaints")
    page.get_by_role("link", name="Hawker Chan").click()

    # The stall's owner, at a desktop: the complaint, acknowledged with an answer.
    desk = browser.new_context(**DESKTOP, locale="en-GB", timezone_id="Asia/Singapore")
    portal = desk.new_page()
    portal_refused, portal_errors = _watched(portal, server)
    owner_signed_in(portal, server, first=True)
    portal.get_by_role("link", name="Complaints").click()
    expect(portal.get_by_test_id("complaint-status")).to_have_text("Waiting for the merchant")
    _accessible(portal)
    _shot(portal, tmp_path, "desktop-portal-complaints")
    portal.get_by_role("link", name="The noodles were cold").click()
    expect(portal.get_by_test_id("complaint-text")).to_contain_text("egg was missing")
    portal.get_by_label("Your answer to the customer").fill("Sorry! We are asking the cook.")
    portal.get_by_role("button", name="Acknowledge").click()
    expect(portal.get_by_test_id("complaint-status")).to_have_text("Acknowledged")
    expect(portal.get_by_test_id("history")).to_contain_text("asking the cook")
    _accessible(portal)
    _shot(portal, tmp_path, "desktop-portal-complaint")
    page.reload()
    expect(page.get_by_test_id("complaint-status")).to_have_text("Acknowledged")
    _shot(page, tmp_path, "phone-complaint-answered")
    expect(page.get_by_test_id("history")).to_contain_text("asking the cook")

    # Support staff, at a desktop and on a phone: the queue, the dashboard, the complaint.
    email, password, secret = _staff(server)
    staff = browser.new_context(**DESKTOP, locale="en-GB", timezone_id="Asia/Singapore")
    console = staff.new_page()
    console_refused, console_errors = _watched(console, server)
    signed_in(console, server, email, password, pyotp.TOTP(secret).now())
    expect(console.get_by_test_id("complaints-overdue")).to_contain_text("0 overdue")
    console.get_by_role("link", name="Complaints").first.click()
    expect(console.get_by_test_id("queue").get_by_test_id("complaint-status")).to_have_text(
        "Acknowledged"
    )
    _accessible(console)
    _shot(console, tmp_path, "desktop-console-queue")
    console.get_by_test_id("queue").get_by_role("link").first.click()
    expect(console.get_by_test_id("complaint-text")).to_contain_text("noodles were cold")
    expect(console.get_by_test_id("history")).to_contain_text("asking the cook")
    _accessible(console)
    _shot(console, tmp_path, "desktop-console-complaint")
    complaint_url = console.url
    console.goto(server.url + "/console/complaints/figures")
    expect(console.get_by_test_id("rates")).to_contain_text("Hawker Chan")
    _shot(console, tmp_path, "desktop-console-figures")
    staff_phone = browser.new_context(**PHONE, locale="en-GB", storage_state=staff.storage_state())
    small = staff_phone.new_page()
    small_refused, small_errors = _watched(small, server)
    small.goto(complaint_url)
    _accessible(small)
    _shot(small, tmp_path, "phone-console-complaint")
    portal_phone = browser.new_context(**PHONE, locale="en-GB", storage_state=desk.storage_state())
    portal_small = portal_phone.new_page()
    _watched(portal_small, server)
    portal_small.goto(portal.url)
    _accessible(portal_small)
    _shot(portal_small, tmp_path, "phone-portal-complaint")
    for got in (refused, errors, portal_refused, portal_errors, console_refused, console_errors,
                small_refused, small_errors):  # fmt: skip
        assert got == []

"""The credit line in a real browser (Debian's chromium, headless): a person opens a line on
the Credit screen, pays a hawker's QR code with it, sees the bill made on the 1st, and repays
from the balance; the console's wallet page shows the line and its bill. Screenshots on a
phone-sized and a desktop window (kept in $COLONY_SCREENSHOTS when set)."""

from __future__ import annotations

import datetime as dt
from pathlib import Path

from colony.credit import LineService
from colony.kernel.clock import NS_PER_S, ns_from_utc, utc_from_ns
from colony.merchants.service import OnboardResult
from colony.staff import Role
from colony.wallets.results import WalletResult
from tests.api.test_funding_api import Served
from tests.browser import Browser, Page, expect, loopback_only, page_timeout_ms
from tests.web.test_app_browser import DESKTOP, PHONE, _shot
from tests.web.test_console_pages import _signed_in, _staff
from tests.web.visitor import Visitor, code_sent_to, signed_up, visitor_for

PERSON = "+6591110003"


def _page(browser: Browser, url: str, person: Visitor, window: dict[str, object]) -> Page:
    """A window signed in as the person (the session their sign-up made)."""
    context = browser.new_context(**window, locale="en-GB")  # type: ignore[arg-type]
    context.add_cookies(
        [{"name": c.name, "value": c.value or "", "url": url} for c in person.client.cookies.jar]
    )
    page = context.new_page()
    page.set_default_timeout(page_timeout_ms)
    refused: list[str] = []
    loopback_only(page, url, refused)
    return page


def test_open_pay_with_the_line_see_the_bill_and_repay(
    browser: Browser, served_at: Served, tmp_path: Path
) -> None:
    api, ctx, clock = served_at
    url = str(api.base_url).rstrip("/")
    signed_up(visitor_for(api), api, PERSON)
    (wallet,) = ctx.wallet_store.of_phone(PERSON)
    assert ctx.wallets.verify_identity(wallet.id) is WalletResult.ok
    for _ in range(4):  # a month of pay coming in: the score has something to go on
        assert ctx.wallets.cash_in(PERSON, "SGD", 100_000).result is WalletResult.ok
        clock.advance(7 * 86_400)
    onboarded, hawker = ctx.merchants.onboard(
        "Hawker Chan Pte Ltd", "Hawker Chan", "5812", "SG", "Singapore", "SGD", 150
    )
    assert onboarded is OnboardResult.ok and hawker is not None
    person = visitor_for(api)  # a month on, signed in again
    sent = person.post("/app/signin", {"phone": PERSON})
    assert sent.headers.get("location") == "/app/signin/code", sent.text[:500]
    proved = person.post("/app/signin/code", {"code": code_sent_to(api, PERSON)})
    assert proved.headers.get("location") == "/app/signin/pin", proved.headers
    pinned = person.post("/app/signin/pin", {"pin": "482915"})
    assert pinned.headers.get("location") == "/app", pinned.text[:500]
    person.post("/app/credit/consent", {}, form_at="/app/credit")

    page = _page(browser, url, person, PHONE)
    page.goto(url + "/app/credit")
    page.get_by_label("Bills due on day").select_option("9")
    page.get_by_test_id("open-line").click()
    expect(page.get_by_test_id("line-state")).to_have_text("Open")
    expect(page.get_by_test_id("line-owed")).to_have_text("SGD 0.00")
    _shot(page, tmp_path, "phone-line-opened")

    # Pay the hawker's code for SGD 12.50 with the line.
    page.goto(url + "/app/pay")
    page.locator("#payload").fill(ctx.payments.merchant_qr(hawker, 12_50))
    page.get_by_role("button", name="Review").click()
    expect(page.get_by_role("heading", level=1)).to_have_text("Pay Hawker Chan")
    page.get_by_label("My credit line").check()
    _shot(page, tmp_path, "phone-pay-with-line")
    page.get_by_role("button", name="Pay", exact=True).click()
    expect(page.get_by_role("heading", level=1)).to_have_text("Paid Hawker Chan")
    page.goto(url + "/app/credit")
    expect(page.get_by_test_id("line-owed")).to_have_text("SGD 12.50")

    # The night of the 1st makes the bill.
    today = utc_from_ns(clock.now_ns()).date()
    first = (today.replace(day=1) + dt.timedelta(days=32)).replace(day=1)
    clock.set_ns(ns_from_utc(dt.datetime(first.year, first.month, 1, tzinfo=dt.UTC)) + NS_PER_S)
    ctx.service(LineService).run_day(first)
    page.reload()
    expect(page.get_by_test_id("bill-total")).to_have_text("SGD 12.50")
    _shot(page, tmp_path, "phone-line-bill")
    page.get_by_label("Amount in SGD").first.fill("12.50")
    page.get_by_test_id("repay").click()
    expect(page.get_by_test_id("line-owed")).to_have_text("SGD 0.00")
    expect(page.get_by_test_id("bill-unpaid")).to_have_text("SGD 0.00")
    # A plan asked for is said to be asked, then what the night made of it: nothing is left
    # unbilled to split here, so it is not made.
    page.locator("#plan-amount").fill("5,00")  # a decimal comma
    page.get_by_test_id("split").click()
    plans = page.get_by_test_id("line-plans")
    expect(plans).to_contain_text("SGD 5.00 in 3 months: asked; made tonight")
    clock.advance(86_400)
    ctx.service(LineService).run_day(first + dt.timedelta(days=1))
    page.reload()
    expect(plans).to_contain_text("SGD 5.00 in 3 months: not made: too little was left to split")
    _shot(page, tmp_path, "phone-line-plans")
    page.context.close()

    person.client.cookies.set("colony_lang", "zh_Hans")  # the same screen in Chinese
    chinese = _page(browser, url, person, PHONE)
    chinese.goto(url + "/app/credit")
    expect(chinese.get_by_role("heading", name="信用额度")).to_be_visible()
    _shot(chinese, tmp_path, "phone-line-zh")
    chinese.context.close()
    person.client.cookies.set("colony_lang", "en")

    desktop = _page(browser, url, person, DESKTOP)
    desktop.goto(url + "/app/credit")
    expect(desktop.get_by_test_id("line-bill")).to_be_visible()
    _shot(desktop, tmp_path, "desktop-line")
    desktop.context.close()

    staff = _signed_in(api, clock, _staff(ctx, Role.operations))
    console = staff.text(f"/console/wallets/{wallet.id}")
    assert "Credit line" in console and first.isoformat() in console

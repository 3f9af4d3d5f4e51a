"""Loans in a real browser, on a phone and a desktop: a person signed up in the app finds the
loans from home, sees the offers with their schedules, applies, sees the loan and what it
owes, and repays it early in full; staff read the console's portfolio with its vintage chart
and the lenders. Screenshots of each, and axe-core's checks."""

from __future__ import annotations

import datetime as dt
from pathlib import Path

import httpx
from playwright.sync_api import BrowserContext

from colony.api.context import ApiContext
from colony.credit import CreditLineResult, CreditScores, LineService, Subject
from colony.credit.scorecard import CHARACTERISTICS
from colony.kernel.clock import Clock, utc_from_ns
from colony.loans import Lenders
from colony.payments import Funding, PayResult
from colony.wallets import Wallet
from tests.api.test_funding_api import Served
from tests.browser import Browser, expect
from tests.credit.scorecards import hand_model
from tests.web.test_app_browser import DESKTOP, PHONE, _accessible, _shot
from tests.web.test_console_pages import _signed_in, _staff
from tests.web.visitor import Visitor, signed_up, visitor_for

MEI = "+6591110005"


def _cookies_into(context: BrowserContext, visitor: Visitor) -> None:
    """The visitor's session, signed in over HTTP, handed to the browser."""
    context.add_cookies([
        {"name": c.name, "value": c.value or "", "url": visitor.base_url}
        for c in visitor.client.cookies.jar
    ])  # fmt: skip


def _lending(ctx: ApiContext) -> None:
    ctx.service(CreditScores).model = hand_model(
        {c.name: (100, 100, 100) for c in CHARACTERISTICS[Subject.person]}
    )
    lenders = ctx.service(Lenders)
    assert lenders.add("harbour_bank", "SGD", 6_000)[0].name == "ok"
    assert lenders.fund("harbour_bank", "SGD", 100_000_00, "wire-1").name == "ok"


def test_apply_see_the_loan_repay_it_and_read_the_portfolio(
    browser: Browser, served_at: Served, tmp_path: Path
) -> None:
    api, ctx, clock = served_at
    _lending(ctx)
    person = visitor_for(api)
    signed_up(person, api, MEI)
    assert ctx.wallets.cash_in(MEI, "SGD", 1_000_00).result.name == "ok"
    (wallet,) = ctx.wallet_store.of_phone(MEI)
    ctx.service(CreditScores).give_consent(wallet)
    clock.advance(60)

    phone = browser.new_context(**PHONE, locale="en-GB")
    _cookies_into(phone, person)
    page = phone.new_page()
    page.goto(person.base_url + "/app")
    page.get_by_test_id("loans-link").click()
    expect(page.get_by_role("heading", name="Loans", exact=True)).to_be_visible()
    _accessible(page)
    _shot(page, tmp_path, "loans-offers-phone")
    page.get_by_test_id("product").select_option("cash_3m")
    page.get_by_test_id("method").select_option("schedule")
    page.get_by_test_id("amount").fill("500")
    page.get_by_test_id("apply").click()
    expect(page.get_by_test_id("loan-status")).to_have_text("Open")
    expect(page.get_by_test_id("still-owed")).to_contain_text("500.00")
    _accessible(page)
    _shot(page, tmp_path, "loans-open-phone")
    page.get_by_test_id("repay").click()
    expect(page.get_by_test_id("loan-status")).to_have_text("Repaid")
    _shot(page, tmp_path, "loans-repaid-phone")
    assert ctx.wallets.balance(wallet) == 1_000_01
    phone.close()
    desktop = browser.new_context(**DESKTOP, locale="en-GB")
    _cookies_into(desktop, person)
    page = desktop.new_page()
    page.goto(person.base_url + "/app/loans")
    page.locator("details summary").first.click()  # the repaid loan's schedule
    expect(page.get_by_test_id("loan-status")).to_have_text("Repaid")
    _accessible(page)
    _shot(page, tmp_path, "loans-desktop")
    desktop.close()

    _on_the_line(ctx, wallet, clock)
    staff = _signed_in(api, clock, _staff(ctx))
    for size, name in ((DESKTOP, "desktop"), (PHONE, "phone")):
        desk = browser.new_context(**size, locale="en-GB")
        _cookies_into(desk, staff)
        page = desk.new_page()
        page.goto(staff.base_url + "/console")
        page.get_by_role("link", name="Loans").click()
        expect(page.get_by_test_id("vintage-chart-cash")).to_be_visible()
        expect(page.get_by_test_id("vintage-chart-line")).to_be_visible()
        expect(page.get_by_test_id("book-line").get_by_test_id("outstanding")).to_contain_text(
            "80.00"
        )
        expect(page.get_by_test_id("buckets-line")).to_be_visible()
        expect(page.get_by_test_id("line-parts")).to_contain_text("80.00")
        expect(page.get_by_test_id("losses-line").get_by_test_id("provision")).to_contain_text(
            "0.80"  # 1% of the 80.00 the line lent, current
        )
        expect(page.get_by_test_id("available")).to_contain_text("100,000.00")
        _accessible(page)
        _shot(page, tmp_path, f"console-loans-{name}")
        desk.close()
    assert httpx.get(person.base_url + "/console/loans", follow_redirects=False).status_code == 303


def _on_the_line(ctx: ApiContext, wallet: Wallet, clock: Clock) -> None:
    """Mei opens a pay-later line, buys 80.00 at a hawker with it, and the night runs (its
    provision raised)."""
    lines = ctx.service(LineService)
    assert lines.open(wallet, 10)[0] is CreditLineResult.ok
    _, hawker = ctx.merchants.onboard(
        "Hawker Chan Pte Ltd", "Hawker Chan", "5812", "SG", "Singapore", "SGD", 150
    )
    assert hawker is not None
    code = ctx.payments.merchant_qr(hawker)
    paid = ctx.payments.pay_by_qr(MEI, "SGD", code, 80_00, 1 << 126 | 80,
                                  funding=Funding.credit_line)  # fmt: skip
    assert paid.result is PayResult.ok
    lines.run_day(utc_from_ns(clock.now_ns()).date() + dt.timedelta(days=1))

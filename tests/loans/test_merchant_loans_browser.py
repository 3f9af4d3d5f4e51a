"""A loan to a merchant in a real browser, on a phone and a desktop: the shop's owner finds
the loans in the portal's menu, sees the offer with its terms, takes it in one click and sees
the loan; a day's collection later the deduction shows on the loan and in the daily report;
staff see it in the console's portfolio and, a period later, among the loans behind.
Screenshots of each, and axe-core's checks."""

from __future__ import annotations

from pathlib import Path

from colony.loans import MerchantLoans
from tests.browser import Browser, expect
from tests.loans.test_loans_browser import _cookies_into
from tests.loans.test_merchant_loan_pages import DAY_S, lending, sell_days
from tests.web.test_app_browser import DESKTOP, PHONE, _accessible, _shot
from tests.web.test_console_pages import _signed_in, _staff
from tests.web.test_merchant_pages import Shop, shop, signed_in

__all__ = ["shop"]


def test_the_owner_takes_the_offer_and_sees_the_deduction(
    browser: Browser, shop: Shop, tmp_path: Path
) -> None:
    lending(shop)
    sell_days(shop, 25)
    owner = signed_in(shop)
    phone = browser.new_context(**PHONE, locale="en-GB")
    _cookies_into(phone, owner)
    page = phone.new_page()
    page.goto(owner.base_url + "/merchant")
    page.get_by_role("link", name="Loans", exact=True).click()
    expect(page.get_by_test_id("offer-amount")).to_contain_text("102.00")
    expect(page.get_by_test_id("offer-reason")).to_contain_text("net sales")
    _accessible(page)
    _shot(page, tmp_path, "merchant-loan-offer-phone")
    page.get_by_test_id("take-offer").click()
    expect(page.get_by_test_id("loan-status")).to_have_text("Open")
    expect(page.get_by_test_id("left")).to_contain_text("107.10")
    _accessible(page)
    _shot(page, tmp_path, "merchant-loan-open-phone")
    phone.close()

    (loan,) = shop.ctx.service(MerchantLoans).loans_of(shop.merchant)
    shop.clock.advance(DAY_S)  # sales are collected from the day after the loan was made
    shop.pay(200_00, "BIG", "big-sale")
    shop.clock.advance(DAY_S)
    shop.ctx.service(MerchantLoans).collect_day(loan.made_day + 1)
    owner = signed_in(shop, first=False)
    for size, name in ((PHONE, "phone"), (DESKTOP, "desktop")):
        context = browser.new_context(**size, locale="en-GB")
        _cookies_into(context, owner)
        page = context.new_page()
        page.goto(owner.base_url + "/merchant/loans")
        expect(page.get_by_test_id("deductions")).to_contain_text("19.70")
        expect(page.get_by_test_id("period-paid")).to_contain_text("19.70")
        expect(page.get_by_test_id("left")).to_contain_text("87.40")
        _accessible(page)
        _shot(page, tmp_path, f"merchant-loan-deducted-{name}")
        page.goto(owner.base_url + "/merchant/reports")
        expect(page.get_by_test_id("days")).to_contain_text("−SGD 19.70")
        _shot(page, tmp_path, f"merchant-reports-loan-{name}")
        context.close()

    shop.clock.advance(60 * DAY_S)  # no more sales: the second period ends short of its minimum
    staff = _signed_in(shop.api, shop.clock, _staff(shop.ctx))
    for size, name in ((DESKTOP, "desktop"), (PHONE, "phone")):
        context = browser.new_context(**size, locale="en-GB")
        _cookies_into(context, staff)
        page = context.new_page()
        page.goto(staff.base_url + "/console/loans")
        expect(page.get_by_test_id("books")).to_contain_text("sme")
        expect(page.get_by_test_id("buckets-sme")).to_be_visible()
        expect(page.get_by_test_id("vintage-chart-sme")).to_be_visible()
        expect(page.get_by_test_id("losses-sme")).to_be_visible()
        expect(page.get_by_test_id("delinquent")).to_contain_text("Hawker Chan")
        _accessible(page)
        _shot(page, tmp_path, f"console-merchant-loans-{name}")
        context.close()

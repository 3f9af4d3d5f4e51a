"""The portal's loans over real HTTP, without script: a shop without sales is told why it has
no offer; after 25 days of sales its owner sees the offer with its terms and takes it in one
click (the same form twice lends once); a cashier sees it but may not take it; a day's
deduction from the sales shows on the loan."""

from __future__ import annotations

import re

from colony.credit import CreditScores
from colony.kernel.clock import date_of_day
from colony.loans import (
    Lenders,
    MerchantLoans,
)
from colony.merchants import DAY_NS, PayoutResult, PayoutService, payout_reference
from tests.loans.world import scored_well
from tests.web.test_console_pages import _signed_in, _staff
from tests.web.test_merchant_pages import CASHIER, Shop, shop, signed_in
from tests.web.visitor import words

__all__ = ["shop"]
_FORM_ID = re.compile(r'name="form_id" value="([0-9a-f]+)"')
DAY_S = 86_400


def lending(shop: Shop) -> None:
    """A funded lender in SGD, and a model that scores every merchant well."""
    ctx = shop.ctx
    ctx.service(CreditScores).model = scored_well()
    lenders = ctx.service(Lenders)
    assert lenders.add("harbour_bank", "SGD", 6_000)[0].name == "ok"
    assert lenders.fund("harbour_bank", "SGD", 100_000_00, "wire-1").name == "ok"


def sell_days(shop: Shop, days: int, amount_minor: int = 25_00) -> None:
    for n in range(days):
        shop.pay(amount_minor, f"S-{n}", f"sale-{shop.clock.now_ns()}")
        shop.clock.advance(DAY_S)


def test_the_owner_takes_the_offer_and_sees_the_days_deduction(shop: Shop) -> None:
    lending(shop)
    owner = signed_in(shop)
    assert 'href="/merchant/loans"' in owner.get("/merchant").text
    empty = owner.get("/merchant/loans").text
    assert "Too little sales history" in empty and 'data-testid="take-offer"' not in empty
    sell_days(shop, 25)
    owner = signed_in(shop, first=False)  # a session lasts less than 25 days
    offer = shop.ctx.service(MerchantLoans).offer(shop.merchant)
    assert offer.result.name == "ok" and offer.principal_minor == 102_00
    page = owner.text("/merchant/loans")
    assert "SGD 102.00" in page and "Take this loan" in page and "10% of each day" in page
    assert "Minimum every 30 days" in page and "SGD 17.85" in page  # (102.00 + 5.10) / 6

    added = owner.post("/merchant/staff", {"phone": "+65 9000 8802", "name": "Siti"})
    assert added.status_code == 303
    cashier = signed_in(shop, CASHIER)
    seen = cashier.get("/merchant/loans").text
    assert "SGD 102.00" in words(seen) and 'data-testid="owner-only"' in seen
    drawn = _FORM_ID.search(
        owner.get("/merchant/loans").text
    )  # the owner's form, sent by the cashier
    assert drawn is not None and drawn.group(0) not in seen
    forged = cashier.post("/merchant/loans", {"form_id": drawn.group(1)}, form_at="/merchant/loans")
    assert forged.status_code == 403
    assert shop.ctx.service(MerchantLoans).loans_of(shop.merchant) == []

    stale = owner.post("/merchant/loans", {"form_id": "zz"}, form_at="/merchant/loans")
    assert stale.status_code == 400 and "out of date" in stale.text
    drawn = _FORM_ID.search(owner.get("/merchant/loans").text)
    assert drawn is not None
    for _ in range(2):  # the same form twice lends once
        fields = {"form_id": drawn.group(1), "csrf": _csrf(owner.get("/merchant/loans").text)}
        taken = owner.client.post("/merchant/loans", data=fields)
        assert taken.status_code == 303, taken.text[:400]
    (loan,) = shop.ctx.service(MerchantLoans).loans_of(shop.merchant)
    page = owner.text("/merchant/loans")
    assert "Left to repay SGD 107.10" in page and "Minimum this period SGD 17.85" in page
    assert "Nothing deducted yet" in page and "Take this loan" not in page

    shop.clock.advance(DAY_S)  # sales are collected from the day after the loan was made
    shop.pay(200_00, "BIG", "big-sale")
    shop.clock.advance(DAY_S)
    shop.ctx.service(MerchantLoans).collect_day(loan.made_day + 1)
    owner = signed_in(shop, first=False)
    page = owner.text("/merchant/loans")
    assert "SGD 19.70" in page  # 10% of 197.00, after the 1.5% discount fee
    assert "Left to repay SGD 87.40" in page and "Repaid this period SGD 19.70" in page

    # The day's payout is smaller by the deduction, and the report says so on that day's row
    (account,) = shop.ctx.ledger.lookup_accounts([shop.merchant.account_id])
    held = account.credits_posted - account.debits_posted
    day_ns = (loan.made_day + 1) * DAY_NS
    payout = PayoutService(shop.ctx.ledger, shop.clock).pay_out(shop.merchant, day_ns, "dbs")
    assert payout.result is PayoutResult.ok and payout.amount_minor == held
    rows = owner.get("/merchant/reports").text
    row = next(words(r) for r in rows.split("<tr>") if "SGD 197.00" in words(r))
    assert "−SGD 19.70" in row and payout_reference(payout.transfer_id) in row, row
    assert "taken before that day's payout" in words(rows)
    owner.client.cookies.set("colony_lang", "fi")
    assert "Lainat" in owner.get("/merchant/loans").text


def _csrf(page: str) -> str:
    return page.split('name="csrf" value="')[1].split('"')[0]


def test_the_console_lists_a_loan_to_a_merchant_behind_its_minimum(shop: Shop) -> None:
    lending(shop)
    sell_days(shop, 25)
    loans = shop.ctx.service(MerchantLoans)
    result, loan, _ = loans.apply(shop.merchant, 1 << 126 | 77)
    assert result.name == "ok" and loan is not None
    member = _staff(shop.ctx)
    staff = _signed_in(shop.api, shop.clock, member)
    calm = staff.text("/console/loans")
    assert "sme SGD 1" in calm and "every loan to a merchant has met its minimum" in calm
    shop.clock.advance(35 * DAY_S)  # no sales: the first period ends short by its minimum
    staff = _signed_in(shop.api, shop.clock, member)
    console = staff.text("/console/loans")
    made = date_of_day(loan.made_day).isoformat()  # overdue 6 days at the end of the 35th day
    assert f"Hawker Chan {made} SGD 17.85 6 SGD 107.10" in console, console

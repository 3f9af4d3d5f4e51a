"""A merchant's payouts in the operator console over real HTTP on loopback, without script:
finance pays a merchant's day out by hand through the bank registered in its currency (once,
however often the form is sent, and written to the audit log), the page lists the payout
with its reference, what a day that cannot be paid says, and support may not pay out."""

from __future__ import annotations

import httpx

from colony.api.context import ApiContext
from colony.chart import funding_partner_account_id
from colony.kernel.clock import NS_PER_S, ManualClock
from colony.merchants import DAY_NS, day_of, payout_id, payout_reference
from colony.staff import AuditAction, Role
from tests.web.test_console_ops_pages import _actions, _paid, _shop
from tests.web.test_console_pages import _signed_in, _staff
from tests.web.visitor import words

Served = tuple[httpx.Client, ApiContext, ManualClock]


def test_finance_pays_a_merchants_day_out_once_and_the_page_lists_it(served_at: Served) -> None:
    api, ctx, clock = served_at
    merchant = _shop(ctx)  # 2% discount
    _paid(ctx, merchant, 50_00, "kopi-1")
    day = day_of(clock.now_ns())
    clock.set_ns(day + DAY_NS + 3_600 * NS_PER_S)  # the next day, 01:00 UTC
    page = f"/console/merchants/{merchant.id}"
    staff = _signed_in(api, clock, _staff(ctx, Role.finance))
    shown = staff.text(page)
    assert "No payouts in the last two weeks." in shown
    assert 'value="2026-01-01"' in staff.get(page).text  # yesterday, the day to pay by default
    fields = {"day": "2026-01-01", "partner": "dbs"}
    paid = staff.post(f"{page}/payout", fields, form_at=page)
    assert paid.status_code == 303 and paid.headers["location"] == page, paid.text[:500]
    again = staff.post(f"{page}/payout", fields, form_at=page)  # sent twice: paid once
    assert again.status_code == 303
    bank = funding_partner_account_id("dbs", merchant.ledger)
    shop, dbs = ctx.ledger.lookup_accounts([merchant.account_id, bank])
    assert (shop.credits_posted - shop.debits_posted, dbs.credits_posted) == (0, 49_00)
    reference = payout_reference(payout_id(merchant.account_id, day))
    assert f"{reference} SGD 49.00" in staff.text(page)
    assert _actions(ctx).count(AuditAction.merchant_paid_out) == 1

    before = staff.post(f"{page}/payout", {"day": "2025-12-31", "partner": "dbs"}, form_at=page)
    assert before.status_code == 400 and "A later day is paid out already" in words(before.text)
    today = staff.post(f"{page}/payout", {"day": "2026-01-02", "partner": "dbs"}, form_at=page)
    assert today.status_code == 400 and "That day is not over yet" in words(today.text)
    typo = staff.post(f"{page}/payout", {"day": "2026-1-1", "partner": "dbs"}, form_at=page)
    assert typo.status_code == 400
    _, idle = ctx.merchants.onboard("Idle Pte Ltd", "Idle", "5814", "SG", "Singapore", "SGD", 0)
    assert idle is not None
    idle_page = f"/console/merchants/{idle.id}"
    nothing = staff.post(f"{idle_page}/payout", fields, form_at=idle_page)
    assert nothing.status_code == 200
    assert "Nothing to pay out for that day" in words(nothing.text)
    assert _actions(ctx).count(AuditAction.merchant_paid_out) == 1


def test_support_may_not_pay_out(served_at: Served) -> None:
    api, ctx, clock = served_at
    merchant = _shop(ctx)
    _paid(ctx, merchant, 10_00, "kopi-2")
    clock.advance(86_400)
    page = f"/console/merchants/{merchant.id}"
    support = _signed_in(api, clock, _staff(ctx, Role.support))
    assert "Pay out" not in support.text(page)
    refused = support.post(f"{page}/payout", {"day": "2026-01-01", "partner": "dbs"}, form_at=page)
    assert refused.status_code == 403
    (shop,) = ctx.ledger.lookup_accounts([merchant.account_id])
    assert shop.credits_posted - shop.debits_posted == 9_80
    assert AuditAction.merchant_paid_out not in _actions(ctx)

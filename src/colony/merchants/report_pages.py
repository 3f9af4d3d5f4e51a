"""The merchant portal's reports: per UTC day, what the shop was paid, gave back in refunds
and paid in the discount fee, and the net, read from its own account in the ledger
(merchants/takings.py: a `TakingsBook`, which counts each line once); and what was paid out
to the shop's bank for that day, with the payout's reference, read from the ledger by the
payout's derived id (merchants/payouts.py, docs/adr/0041)."""

from __future__ import annotations

from fastapi import Request
from fastapi.responses import Response

from colony.api.deps import Ctx
from colony.merchants import DAY_NS, MerchantUserService, TakingsBook, day_of, paid_out
from colony.web.merchant_access import portal_page, signed_in
from colony.web.shell import Shell, pages_router

router = pages_router()

# Days the report shows, today included.
report_days = 14


@router.get("/merchant/reports")
def reports(request: Request, ctx: Ctx) -> Response:
    shell = ctx.service(Shell)
    portal = signed_in(shell, request, ctx.service(MerchantUserService), ctx.merchants)
    first_day = day_of(ctx.clock.now_ns()) - (report_days - 1) * DAY_NS
    account_id = portal.merchant.account_id
    days = ctx.service(TakingsBook).by_day(account_id, first_day, report_days)
    payouts = paid_out(ctx.ledger, account_id, first_day, report_days)
    return portal_page(shell, request, "merchants/reports.html", portal, days=days, payouts=payouts)

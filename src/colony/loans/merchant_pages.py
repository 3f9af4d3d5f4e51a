"""The merchant portal's loans (`/merchant/loans`, docs/adr/0051): the offer with its terms
and the reason for it (or for none), taking it in one click (the owner only), and the loan's
progress: repaid, left, this 30-day period's minimum and what has been collected against it,
and each day's deduction from the sales.

The form carries an id drawn with the screen, which becomes the loan's ledger id: the same
form sent twice lends once.
"""

from __future__ import annotations

from fastapi import Request
from fastapi.responses import Response

from colony.api.deps import Ctx
from colony.kernel.clock import date_of_day
from colony.loans.form_ids import form_id, id_of
from colony.loans.merchant_loans import MerchantLoans
from colony.loans.merchant_terms import OfferReason, merchant_delinquent_share_bps, period_days
from colony.loans.model import LoanStatus
from colony.loans.names import percent
from colony.loans.results import LoanResult
from colony.web.i18n import N_
from colony.web.merchant_access import Portal, owner_portal_of, portal_of, portal_page
from colony.web.shell import Shell, pages_router

router = pages_router()

# Days of deductions the screen lists, newest first.
deductions_shown_max = 60
# Why the offer is what it is, as the merchant reads it.
REASONS = {
    OfferReason.sales: N_("Half of a month's net sales over the last 90 days."),
    OfferReason.score_limit: N_("As much as your credit score allows."),
    OfferReason.loan_cap: N_("The most one loan lends."),
    OfferReason.loan_open: N_("You have a loan open: repay it before taking another."),
    OfferReason.too_little_history: N_(
        "Too little sales history: sell on at least 20 of the last 90 days."
    ),
    OfferReason.score_too_low: N_("Your credit score is too low for a loan now."),
    OfferReason.sales_too_small: N_("Your sales are too small for the least we lend."),
}
REFUSALS = {
    LoanResult.too_little_history: REASONS[OfferReason.too_little_history],
    LoanResult.declined: REASONS[OfferReason.score_too_low],
    LoanResult.sales_too_small: REASONS[OfferReason.sales_too_small],
    LoanResult.too_many_open_loans: REASONS[OfferReason.loan_open],
    LoanResult.no_lender: N_("No loans are offered in your currency yet."),
    LoanResult.lender_capital_exhausted: N_("No loans can be made now: try again later."),
    LoanResult.merchant_suspended: N_("No loan is made while Colony has suspended this shop."),
}
STATUS_NAMES = {
    LoanStatus.open: N_("Open"),
    LoanStatus.repaid: N_("Repaid"),
    LoanStatus.charged_off: N_("Written off: still owed"),
}
OTHER_REFUSAL = N_("The loan was not made: {reason}.")
STALE_FORM = N_("This form is out of date: start again.")


def _page(
    request: Request, ctx: Ctx, portal: Portal, *, status: int = 200, error: str | None = None
) -> Response:
    service = ctx.service(MerchantLoans)
    today = service.today()
    mine = [x for x in service.loans_of(portal.merchant)
            if x.status not in (LoanStatus.pending, LoanStatus.refused)]  # fmt: skip
    loans = []
    for loan in mine:
        paid = service.paid_by_day(loan, today)
        days = sorted(paid, reverse=True)[:deductions_shown_max]
        loans.append((loan, service.left(loan), service.standing(loan, today),
                      [(date_of_day(d).isoformat(), paid[d]) for d in days]))  # fmt: skip
    live = any(x.status in (LoanStatus.open, LoanStatus.charged_off) for x in mine)
    offer = None if live else service.offer(portal.merchant)
    return portal_page(
        ctx.service(Shell), request, "loans/merchant.html", portal, status=status,
        loans=loans, offer=offer, reasons=REASONS, statuses=STATUS_NAMES, error=error,
        form_id=form_id(), date_of=date_of_day, percent=percent, period_days=period_days,
        ok=LoanResult.ok, open_status=LoanStatus.open,
        delinquent_share_bps=merchant_delinquent_share_bps,
    )  # fmt: skip


@router.get("/merchant/loans")
def merchant_loans_page(request: Request, ctx: Ctx) -> Response:
    return _page(request, ctx, portal_of(ctx, request))


@router.post("/merchant/loans")
def take_offer(request: Request, ctx: Ctx) -> Response:
    shell = ctx.service(Shell)
    form = shell.form(request)
    portal = owner_portal_of(ctx, request)
    loan_id = id_of(form.get("form_id", ""))
    if loan_id is None:
        return _page(request, ctx, portal, status=400, error=STALE_FORM)
    result, _, _ = ctx.service(MerchantLoans).apply(portal.merchant, loan_id)
    if result is not LoanResult.ok:
        t = shell.texts(request)
        error = t(REFUSALS.get(result, OTHER_REFUSAL), reason=result.name)
        return _page(request, ctx, portal, status=400, error=error)
    return shell.redirect("/merchant/loans")

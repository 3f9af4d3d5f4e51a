"""The wallet app's loans (`/app/loans`, docs/adr/0051): the loans offered with their
schedules, applying, the wallet's loans with what each owes and its schedule, and repaying
early (in part or in full).

Each form carries an id drawn when the screen was drawn, which becomes the loan's (or the
repayment's) ledger id: the same form sent twice lends or repays once.
"""

from __future__ import annotations

from fastapi import Request
from fastapi.responses import Response

from colony.api.deps import Ctx
from colony.credit import CreditScores
from colony.kernel.clock import date_of_day
from colony.kernel.money import Money, scale_of
from colony.loans import (
    LOAN_PRODUCTS,
    InterestMethod,
    LoanResult,
    LoanService,
    LoanStatus,
    plan,
)
from colony.loans.form_ids import form_id, id_of
from colony.loans.names import percent
from colony.wallets import Wallet
from colony.web.i18n import N_
from colony.web.shell import Shell, pages_router
from colony.web.wallet_access import app_page, signed_in_wallet, typed_amount

router = pages_router()

# How each refusal reads to the person.
REFUSALS = {
    LoanResult.unknown_product: N_("Choose one of the loans offered."),
    LoanResult.unknown_method: N_("Choose how interest is charged."),
    LoanResult.amount_out_of_range: N_("That amount is outside what this loan lends."),
    LoanResult.amount_must_be_positive: N_("Type an amount above zero."),
    LoanResult.amount_exceeds_owed: N_("That is more than you owe."),
    LoanResult.consent_required: N_("To borrow, first agree to be scored."),
    LoanResult.declined: N_("We cannot offer you a loan now."),
    LoanResult.over_limit: N_("That is more than your score allows you to borrow."),
    LoanResult.too_many_open_loans: N_("Repay your loan before taking another."),
    LoanResult.no_lender: N_("No loans are offered in your currency yet."),
    LoanResult.lender_capital_exhausted: N_("No loans can be made now: try again later."),
    LoanResult.balance_cap_exceeded: N_("Your wallet cannot hold that much: verify your identity."),
    LoanResult.wallet_frozen: N_("Your wallet is frozen."),
    LoanResult.loan_not_found: N_("No such loan."),
    LoanResult.insufficient_funds: N_("Your wallet does not hold enough."),
    LoanResult.daily_outflow_cap_exceeded: N_("That is over what your wallet may send today."),
    LoanResult.id_reused_differently: N_("This form was sent already: start again."),
    LoanResult.refused_before: N_("This form was refused already: start again."),
    LoanResult.loan_closed: N_("This loan is repaid."),
}
STATUS_NAMES = {
    LoanStatus.open: N_("Open"),
    LoanStatus.repaid: N_("Repaid"),
    LoanStatus.charged_off: N_("Written off: still owed"),
    LoanStatus.pending: N_("Being paid out"),
    LoanStatus.refused: N_("Not made"),
}
# A form without the id it was drawn with (an old page, a hand-made request).
STALE_FORM = N_("This form is out of date: start again.")
METHOD_NAMES = {
    InterestMethod.schedule: N_("Monthly instalments, interest fixed by the schedule"),
    InterestMethod.daily: N_("Interest each day on what you owe"),
}


def _page(
    request: Request, ctx: Ctx, wallet: Wallet, *, status: int = 200, error: str | None = None
) -> Response:
    service = ctx.service(LoanService)
    today = date_of_day(service.today())
    unit = 10 ** scale_of(wallet.currency)
    offers = [
        (
            p,
            plan(p, InterestMethod.schedule, 1_000 * unit, today),
            p.amount_bounds(scale_of(wallet.currency)),
        )
        for p in LOAN_PRODUCTS
    ]
    mine = [(x, service.state(x)) for x in service.loans_of(wallet)]
    consent = ctx.service(CreditScores).consent_in_force(wallet.id)
    return app_page(
        ctx.service(Shell), request, "loans/loans.html", status=status, wallet=wallet,
        offers=offers, loans=mine, consent=consent, error=error, form_id=form_id(),
        methods=METHOD_NAMES, statuses=STATUS_NAMES, date_of=date_of_day, example_major=1_000,
        open_status=LoanStatus.open, off_status=LoanStatus.charged_off, plain=plain,
        percent=percent,
    )  # fmt: skip


def plain(amount_minor: int, currency: str) -> str:
    """An amount as a person types it back: digits and the currency's decimals."""
    return str(Money(amount_minor, currency).to_decimal())


@router.get("/app/loans")
def loans_page(request: Request, ctx: Ctx) -> Response:
    shell = ctx.service(Shell)
    return _page(request, ctx, signed_in_wallet(shell, request, ctx.wallet_store))


@router.post("/app/loans")
def apply(request: Request, ctx: Ctx) -> Response:
    shell = ctx.service(Shell)
    form = shell.form(request)
    wallet = signed_in_wallet(shell, request, ctx.wallet_store)
    amount = typed_amount(form.get("amount", ""), wallet.currency)
    loan_id = id_of(form.get("form_id", ""))
    if amount is None or loan_id is None:
        return _page(
            request, ctx, wallet, status=400, error=REFUSALS[LoanResult.amount_must_be_positive]
        )
    result, _ = ctx.service(LoanService).apply(
        wallet, form.get("product", ""), form.get("method", ""), amount, loan_id
    )
    if result is not LoanResult.ok:
        return _page(request, ctx, wallet, status=400, error=REFUSALS[result])
    return shell.redirect("/app/loans")


@router.post("/app/loans/{loan_id}/repay")
def repay(loan_id: str, request: Request, ctx: Ctx) -> Response:
    shell = ctx.service(Shell)
    form = shell.form(request)
    wallet = signed_in_wallet(shell, request, ctx.wallet_store)
    amount = typed_amount(form.get("amount", ""), wallet.currency)
    transfer_id = id_of(form.get("form_id", ""))
    if amount is None or transfer_id is None:
        return _page(
            request, ctx, wallet, status=400, error=REFUSALS[LoanResult.amount_must_be_positive]
        )
    result, _ = ctx.service(LoanService).repay(wallet, loan_id, amount, transfer_id)
    if result is not LoanResult.ok:
        return _page(request, ctx, wallet, status=400, error=REFUSALS[result])
    return shell.redirect("/app/loans")

"""Who may call cash loans' routes, for the attack on every route (tests/api/test_access.py)
and the scopes they need (tests/api/test_scopes.py).

A wallet's loans are its own ("me" routes: a stranger is refused 401, another wallet naming
the victim's loan 404); the products offered are shown to a wallet's token. Lenders and the
portfolio are the operator's, with `loans:read`. The victim's loan is made here."""

from __future__ import annotations

import httpx

from colony.api.context import ApiContext
from colony.credit import CreditScores
from colony.kernel.clock import ManualClock
from colony.loans import Lenders, LoanService

# A wallet's own: its token holds no scopes (tests/api/test_scopes.py).
WALLET_ROUTES = {
    ("GET", "/v1/loan_products"),
    ("POST", "/v1/wallets/me/loans"),
    ("GET", "/v1/wallets/me/loans"),
    ("GET", "/v1/wallets/me/loans/{loan_id}"),
    ("POST", "/v1/wallets/me/loans/{loan_id}/repayments"),
}
# Spelled out, not imported: the scope's name is what operators' keys hold.
OPERATOR_ROUTES = {
    ("GET", "/v1/lenders"): "loans:read",
    ("GET", "/v1/loan_portfolio"): "loans:read",
}
# A merchant's loans: its key needs these (held by a standard key).
MERCHANT_ROUTES = {
    ("GET", "/v1/merchants/me/loan_offer"): "loans:read",
    ("GET", "/v1/merchants/me/loans"): "loans:read",
    ("GET", "/v1/merchants/me/loans/{loan_id}"): "loans:read",
    ("POST", "/v1/merchants/me/loans"): "loans:write",
}
BODIES: dict[str, object] = {
    "/v1/wallets/me/loans": {"product": "cash_3m", "method": "daily", "amount_minor": 10_00},
    "/v1/wallets/me/loans/{loan_id}/repayments": {"amount_minor": 100},
    "/v1/merchants/me/loans": {},  # a merchant takes its offer: the request names nothing
}
VICTIM_PHONE = "+6590005199"


def victims(client: httpx.Client, ctx: ApiContext, operator: dict[str, str]) -> dict[str, str]:
    """A loan of a wallet of its own, lent by a lender funded here."""
    from tests.credit.scorecards import hand_model

    lenders, loans, scores = (
        ctx.service(Lenders),
        ctx.service(LoanService),
        ctx.service(CreditScores),
    )
    lenders.add("victim_bank", "SGD", 5_000)
    lenders.fund("victim_bank", "SGD", 10_000_00, "victim")
    _, wallet = ctx.wallets.open_wallet(VICTIM_PHONE, "Victim Borrower", "SGD")
    assert wallet is not None
    assert ctx.wallets.cash_in(VICTIM_PHONE, "SGD", 500_00).result.name == "ok"
    if isinstance(ctx.clock, ManualClock):
        ctx.clock.advance(1)  # a score reads the history before its moment
    model, scores.model = scores.model, hand_model({"kyc_tier": (900, 900, 900)})
    try:
        scores.give_consent(wallet)
        result, loan = loans.apply(wallet, "cash_3m", "daily", 100_00, 1 << 126 | 5199)
    finally:
        scores.model = model
    assert loan is not None, result
    return {"loan_id": loan.id}

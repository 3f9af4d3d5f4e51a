"""Cash loans' money for the chart's check (tests/chart/test_ledger_keeps_to_the_chart.py): a
lender funded (400, 401), two loans paid into wallets (402); one repaid on its schedule by the
daily run (410, 413, 414, 401), the other never: penalty (412), provision (415), written off
(416), and money paid on it after (417); and a loan to a merchant with its fee (411)."""

from __future__ import annotations

from colony.api.context import ApiContext
from colony.cli.demo_data import ALICE
from colony.credit import CreditScores
from colony.loans import Lenders, LoanResult, LoanService, LoanStatus, MerchantLoans
from colony.loans.results import LenderResult
from colony.payments.service import PayResult
from colony.wallets import WalletResult
from tests.credit.scorecards import hand_model
from tests.loans.world import scored_well

BORROWER = "+6590005101"


def move(ctx: ApiContext) -> None:
    lenders, loans = ctx.service(Lenders), ctx.service(LoanService)
    scores = ctx.service(CreditScores)
    assert lenders.add("chart_lender", "SGD", 5_000)[0] is LenderResult.ok
    assert lenders.fund("chart_lender", "SGD", 100_000_00, "chart") is LenderResult.ok
    wallets = ctx.wallets
    _, late = wallets.open_wallet(BORROWER, "Chart Borrower", "SGD")
    alice = ctx.wallet_store.by_phone(ALICE.phone, "SGD")
    assert late is not None and alice is not None
    assert wallets.cash_in(BORROWER, "SGD", 50_00).result is WalletResult.ok
    model = scores.model
    scores.model = hand_model({"kyc_tier": (900, 900, 900)})  # band A for anyone
    try:
        made = []
        for wallet in (alice, late):
            scores.give_consent(wallet)
            result, loan = loans.apply(
                wallet, "cash_3m", "daily", 100_00, 1 << 126 | len(made) + 51
            )
            assert result is LoanResult.ok and loan is not None, result
            made.append(loan)
    finally:
        scores.model = model
    assert (
        wallets.p2p(BORROWER, ALICE.phone, "SGD", wallets.balance(late)).result is WalletResult.ok
    )
    run = loans.daily_run()
    first = made[0].disbursed_day
    for day in range(first + 1, made[1].due_days[0] + 181):
        run.run(day, ctx.clock.now_ns())
    written = loans.loan(made[1].id)
    assert written is not None and written.status is LoanStatus.charged_off
    assert wallets.cash_in(BORROWER, "SGD", 5_00).result is WalletResult.ok
    assert loans.repay(late, written.id, 5_00, 1 << 126 | 53)[0] is LoanResult.ok
    _lend_to_a_merchant(ctx)


def _lend_to_a_merchant(ctx: ApiContext) -> None:
    """A shop that sold something borrows: its loan's fixed fee is charged (411)."""
    _, shop = ctx.merchants.onboard("Chart Kopi Pte Ltd", "Chart Kopi", "5814", "SG",
                                    "Singapore", "SGD", 100)  # fmt: skip
    assert shop is not None
    code = ctx.payments.merchant_qr(shop, 200_00)
    assert ctx.payments.pay_by_qr(ALICE.phone, "SGD", code).result is PayResult.ok
    scores = ctx.service(CreditScores)
    model, scores.model = scores.model, scored_well()
    try:
        result, loan = ctx.service(MerchantLoans).grant(shop, 100_00, 1 << 126 | 54)
    finally:
        scores.model = model
    assert result is LoanResult.ok and loan is not None, result

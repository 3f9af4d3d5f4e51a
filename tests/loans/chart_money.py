"""Cash loans' money for the chart's check (tests/chart/test_ledger_keeps_to_the_chart.py): a
lender funded (400, 401), two loans paid into wallets (402); one repaid on its schedule by the
daily run (410, 413, 414, 401), the other never: penalty (412), provision (415), written off
(416), and money paid on it after (417). Fees (411) are the credit line's: cash loans charge
none."""

from __future__ import annotations

from colony.api.context import ApiContext
from colony.cli.demo_data import ALICE
from colony.credit import CreditScores
from colony.loans import Lenders, LoanResult, LoanService, LoanStatus
from colony.loans.results import LenderResult
from colony.wallets import WalletResult
from tests.credit.scorecards import hand_model

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

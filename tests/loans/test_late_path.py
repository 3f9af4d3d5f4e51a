"""A loan not repaid: its first instalment fails for want of money, penalty interest accrues on
the principal overdue, the loan moves through the buckets with its provision, is written off
at 180 days overdue, is still owed, and money paid after is a recovery."""

from __future__ import annotations

from colony.chart import IdPrefix, lender_available_account_id
from colony.kernel.clock import day_number
from colony.ledger.verify import verify
from colony.loans import (
    LoanResult,
    LoanStatus,
)
from colony.loans.model import book_account_id
from colony.loans.rules import half_up_div
from colony.wallets import WalletResult
from tests.loans.world import ALICE, START, World

SGD = 702
BOB = "+6591110002"


def test_late_penalty_buckets_charge_off_and_recovery(world: World) -> None:
    provision = book_account_id(IdPrefix.loss_provision, SGD)
    penalty_income = book_account_id(IdPrefix.penalty_income, SGD)
    loss = book_account_id(IdPrefix.charge_off, SGD)
    recoveries = book_account_id(IdPrefix.recoveries, SGD)
    available = lender_available_account_id("harbour_bank", SGD)
    alice = world.person(cash_minor=500_000)
    world.person(BOB, cash_minor=1_000)
    world.fund(1_000_000_00)
    _, loan = world.loans.apply(alice, "cash_3m", "daily", 1_000_00, world.ids.new_id())
    assert loan is not None
    spent = world.ctx.wallets.p2p(ALICE, BOB, "SGD", world.ctx.wallets.balance(alice))
    assert spent.result is WalletResult.ok and world.ctx.wallets.balance(alice) == 0

    made, first_due = day_number(START), loan.due_days[0]
    world.run_days(made + 1, first_due - 1)
    due = world.run_day(first_due)
    assert (due.collected, due.not_collected) == (0, 1)  # nothing in the wallet
    assert world.loans.state(loan, first_due).days_overdue == 0  # due today, not yet late
    late = world.run_day(first_due + 1)
    overdue = loan.principal_parts[0]  # 333.33 of principal, one day late
    assert late.penalty_minor == {"SGD": half_up_div(overdue * 3_650, 10_000 * 365)}
    assert world.balance(penalty_income) == -late.penalty_minor["SGD"]
    for days in (1, 30, 31, 60, 61, 90, 91):
        world.run_days(world.loans.today(), first_due + days)
        state = world.loans.state(loan, first_due + days)
        assert state.days_overdue == days
        rate = {1: 1_000, 30: 1_000, 31: 3_000, 60: 3_000, 61: 6_000, 90: 6_000, 91: 10_000}
        assert world.balance(provision) == -half_up_div(1_000_00 * rate[days], 10_000)
    assert world.balance(loan.account_id) == 1_000_00  # nothing repaid

    world.run_days(world.loans.today(), first_due + 179)
    assert world.loans.loan(loan.id).status is LoanStatus.open  # type: ignore[union-attr]
    owed_before = world.balance(loan.interest_account_id)
    off = world.run_day(first_due + 180)
    assert off.charged_off == 1
    written = world.loans.loan(loan.id)
    assert written is not None and written.status is LoanStatus.charged_off
    owed_interest = written.charged_off_minor - 1_000_00  # with the day's interest and penalty
    assert owed_interest == owed_before + off.accrued_minor["SGD"] + off.penalty_minor["SGD"]
    assert world.balance(loan.account_id) == 0 and world.balance(loan.interest_account_id) == 0
    assert world.balance(loss) == owed_interest  # the provision covered the principal
    assert world.balance(provision) == 0
    assert world.balance(available) == -1_000_000_00  # the house bears it: the lender's back
    assert world.loans.state(written).still_owed == 1_000_00 + owed_interest

    assert world.ctx.wallets.cash_in(ALICE, "SGD", 300_00).result is WalletResult.ok
    world.at_day(first_due + 181)
    paid, repayment = world.loans.repay(alice, loan.id, 250_00, 1 << 126 | 9)
    assert paid is LoanResult.ok and repayment is not None and repayment.recovery
    assert world.balance(recoveries) == -250_00
    assert world.loans.state(written).still_owed == 1_000_00 + owed_interest - 250_00
    too_much = world.loans.repay(alice, loan.id, 1_000_00 + owed_interest, 1 << 126 | 10)
    assert too_much[0] is LoanResult.amount_exceeds_owed
    after = world.run_day(first_due + 181)  # a written-off loan is no longer run
    assert after.loans == 0
    assert set(world.trial_balance().values()) == {0}
    assert verify(*world.ctx.ledger.snapshot_for_verify()).ok

"""A 3-month cash loan from the lender's capital to its last repayment, with what the ledger
holds after each step and a trial balance that sums to zero at the end.

SGD 1,000.00 at 18% a year on the monthly schedule, made on 2026-03-01: three instalments of
343.38 (interest 15.00, 10.07, 5.07). The first is collected on its due day; the rest is
repaid early ten days into the second period, paying the interest of those ten days only:
round_half_up(10.07 * 10 / 30) = 3.36. The lender's share is 60% of interest paid.
"""

from __future__ import annotations

from colony.chart import IdPrefix, lender_available_account_id, lender_capital_account_id
from colony.kernel.clock import day_number
from colony.ledger.verify import verify
from colony.loans import (
    InterestMethod,
    LoanResult,
    LoanStatus,
)
from colony.loans.model import book_account_id
from colony.wallets import WalletService
from tests.loans.world import LENDER, START, World

SGD = 702


def test_a_three_month_loan_from_disbursement_to_its_last_repayment(world: World) -> None:
    capital = lender_capital_account_id(LENDER, SGD)
    available = lender_available_account_id(LENDER, SGD)
    income = book_account_id(IdPrefix.interest_income, SGD)
    provision = book_account_id(IdPrefix.loss_provision, SGD)
    alice = world.person(cash_minor=500_000)
    world.fund(1_000_000_00)
    assert world.balance(capital) == -1_000_000_00  # owed to the lender: a credit balance
    assert world.balance(available) == -1_000_000_00

    result, loan = world.loans.apply(alice, "cash_3m", "schedule", 1_000_00, world.ids.new_id())
    assert result is LoanResult.ok and loan is not None
    assert loan.method is InterestMethod.schedule
    assert loan.principal_parts == (32_838, 33_331, 33_831)
    assert loan.interest_parts == (1_500, 1_007, 507)
    assert loan.due_days == tuple(day_number(START) + n for n in (31, 61, 92))
    assert world.balance(loan.account_id) == 1_000_00
    assert world.balance(available) == -(1_000_000_00 - 1_000_00)
    assert world.ctx.wallets.balance(alice) == 5_000_01 + 1_000_00  # and the opening coin

    made = day_number(START)
    first = world.run_day(made + 1)  # 1500 over the 31 days of March: 48.39 rounds to 48
    assert first.accrued_minor == {"SGD": 48}
    assert world.balance(loan.interest_account_id) == 48
    assert world.balance(provision) == -1_000  # 1% of what is current
    world.run_days(made + 2, made + 30)
    assert world.balance(loan.interest_account_id) == 1_500 - 48  # the last day's still to come

    due = world.run_day(made + 31)  # the first due day: the period's last interest, collected
    assert due.collected == 1 and due.collected_minor == {"SGD": 34_338}
    assert world.balance(loan.interest_account_id) == 0
    assert world.balance(loan.account_id) == 1_000_00 - 32_838
    assert world.ctx.wallets.balance(alice) == 6_000_01 - 34_338
    assert world.balance(available) == -(1_000_000_00 - 1_000_00 + 32_838)
    assert world.balance(capital) == -(1_000_000_00 + 900)  # 60% of 15.00
    assert world.balance(income) == -(1_500 - 900)
    assert world.balance(provision) == -672  # 1% of 671.62, rounded half-up to 6.72

    world.run_days(made + 32, made + 41)  # ten days of the 30-day second period
    state = world.loans.state(loan, made + 41)
    assert state.interest_owed == 336  # 10.07 * 10 / 30 = 3.3567, half-up
    assert state.principal_outstanding == 67_162 and state.days_overdue == 0
    world.at_day(made + 42)
    repaid, repayment = world.loans.repay(alice, loan.id, 67_498, 1 << 126 | 7)
    assert repaid is LoanResult.ok and repayment is not None
    assert (repayment.interest_minor, repayment.principal_minor) == (336, 67_162)
    assert world.balance(loan.account_id) == 0 and world.balance(loan.interest_account_id) == 0
    assert world.loans.loan(loan.id).status is LoanStatus.repaid  # type: ignore[union-attr]
    assert world.balance(available) == -1_000_000_00  # every cent of principal given back
    assert world.balance(capital) == -(1_000_000_00 + 900 + 202)  # 60% of 3.36 = 2.016
    assert world.balance(income) == -(1_500 + 336 - 900 - 202)
    assert world.ctx.wallets.balance(alice) == 6_000_01 - 34_338 - 67_498

    world.run_day(made + 42)  # nothing is open: the provision is released to zero
    assert world.balance(provision) == 0
    assert world.loans.repay(alice, loan.id, 1, 1 << 126 | 8)[0] is LoanResult.loan_closed
    assert set(world.trial_balance().values()) == {0}
    assert WalletService.limit_control_account_id(SGD) in {a.id for a in world.accounts()}
    assert verify(*world.ctx.ledger.snapshot_for_verify()).ok

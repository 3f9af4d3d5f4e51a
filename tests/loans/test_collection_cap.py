"""A cash loan's collection is exempt from the wallet's daily outflow cap (docs/adr/0058,
ADR 0051): a person who sent away their whole allowance for the day is still collected
from on the due day, and the collection uses none of the allowance."""

from __future__ import annotations

from colony.kernel.clock import day_number
from colony.loans import (
    LoanResult,
)
from colony.wallets import WalletResult
from tests.loans.world import ALICE, START, World

BOB = "+6591110002"
HOUR_NS = 3_600 * 10**9


def test_a_collection_past_a_spent_daily_cap(world: World) -> None:
    alice = world.person(cash_minor=5_000_00)
    world.person(BOB, cash_minor=1_000)
    world.fund(1_000_000_00)
    _, loan = world.loans.apply(alice, "cash_3m", "daily", 1_000_00, world.ids.new_id())
    assert loan is not None
    made, first_due = day_number(START), loan.due_days[0]
    world.run_days(made + 1, first_due - 1)

    # Half an hour before the due day's run, on the run's UTC day: the allowance spent.
    world.at_day(first_due + 1)
    world.clock.set_ns(world.clock.now_ns() - HOUR_NS // 2)
    wallets = world.ctx.wallets
    limits, _ = wallets.limits_today(alice)
    cap = limits.daily_outflow_cap_minor
    assert wallets.cash_in(ALICE, "SGD", cap).result is WalletResult.ok
    assert wallets.p2p(ALICE, BOB, "SGD", cap).result is WalletResult.ok
    before = wallets.balance(alice)

    due = world.run_day(first_due)
    assert (due.collected, due.not_collected) == (1, 0)
    assert wallets.balance(alice) < before
    assert wallets.limits_today(alice)[1] == cap  # the collection used none of it
    state = world.loans.state(loan, first_due)
    assert state.days_overdue == 0
    # What she repays herself is her spending: refused past the cap.
    repaid, _ = world.loans.repay(alice, loan.id, 1_00, world.ids.new_id())
    assert repaid is LoanResult.daily_outflow_cap_exceeded

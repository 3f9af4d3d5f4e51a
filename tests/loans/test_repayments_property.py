"""Repayments against a reference model: any sequence of days run and early or partial
repayments leaves the loan owing what a plain model of the stated rules says, principal never
below zero, and once all is repaid the principal repaid sums to the principal lent."""

from __future__ import annotations

import tempfile

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from colony.loans import LoanResult, LoanStatus
from colony.loans.rules import daily_interest, principal_due_by, share_of
from tests.loans.world import World, make_world

PRINCIPAL = 1_000_00
RATE = 1_800  # cash_3m

steps = st.lists(
    st.tuples(st.integers(0, 25), st.integers(0, PRINCIPAL + 5_000)), min_size=1, max_size=6
)


class Model:
    """The loan as the rules state them: daily interest on principal outstanding, collections
    on due days of interest owed and the principal due, repayments interest first."""

    def __init__(self, due_days: tuple[int, ...], parts: tuple[int, ...]) -> None:
        self.principal, self.interest, self.repaid = PRINCIPAL, 0, 0
        self.due_days, self.parts = due_days, parts

    def day(self, day: int) -> None:
        self.interest += daily_interest(self.principal, RATE)
        due = max(0, principal_due_by(day, self.due_days, self.parts) - self.repaid)
        if (due or day in self.due_days or day > self.due_days[-1]) and due + self.interest:
            self.pay(self.interest + due)

    def pay(self, amount: int) -> None:
        interest = min(amount, self.interest)
        self.interest -= interest
        self.principal -= amount - interest
        self.repaid += amount - interest


@settings(max_examples=20, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(steps)
def test_repayments_keep_to_the_model(plan: list[tuple[int, int]]) -> None:
    with tempfile.TemporaryDirectory() as folder:
        world = make_world(f"sqlite:///{folder}/c.db")
        try:
            _check(world, plan)
        finally:
            world.close()


def _check(world: World, plan: list[tuple[int, int]]) -> None:
    alice = world.person(cash_minor=10_000_00)
    world.fund(10_000_00)
    _, loan = world.loans.apply(alice, "cash_3m", "daily", PRINCIPAL, world.ids.new_id())
    assert loan is not None
    model = Model(loan.due_days, loan.principal_parts)
    day = loan.disbursed_day
    for key, (days, amount) in enumerate(plan, start=1):
        for _ in range(days):
            day += 1
            world.run_day(day)
            model.day(day)
        state = world.loans.state(world.loans.loan(loan.id), day)  # type: ignore[arg-type]
        result, repayment = world.loans.repay(alice, loan.id, amount, 1 << 126 | key)
        if model.principal + model.interest == 0:
            assert result in (LoanResult.loan_closed, LoanResult.amount_must_be_positive)
        elif amount == 0:
            assert result is LoanResult.amount_must_be_positive
        elif amount > state.still_owed:
            assert result is LoanResult.amount_exceeds_owed
        else:
            assert result is LoanResult.ok and repayment is not None
            model.pay(amount)
        assert world.balance(loan.account_id) == model.principal >= 0
        assert world.balance(loan.interest_account_id) == model.interest >= 0
    rest = model.principal + model.interest
    if rest:
        assert world.loans.repay(alice, loan.id, rest, 1 << 126 | 999)[0] is LoanResult.ok
        model.pay(rest)
    closed = world.loans.loan(loan.id)
    assert closed is not None and closed.status is LoanStatus.repaid
    assert model.repaid == PRINCIPAL
    made = world.loans.repayments(closed)
    assert sum(r.principal_minor for r in made) == PRINCIPAL
    shares = sum(share_of(r.interest_minor, 6_000) for r in made)
    (balance,) = world.lenders.lenders()
    assert balance.capital_minor == 10_000_00 + shares
    assert balance.available_minor == 10_000_00
    assert set(world.trial_balance().values()) == {0}

"""The credit line over months, worked by hand: a bill paid in full costs nothing, a plan's
parts and fees arrive on the bills after it, the minimum paid leaves the rest revolving with
daily interest, a missed minimum freezes the line and adds penalty interest until paid, and
a line left unpaid is charged off, with later payments counted as recoveries."""

from __future__ import annotations

import datetime as dt

from hypothesis import given, settings
from hypothesis import strategies as st

from colony.credit.billing import OverdueBucket, charge_off_days, overdue_bucket
from colony.credit.line_model import Line, LineResult

D = dt.date


def run_to(line: Line, day: dt.date) -> None:
    while line.today < day:
        line.close_day()


def opened(limit_minor: int = 500_000) -> Line:
    result, line = Line.open(limit_minor, 9, D(2027, 1, 1))
    assert result is LineResult.ok and line is not None
    return line


def test_a_line_through_five_bills() -> None:
    line = opened()
    run_to(line, D(2027, 1, 10))
    assert line.buy(100_000) is LineResult.ok
    assert line.available_minor == 400_000

    run_to(line, D(2027, 2, 1))  # bill 1: the month's purchases, a tenth as the minimum
    bill = line.history[-1]
    assert (bill.due, bill.total_minor, bill.minimum_minor) == (D(2027, 2, 9), 100_000, 10_000)
    run_to(line, D(2027, 2, 5))
    assert line.pay(100_000) == 0  # in full, before the due day: no interest, ever
    run_to(line, D(2027, 2, 12))
    assert line.buy(60_000) is LineResult.ok
    assert line.split_purchase(60_000, 3) is LineResult.ok  # 2.5%: 15.00 over 3 months
    assert line.available_minor == 440_000  # a plan's principal still counts
    run_to(line, D(2027, 2, 20))
    assert line.buy(30_000) is LineResult.ok

    run_to(line, D(2027, 3, 1))  # bill 2: purchases, the plan's first part and its fee
    bill = line.history[-1]
    assert (bill.purchases_minor, bill.instalments_minor, bill.fees_minor) == (30_000, 20_000, 500)
    assert (bill.interest_minor, bill.total_minor, bill.minimum_minor) == (0, 50_500, 23_500)
    run_to(line, D(2027, 3, 9))
    assert line.pay(23_500) == 0  # just the minimum: 270.00 revolves from the due day

    run_to(line, D(2027, 4, 1))  # bill 3: 22 days of 0.05% on 270.00 (13.5 -> 14 a day)
    bill = line.history[-1]
    assert (bill.carried_minor, bill.interest_minor, bill.instalments_minor) == (
        27_000,
        308,
        20_000,
    )
    assert (bill.total_minor, bill.minimum_minor) == (47_808, 2_700 + 20_808)
    run_to(line, D(2027, 4, 10))  # nothing paid by the 9th: overdue, frozen
    assert (line.days_overdue, line.frozen) == (1, True)
    assert overdue_bucket(line.days_overdue) is OverdueBucket.days_1_30
    assert line.buy(100) is LineResult.line_frozen

    run_to(line, D(2027, 5, 1))  # bill 4: interest on all carried, penalty on the missed minimum
    bill = line.history[-1]
    # April: 9 days at 14 (270.00 still on bill 3), then 21 days at 24 (478.08 carried);
    # penalty 21 days at 12 (0.05% of the missed 235.08).
    assert (bill.interest_minor, bill.penalty_minor) == (9 * 14 + 21 * 24, 21 * 12)
    assert (bill.overdue_minor, bill.carried_minor) == (23_508, 47_808 - 23_508)
    assert bill.instalments_minor == 20_000 and bill.fees_minor == 500  # the plan's last part
    assert bill.total_minor == 69_190
    assert bill.minimum_minor == 2_430 + (69_190 - 24_300)  # the missed minimum in full
    run_to(line, D(2027, 5, 5))
    # Paying the bill's total four days on: those days' interest (4 x 24) and penalty
    # (4 x 12) are paid first, so 1.44 of the bill stays, and the line thaws.
    assert line.pay(69_190) == 0
    assert (line.frozen, line.days_overdue, line.owed_on_bill_minor) == (False, 0, 144)
    assert line.buy(100) is LineResult.ok

    run_to(line, D(2027, 6, 1))  # bill 5: 1.44 carried (0.072 a day rounds to nothing) and 1.00
    bill = line.history[-1]
    assert (bill.carried_minor, bill.interest_minor, bill.purchases_minor) == (144, 0, 100)
    assert (bill.total_minor, bill.minimum_minor) == (244, 25)
    assert line.used_minor == 244 and line.plans == []


def test_a_refund_pays_the_line_down_and_beyond_it_leaves_a_credit() -> None:
    line = opened()
    run_to(line, D(2027, 1, 10))
    line.buy(10_000)
    assert line.refund(4_000) is LineResult.ok
    assert line.used_minor == 6_000
    run_to(line, D(2027, 2, 1))
    assert line.history[-1].total_minor == 6_000
    assert line.refund(10_000) is LineResult.ok  # more than owed: 40.00 of credit
    assert (line.owed_on_bill_minor, line.unbilled_minor) == (0, -4_000)
    line.buy(5_000)
    run_to(line, D(2027, 3, 1))
    assert line.history[-1].total_minor == 1_000


def test_an_unpaid_line_is_charged_off_and_later_payments_recover() -> None:
    line = opened()
    run_to(line, D(2027, 1, 10))
    line.buy(10_000)
    run_to(line, D(2027, 2, 9) + dt.timedelta(days=charge_off_days - 1))
    assert line.days_overdue == charge_off_days - 1 and line.charged_off_minor == 0
    assert overdue_bucket(line.days_overdue) is OverdueBucket.days_over_90
    line.close_day()
    assert line.charged_off_minor > 10_000  # the principal, and the interest billed on it
    assert (line.used_minor, line.frozen, line.days_overdue) == (0, True, 0)
    written = line.charged_off_minor
    line.close_day()
    assert line.charged_off_minor == written  # nothing accrues on a debt written off
    assert line.pay(5_000) == 0
    assert (line.recovered_minor, line.charged_off_minor) == (5_000, written - 5_000)
    assert line.pay(written) == 5_000  # all recovered; what is more stays with the person
    assert line.charged_off_minor == 0 and line.closed
    assert line.buy(100) is LineResult.line_frozen  # closed for good


def test_what_is_not_a_purchase_or_a_plan_is_refused() -> None:
    line = opened(limit_minor=10_000)
    assert line.buy(0) is LineResult.amount_must_be_positive
    assert line.buy(10_001) is LineResult.over_limit
    assert line.buy(10_000) is LineResult.ok
    assert line.split_purchase(10_001, 3) is LineResult.nothing_to_split
    assert line.split_purchase(5_000, 4) is LineResult.plan_not_offered
    assert Line.open(10_000, 11, D(2027, 1, 1)) == (LineResult.invalid_due_day, None)


_ACTIONS = st.lists(
    st.tuples(
        st.sampled_from(["buy", "refund", "split", "pay", "wait"]),
        st.integers(1, 200_000),
        st.sampled_from([3, 6, 12]),
        st.integers(0, 40),
    ),
    max_size=40,
)


@settings(max_examples=150, deadline=None)
@given(actions=_ACTIONS)
def test_any_line_keeps_its_limit_and_its_books(
    actions: list[tuple[str, int, int, int]],
) -> None:
    """Whatever a person does, in any order: the limit holds (a purchase above what is
    available is refused), nothing owed goes below zero, and paying everything owed leaves
    the line owing nothing."""
    line = opened(limit_minor=300_000)
    for action, amount, months, days in actions:
        if action == "buy":
            before = line.available_minor
            result = line.buy(amount)
            assert (result is LineResult.ok) == (amount <= before and not line.frozen)
        elif action == "refund":
            line.refund(amount)
        elif action == "split":
            line.split_purchase(min(amount, max(line.unbilled_minor, 1)), months)
        elif action == "pay":
            line.pay(amount)
        for _ in range(days):
            line.close_day()
        assert line.used_minor <= line.limit_minor + line.interest_due_minor + 10**6
        assert min(line.carried_minor, line.overdue_minor, line.owed_on_bill_minor) >= 0
        assert line.overdue_minor <= line.carried_minor
        assert 0 <= line.available_minor <= line.limit_minor
    owed = (
        line.penalty_due_minor + line.interest_due_minor + line.carried_minor
        + line.owed_on_bill_minor + max(line.unbilled_minor, 0) + line.charged_off_minor
    )  # fmt: skip
    assert line.pay(owed) == 0
    assert line.used_minor == line.plan_principal_minor
    assert line.frozen == (line.closed or line.overdue_since is not None)
    assert line.charged_off_minor == 0

"""The credit line's bill rules as tables: bill and due dates, the minimum, instalment plans
and their fees, daily interest, overdue days and buckets, charge-off."""

from __future__ import annotations

import datetime as dt

import pytest
from hypothesis import given
from hypothesis import strategies as st

from colony.credit.billing import (
    DUE_DAYS,
    PLAN_FEE_BPS,
    Bill,
    BillingResult,
    OverdueBucket,
    bill_date,
    ceil_bps,
    charge_off_days,
    charged_off,
    check_due_day,
    days_overdue,
    due_date,
    half_up_bps,
    instalment_plan,
    overdue_bucket,
)

D = dt.date


@pytest.mark.parametrize(
    ("bought", "billed", "due_day", "due"),
    [
        (D(2027, 1, 15), D(2027, 2, 1), 8, D(2027, 2, 8)),
        (D(2027, 1, 31), D(2027, 2, 1), 10, D(2027, 2, 10)),
        (D(2027, 12, 1), D(2028, 1, 1), 9, D(2028, 1, 9)),  # across the year
    ],
)
def test_a_months_purchases_are_billed_on_the_1st_and_due_on_the_chosen_day(
    bought: dt.date, billed: dt.date, due_day: int, due: dt.date
) -> None:
    assert bill_date(bought) == billed
    assert due_date(billed, due_day) == due
    assert bill_date(billed - dt.timedelta(days=1)) == billed  # the month's last day, too


def test_only_the_offered_due_days_are_taken() -> None:
    assert [check_due_day(d) for d in (7, 8, 9, 10, 11)] == [
        BillingResult.invalid_due_day, BillingResult.ok, BillingResult.ok, BillingResult.ok,
        BillingResult.invalid_due_day,
    ]  # fmt: skip
    assert DUE_DAYS == (8, 9, 10)


@pytest.mark.parametrize(
    ("amount", "bps", "up", "half_up"),
    [(1_000, 1_000, 100, 100), (1_001, 1_000, 101, 100), (1_005, 1_000, 101, 101),
     (10_000, 5, 5, 5), (9_999, 5, 5, 5), (9_000, 5, 5, 5), (8_999, 5, 5, 4), (0, 5, 0, 0)],
)  # fmt: skip
def test_shares_round_up_when_asked_and_half_up_when_charged(
    amount: int, bps: int, up: int, half_up: int
) -> None:
    assert (ceil_bps(amount, bps), half_up_bps(amount, bps)) == (up, half_up)


# (amount, instalments, [(principal, fee)])
PLANS = {
    # 1,000.00 over 3: 2.5% fee = 25.00, 8.33 a month with the cent left in the first.
    "3 months": (100_000, 3, [(33_333, 834), (33_333, 833), (33_334, 833)]),
    "6 months": (60_000, 6, [(10_000, 450)] * 6),  # 4.5% of 600.00 = 27.00, 4.50 a month
    # 12 months, 7.5% of 100.01 = 7.50075 -> 7.50; 0.62 a month, 0.06 left in the first.
    "12 months": (10_001, 12, [(833, 68)] + [(833, 62)] * 10 + [(838, 62)]),
}


@pytest.mark.parametrize("plan", PLANS)
def test_instalment_plans(plan: str) -> None:
    amount, n, expected = PLANS[plan]
    result, parts = instalment_plan(amount, n)
    assert result is BillingResult.ok
    assert [(p.principal_minor, p.fee_minor) for p in parts] == expected
    assert [p.number for p in parts] == list(range(1, n + 1))
    assert sum(p.principal_minor for p in parts) == amount
    assert sum(p.fee_minor for p in parts) == half_up_bps(amount, PLAN_FEE_BPS[n])


@pytest.mark.parametrize(
    ("amount", "n", "result"),
    [(1_000, 4, BillingResult.plan_not_offered), (0, 3, BillingResult.amount_must_be_positive)],
)
def test_plans_not_offered_are_refused(amount: int, n: int, result: BillingResult) -> None:
    assert instalment_plan(amount, n) == (result, ())


@given(st.integers(1, 10**12), st.sampled_from(sorted(PLAN_FEE_BPS)))
def test_any_plan_repays_the_amount_and_its_fee_exactly(amount: int, n: int) -> None:
    _, parts = instalment_plan(amount, n)
    assert sum(p.principal_minor for p in parts) == amount
    assert sum(p.fee_minor for p in parts) == half_up_bps(amount, PLAN_FEE_BPS[n])
    assert all(p.principal_minor >= 0 and p.fee_minor >= 0 for p in parts)


def _bill(**amounts: int) -> Bill:
    fields = {"purchases_minor": 0, "instalments_minor": 0, "fees_minor": 0,
              "interest_minor": 0, "penalty_minor": 0, "carried_minor": 0,
              "overdue_minor": 0} | amounts  # fmt: skip
    return Bill(D(2027, 2, 1), D(2027, 2, 8), **fields)


@pytest.mark.parametrize(
    ("amounts", "total", "minimum"),
    [
        ({}, 0, 0),
        ({"purchases_minor": 12_345}, 12_345, 1_235),  # 10%, rounded up
        # Instalments, fees, interest, penalty and what is carried are asked in full.
        ({"purchases_minor": 10_000, "instalments_minor": 3_333, "fees_minor": 83}, 13_416, 4_416),
        # What revolves (purchases and what was carried, minimums met) asks a tenth; interest,
        # penalty and a missed minimum are asked in full.
        ({"purchases_minor": 5_000, "carried_minor": 2_000, "penalty_minor": 30,
          "interest_minor": 70, "overdue_minor": 400}, 7_500, 1_200),
        ({"purchases_minor": -500, "carried_minor": 2_000}, 1_500, 150),  # refunds exceeded
        ({"purchases_minor": -500}, -500, 0),  # a credit: nothing is asked
    ],
)  # fmt: skip
def test_the_minimum_is_a_tenth_of_purchases_and_the_rest_in_full(
    amounts: dict[str, int], total: int, minimum: int
) -> None:
    bill = _bill(**amounts)
    assert (bill.total_minor, bill.minimum_minor) == (total, minimum)


@pytest.mark.parametrize(
    ("today", "paid", "days", "bucket"),
    [
        (D(2027, 2, 8), False, 0, OverdueBucket.current),  # due today: not late yet
        (D(2027, 2, 9), False, 1, OverdueBucket.days_1_30),
        (D(2027, 3, 10), False, 30, OverdueBucket.days_1_30),
        (D(2027, 3, 11), False, 31, OverdueBucket.days_31_60),
        (D(2027, 4, 9), False, 60, OverdueBucket.days_31_60),
        (D(2027, 4, 10), False, 61, OverdueBucket.days_61_90),
        (D(2027, 5, 9), False, 90, OverdueBucket.days_61_90),
        (D(2027, 5, 10), False, 91, OverdueBucket.days_over_90),
        (D(2027, 5, 10), True, 0, OverdueBucket.current),  # the minimum was paid
    ],
)
def test_overdue_days_and_buckets(
    today: dt.date, paid: bool, days: int, bucket: OverdueBucket
) -> None:
    counted = days_overdue(D(2027, 2, 8), today, paid)
    assert (counted, overdue_bucket(counted)) == (days, bucket)


def test_a_debt_is_charged_off_after_the_stated_days() -> None:
    assert not charged_off(charge_off_days - 1) and charged_off(charge_off_days)

"""The day's rules as tables: interest on the daily method against Decimal's ROUND_HALF_UP,
the schedule's interest spread by day summing to each period's, days overdue, buckets and
provision."""

from __future__ import annotations

import itertools
from decimal import ROUND_HALF_UP, Decimal

import pytest
from hypothesis import given
from hypothesis import strategies as st

from colony.loans import InterestMethod
from colony.loans.rules import (
    BUCKETS,
    bucket_of,
    daily_interest,
    days_overdue,
    interest_on,
    penalty_on,
    principal_due_by,
    provision_for,
    scheduled_interest_on,
    share_of,
)


def _decimal_daily(principal: int, bps: int) -> int:
    exact = Decimal(principal) * Decimal(bps) / Decimal(10_000) / Decimal(365)
    return int(exact.quantize(Decimal(1), rounding=ROUND_HALF_UP))


@pytest.mark.parametrize(
    ("principal", "bps", "interest"),
    [
        (100_000, 1_800, 49),  # 1,000.00 at 18%: 0.4932 -> 0.49
        (50_000, 1_800, 25),  # 0.2466 -> 0.25
        (1_000_000, 2_400, 658),  # 6.5753 -> 6.58
        (365, 10_000, 1),  # 1 exactly
        (1_825, 1_000, 1),  # 0.5 exactly rounds up
        (1_824, 1_000, 0),  # 0.49973 rounds down
        (0, 1_800, 0),
        (100_000, 0, 0),
        (10**15, 10_000, 2_739_726_027_397),  # the largest principal, 100%
    ],
)
def test_daily_interest_is_actual_over_365_half_up(principal: int, bps: int, interest: int) -> None:
    assert daily_interest(principal, bps) == interest == _decimal_daily(principal, bps)


@given(st.integers(0, 10**15), st.integers(0, 10_000))
def test_daily_interest_agrees_with_decimal(principal: int, bps: int) -> None:
    assert daily_interest(principal, bps) == _decimal_daily(principal, bps)


DUE = (31, 59, 90)
PARTS = (300, 300, 400)
INTEREST = (1_500, 1_007, 507)


@pytest.mark.parametrize(
    ("day", "interest"),
    [
        (0, 0),  # the day it was made: nothing yet
        (1, 48),  # 1500 * 1/31 = 48.39
        (2, 49),  # 96.77 -> 97, less 48
        (31, 48),  # the period's last day
        (32, 36),  # 1007 over 28 days: 35.96
        (91, 0),  # after the last due day: nothing scheduled
    ],
)
def test_the_schedules_interest_is_spread_over_its_period(day: int, interest: int) -> None:
    assert scheduled_interest_on(day, 0, DUE, INTEREST) == interest


def test_each_period_accrues_exactly_its_scheduled_interest() -> None:
    starts = (0, *DUE[:-1])
    for start, end, whole in zip(starts, DUE, INTEREST, strict=True):
        spread = [scheduled_interest_on(d, 0, DUE, INTEREST) for d in range(start + 1, end + 1)]
        assert sum(spread) == whole


def test_the_method_picks_the_rule() -> None:
    daily = interest_on(5, InterestMethod.daily, 1_800, 100_000, 0, DUE, INTEREST)
    scheduled = interest_on(5, InterestMethod.schedule, 1_800, 100_000, 0, DUE, INTEREST)
    assert (daily, scheduled) == (49, 48)
    assert interest_on(0, InterestMethod.daily, 1_800, 100_000, 0, DUE, INTEREST) == 0


@pytest.mark.parametrize(
    ("day", "paid", "due_by", "overdue"),
    [
        (30, 0, 0, 0),
        (31, 0, 300, 0),  # due today: not yet late
        (32, 0, 300, 1),
        (32, 299, 300, 1),  # a cent short is late
        (32, 300, 300, 0),
        (60, 300, 600, 1),  # the second instalment, a day late
        (60, 0, 600, 29),  # the oldest unpaid instalment counts
        (200, 1_000, 1_000, 0),  # all repaid
        (200, 600, 1_000, 110),
    ],
)
def test_days_overdue_count_from_the_oldest_unpaid_instalment(
    day: int, paid: int, due_by: int, overdue: int
) -> None:
    assert principal_due_by(day, DUE, PARTS) == due_by
    assert days_overdue(day, DUE, PARTS, paid) == overdue


@pytest.mark.parametrize(
    ("days", "bucket", "provided"),
    [(0, 0, 1_000), (1, 1, 10_000), (30, 1, 10_000), (31, 2, 30_000), (60, 2, 30_000),
     (61, 3, 60_000), (90, 3, 60_000), (91, 4, 100_000), (179, 4, 100_000)],
)  # fmt: skip
def test_buckets_and_their_provision(days: int, bucket: int, provided: int) -> None:
    assert bucket_of(days) == bucket
    assert provision_for(100_000, days) == provided


def test_the_buckets_run_on_from_day_zero_without_a_gap() -> None:
    # bucket_of finds a loan's bucket by the last day alone: that holds only for these.
    assert BUCKETS[0][0] == 0
    for before, after in itertools.pairwise(BUCKETS):
        assert after[0] == before[1] + 1
    with pytest.raises(ValueError, match="negative"):
        bucket_of(-1)


def test_penalty_and_shares_round_half_up() -> None:
    assert penalty_on(33_333) == 33  # 36.5% a year: 0.1% a day of 333.33 = 0.333
    assert penalty_on(50_000) == 50
    assert share_of(336, 6_000) == 202  # 201.6
    assert share_of(1_500, 6_000) == 900
    assert share_of(5, 5_000) == 3  # 2.5 rounds up

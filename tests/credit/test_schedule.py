"""Repayment schedules: table tests of the stated rules (annuity and equal principal, zero
rate, one instalment, 0- and 3-decimal currencies, month ends), and properties that hold for
any terms (principal sums to P, the balance never goes below zero and never rises)."""

from __future__ import annotations

import datetime as dt
import itertools
from decimal import Decimal

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from colony.credit import (
    Method,
    ScheduleResult,
    annual_rate_bps_max,
    annuity_instalment,
    due_date,
    instalments_max,
    periodic_rate,
    principal_minor_max,
    schedule,
)

JAN_31 = dt.date(2027, 1, 31)


def rows(
    p: int, bps: int, n: int, method: Method, first: dt.date = JAN_31
) -> list[tuple[int, ...]]:
    result, made = schedule(p, bps, n, method, first)
    assert result is ScheduleResult.ok and made is not None
    return [(i.principal_minor, i.interest_minor, i.total_minor, i.balance_after_minor)
            for i in made.instalments]  # fmt: skip


# (principal, annual bps, instalments, method, [(principal, interest, total, balance after)])
CASES = {
    # SGD 1,200.00 at 12% over 3 months: r = 0.01, A = 120000*0.01/(1-1.01^-3) = 40802.65 -> 40803.
    "annuity, 2 decimals": (120_000, 1200, 3, Method.annuity, [
        (39_603, 1_200, 40_803, 80_397),
        (39_999, 804, 40_803, 40_398),
        (40_398, 404, 40_802, 0),  # the last pays what is left
    ]),
    # JPY 100,000 at 18% over 2 months: r = 0.015, A = 1500 / (1 - 1.015^-2) = 51,127.8 -> 51,128.
    "annuity, 0 decimals": (100_000, 1800, 2, Method.annuity, [
        (49_628, 1_500, 51_128, 50_372),
        (50_372, 756, 51_128, 0),  # 50372 * 0.015 = 755.58 -> 756
    ]),
    # KWD 1.000 at 5% over 2 months: r = 0.00416..., A = 503.13 -> 503 fils.
    "annuity, 3 decimals": (1_000, 500, 2, Method.annuity, [
        (499, 4, 503, 501),
        (501, 2, 503, 0),
    ]),
    "annuity, zero rate: P/N, the last evens out": (1_000, 0, 3, Method.annuity, [
        (333, 0, 333, 667),
        (333, 0, 333, 334),
        (334, 0, 334, 0),
    ]),
    "annuity, zero rate, P/N rounded half-up": (5, 0, 2, Method.annuity, [
        (3, 0, 3, 2),
        (2, 0, 2, 0),
    ]),
    "a few minor units over many periods: never below zero": (4, 0, 6, Method.annuity, [
        (1, 0, 1, 3), (1, 0, 1, 2), (1, 0, 1, 1), (1, 0, 1, 0), (0, 0, 0, 0), (0, 0, 0, 0),
    ]),
    "one instalment: principal and a month's interest": (100_000, 1200, 1, Method.annuity, [
        (100_000, 1_000, 101_000, 0),
    ]),
    # Equal principal: floor(1000/3) = 333 each, the remainder in the last; interest on the
    # balance at r = 0.01: 10, 6.67 -> 7, 3.34 -> 3.
    "equal principal": (1_000, 1200, 3, Method.equal_principal, [
        (333, 10, 343, 667),
        (333, 7, 340, 334),
        (334, 3, 337, 0),
    ]),
    "equal principal, one instalment": (999, 1200, 1, Method.equal_principal, [
        (999, 10, 1_009, 0),  # 9.99 -> 10
    ]),
    "equal principal, zero rate, 0 decimals": (10, 0, 4, Method.equal_principal, [
        (2, 0, 2, 8), (2, 0, 2, 6), (2, 0, 2, 4), (4, 0, 4, 0),
    ]),
}  # fmt: skip


@pytest.mark.parametrize("case", CASES)
def test_each_schedule(case: str) -> None:
    p, bps, n, method, expected = CASES[case]
    assert rows(p, bps, n, method) == expected


def test_the_instalment_of_a_year_at_12_percent() -> None:
    # The figure every amortisation table gives: 1,200.00 over 12 months at 12% is 106.62.
    assert annuity_instalment(120_000, periodic_rate(1200), 12) == 10_662
    assert periodic_rate(1200) == Decimal("0.01")
    # 1/1200 has no end: carried to 60 digits, never rounded to a few.
    assert abs(periodic_rate(1000) * 12 * 10_000 - 1000) < Decimal("1e-50")


@pytest.mark.parametrize(
    ("first", "months", "expected"),
    [
        (JAN_31, 0, JAN_31),
        (JAN_31, 1, dt.date(2027, 2, 28)),  # clamped to the month's end
        (JAN_31, 2, dt.date(2027, 3, 31)),  # and back to the 31st: kept from the first
        (dt.date(2027, 12, 31), 2, dt.date(2028, 2, 29)),  # a leap year's February
        (dt.date(2027, 11, 15), 1, dt.date(2027, 12, 15)),
        (dt.date(2027, 11, 15), 2, dt.date(2028, 1, 15)),  # across the year
        (dt.date(2027, 1, 30), 1, dt.date(2027, 2, 28)),
    ],
)
def test_due_dates_keep_the_day_of_month(first: dt.date, months: int, expected: dt.date) -> None:
    assert due_date(first, months) == expected


def test_the_schedule_is_due_monthly_from_the_first_date() -> None:
    _, made = schedule(1_000, 1200, 4, Method.annuity, JAN_31)
    assert made is not None
    assert [i.due_date.isoformat() for i in made.instalments] == [
        "2027-01-31", "2027-02-28", "2027-03-31", "2027-04-30",
    ]  # fmt: skip
    assert [i.number for i in made.instalments] == [1, 2, 3, 4]


@pytest.mark.parametrize(
    ("p", "bps", "n", "result"),
    [
        (0, 1200, 12, ScheduleResult.principal_must_be_positive),
        (-5, 1200, 12, ScheduleResult.principal_must_be_positive),
        (principal_minor_max + 1, 1200, 12, ScheduleResult.principal_too_large),
        (1_000, 1200, 0, ScheduleResult.instalments_out_of_range),
        (1_000, 1200, instalments_max + 1, ScheduleResult.instalments_out_of_range),
        (1_000, -1, 12, ScheduleResult.rate_out_of_range),
        (1_000, annual_rate_bps_max + 1, 12, ScheduleResult.rate_out_of_range),
    ],
)
def test_terms_out_of_range_are_refused(p: int, bps: int, n: int, result: ScheduleResult) -> None:
    assert schedule(p, bps, n, Method.annuity, JAN_31) == (result, None)


def test_a_last_instalment_past_the_calendar_is_refused() -> None:
    last_month = dt.date(9999, 11, 30)
    assert schedule(1_000, 1200, 3, Method.annuity, last_month) == (
        ScheduleResult.last_due_too_late,
        None,
    )
    result, made = schedule(1_000, 1200, 2, Method.annuity, last_month)
    assert result is ScheduleResult.ok and made is not None
    assert made.instalments[-1].due_date == dt.date(9999, 12, 30)


def test_every_refusal_is_covered() -> None:
    covered = {ScheduleResult.ok, *(
        schedule(p, bps, n, Method.annuity, JAN_31)[0]
        for p, bps, n in [(0, 1, 1), (principal_minor_max + 1, 1, 1), (1, 1, 0), (1, -1, 1)]
    ), schedule(1, 1, 2, Method.annuity, dt.date(9999, 12, 1))[0]}  # fmt: skip
    assert covered == set(ScheduleResult)


@settings(max_examples=300, deadline=None)
@given(
    p=st.integers(1, principal_minor_max),
    bps=st.integers(0, annual_rate_bps_max),
    n=st.integers(1, 120),
    method=st.sampled_from(Method),
    first=st.dates(dt.date(2000, 1, 1), dt.date(2090, 12, 31)),
)
def test_any_schedule_repays_the_principal_exactly(
    p: int, bps: int, n: int, method: Method, first: dt.date
) -> None:
    result, made = schedule(p, bps, n, method, first)
    assert result is ScheduleResult.ok and made is not None
    lines = made.instalments
    assert len(lines) == n
    assert sum(i.principal_minor for i in lines) == p
    assert lines[-1].balance_after_minor == 0
    balance = p
    for i in lines:
        assert i.principal_minor >= 0 and i.interest_minor >= 0
        assert 0 <= i.balance_after_minor == balance - i.principal_minor <= balance
        # Interest is always the balance before it times r, rounded half-up.
        exact = Decimal(balance) * periodic_rate(bps)
        assert abs(Decimal(i.interest_minor) - exact) <= Decimal("0.5")
        balance = i.balance_after_minor
    assert all(a.due_date < b.due_date for a, b in itertools.pairwise(lines))
    assert made.total_interest_minor == sum(i.interest_minor for i in lines)
    if bps == 0:
        assert made.total_interest_minor == 0

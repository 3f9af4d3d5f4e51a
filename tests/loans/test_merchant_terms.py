"""The terms of a loan to a merchant as tables: the offer from a score and 90 days of sales,
and where a loan stands against its 30-day minimum."""

from __future__ import annotations

import pytest

from colony.credit import DECLINED
from colony.loans import LoanResult
from colony.loans.merchant_terms import (
    OfferReason,
    offer_for,
    period_minimum,
    sales_days_min,
    standing,
)


def days(net_minor: int, selling: int = 90) -> list[int]:
    """90 days of net sales: `selling` days of `net_minor` each, the rest nothing."""
    return [net_minor] * selling + [0] * (90 - selling)


@pytest.mark.parametrize(
    ("band", "limit", "sales", "loan_open", "result", "reason", "principal"),
    [
        # 100.00 a day is 3,000.00 a month: half of it is offered, in whole units.
        ("good", 10_000_00, days(100_00), False, LoanResult.ok, OfferReason.sales, 1_500_00),
        ("good", 10_000_00, days(100_33), False, LoanResult.ok, OfferReason.sales, 1_504_00),
        # the score's limit is less: it is offered
        ("fair", 1_200_50, days(100_00), False, LoanResult.ok, OfferReason.score_limit, 1_200_00),
        # a large merchant meets the most one loan lends
        ("good", 10**12, days(10**8), False, LoanResult.ok, OfferReason.loan_cap, 50_000_00),
        # refusals, in order: a loan open, too little history, the score, too little to lend
        ("good", 10_000_00, days(100_00), True, LoanResult.too_many_open_loans,
         OfferReason.loan_open, 0),
        ("good", 10_000_00, days(100_00, sales_days_min - 1), False,
         LoanResult.too_little_history, OfferReason.too_little_history, 0),
        ("good", 10_000_00, days(100_00, sales_days_min), False, LoanResult.ok,
         OfferReason.sales, 333_00),
        (DECLINED, 0, days(100_00), False, LoanResult.declined, OfferReason.score_too_low, 0),
        ("good", 10_000_00, days(6_00), False, LoanResult.sales_too_small,
         OfferReason.sales_too_small, 0),
        ("good", 99_99, days(100_00), False, LoanResult.sales_too_small,
         OfferReason.sales_too_small, 0),
        # refunds beyond sales offer nothing
        ("good", 10_000_00, days(-5_00), False, LoanResult.too_little_history,
         OfferReason.too_little_history, 0),
    ],
)  # fmt: skip
def test_the_offer(
    band: str,
    limit: int,
    sales: list[int],
    loan_open: bool,
    result: LoanResult,
    reason: OfferReason,
    principal: int,
) -> None:
    offer = offer_for(
        band=band, limit_minor=limit, daily_net_minor=sales, loan_open=loan_open, scale=2
    )
    assert (offer.result, offer.reason, offer.principal_minor) == (result, reason, principal)
    if result is LoanResult.ok:
        assert offer.fee_minor == principal * 5 // 100
        assert offer.period_minimum_minor * offer.periods >= principal + offer.fee_minor
        assert (offer.period_minimum_minor - 1) * offer.periods < principal + offer.fee_minor


def test_an_offer_in_a_currency_without_minor_units() -> None:
    offer = offer_for(
        band="good", limit_minor=10**9, daily_net_minor=days(301), loan_open=False, scale=0
    )
    assert offer.principal_minor == 4_515 and offer.fee_minor == 226


@pytest.mark.parametrize(
    ("principal", "fee", "minimum"),
    [(1_000_00, 50_00, 175_00), (1_000_01, 50_00, 175_01), (100_00, 5_00, 17_50)],
)
def test_the_period_minimum_is_rounded_up(principal: int, fee: int, minimum: int) -> None:
    assert period_minimum(principal, fee) == minimum


MADE = 1_000  # the loan is made on day 1,000: day 1,001 is the first collected
OWED = 1_050_00
MIN = 175_00


@pytest.mark.parametrize(
    ("day", "paid", "period", "due", "paid_in_period", "arrears", "overdue"),
    [
        (1_001, {}, 1, MIN, 0, 0, 0),
        (1_030, {1_001: 100_00}, 1, MIN, 100_00, 0, 0),
        # day 1,030 ends period 1; the day after, it is short by 75.00: one day overdue
        (1_031, {1_001: 100_00}, 2, 2 * MIN - 100_00, 0, 75_00, 1),
        (1_031, {1_030: 175_00}, 2, MIN, 0, 0, 0),
        (1_045, {1_001: 100_00, 1_040: 50_00}, 2, 2 * MIN - 100_00, 50_00, 25_00, 15),
        # caught up within period 2
        (1_045, {1_001: 100_00, 1_040: 80_00}, 2, 2 * MIN - 100_00, 80_00, 0, 0),
        # paying ahead carries into the periods after
        (1_061, {1_001: 400_00}, 3, 3 * MIN - 400_00, 0, 0, 0),
        # nothing for two periods: overdue from the end of the first
        (1_061, {}, 3, 3 * MIN, 0, 2 * MIN, 31),
        # the minimum never asks beyond what is owed
        (1_181, {}, 7, OWED, 0, OWED, 151),
    ],
)  # fmt: skip
def test_the_standing_against_the_minimum(
    day: int,
    paid: dict[int, int],
    period: int,
    due: int,
    paid_in_period: int,
    arrears: int,
    overdue: int,
) -> None:
    s = standing(MADE, day, OWED, MIN, paid)
    assert (s.period, s.period_due_minor, s.period_paid_minor, s.arrears_minor,
            s.days_overdue) == (period, due, paid_in_period, arrears, overdue)  # fmt: skip
    assert s.delinquent is (arrears > 0)
    assert s.period_last_day - s.period_first_day == 29

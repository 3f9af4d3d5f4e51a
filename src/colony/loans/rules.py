"""The rules of a cash loan's day, stated once and pure (docs/adr/0051): what a day's interest
and penalty are, what is due, how many days it is overdue, its bucket and what is provided
for it. Amounts are integer minor units; rates are basis points a year.

- Day count: actual/365 fixed. A day's interest on the daily method is
  principal outstanding * R / 10000 / 365, rounded half-up to the minor unit (exact integer
  arithmetic, the same as Decimal's ROUND_HALF_UP).
- On the schedule method each period's scheduled interest I (credit.schedule, annuity) is
  spread over the period's days: interest accrued k days into a period of n days is
  I * k / n rounded half-up, and a day's interest is the difference of two of those, so a
  period accrues exactly I. Nothing accrues after the last due day but penalty.
- Penalty: the principal overdue (due before the day, not repaid) * penalty rate / 365, half-up.
- Overdue: days past the earliest due day whose instalment's principal is not wholly repaid
  (repayments pay interest first, so principal behind the schedule is the arrear).
"""

from __future__ import annotations

from bisect import bisect_left, bisect_right
from itertools import accumulate

from colony.credit import LOSS_RATE_BPS
from colony.loans.model import InterestMethod

DAYS_PER_YEAR = 365
BPS = 10_000
# Penalty interest on overdue principal, a year (on top of the loan's own interest).
penalty_rate_bps = 3_650
# Overdue buckets: (first day, last day, name, share of principal expected lost, in bps).
BUCKETS: tuple[tuple[int, int, str, int], ...] = tuple(
    (first, last, name, LOSS_RATE_BPS[name])  # one set of rates for every credit product
    for first, last, name in (
        (0, 0, "current"),
        (1, 30, "1-30"),
        (31, 60, "31-60"),
        (61, 90, "61-90"),
        (91, 1 << 31, "90+"),
    )
)
# Days overdue at which a loan is charged off (written off; still owed).
charge_off_days = 180


def half_up_div(numerator: int, denominator: int) -> int:
    """numerator / denominator rounded half-up, for numerator >= 0 and denominator > 0."""
    return (2 * numerator + denominator) // (2 * denominator)


def daily_interest(principal_minor: int, annual_rate_bps: int) -> int:
    """A day's interest on `principal_minor` at `annual_rate_bps` a year, actual/365."""
    return half_up_div(principal_minor * annual_rate_bps, BPS * DAYS_PER_YEAR)


def scheduled_interest_on(
    day: int, disbursed_day: int, due_days: tuple[int, ...], interest_parts: tuple[int, ...]
) -> int:
    """Day `day`'s share of its period's scheduled interest (0 outside the schedule)."""
    if day <= disbursed_day or day > due_days[-1]:
        return 0
    k = bisect_left(due_days, day)  # the period that ends on or after `day`
    start = due_days[k - 1] if k else disbursed_day
    length, into = due_days[k] - start, day - start
    whole = interest_parts[k]
    return half_up_div(whole * into, length) - half_up_div(whole * (into - 1), length)


def interest_on(
    day: int,
    method: InterestMethod,
    annual_rate_bps: int,
    principal_outstanding: int,
    disbursed_day: int,
    due_days: tuple[int, ...],
    interest_parts: tuple[int, ...],
) -> int:
    if method is InterestMethod.daily:
        return daily_interest(principal_outstanding, annual_rate_bps) if day > disbursed_day else 0
    return scheduled_interest_on(day, disbursed_day, due_days, interest_parts)


def principal_due_by(day: int, due_days: tuple[int, ...], principal_parts: tuple[int, ...]) -> int:
    """Principal the schedule called for on or before `day`."""
    n = bisect_right(due_days, day)
    return sum(principal_parts[:n])


def days_overdue(
    day: int, due_days: tuple[int, ...], principal_parts: tuple[int, ...], principal_paid: int
) -> int:
    """Days `day` is past the earliest due day whose principal is not wholly repaid (0: none
    is, or it falls due today)."""
    for due, reached in zip(due_days, accumulate(principal_parts), strict=True):
        if due > day:
            return 0
        if reached > principal_paid:
            return day - due
    return 0


def penalty_on(principal_overdue: int) -> int:
    return daily_interest(principal_overdue, penalty_rate_bps)


def bucket_of(days: int) -> int:
    """The index in BUCKETS of a loan `days` overdue (the buckets run on from day 0 without a
    gap, so the first whose last day is not before `days`). Asked for every open loan daily."""
    if days < 0:
        raise ValueError(f"days overdue cannot be negative: {days}")
    for i, bucket in enumerate(BUCKETS):
        if days <= bucket[1]:
            return i
    raise ValueError(f"past the last bucket: {days}")


def provision_for(principal_minor: int, days: int) -> int:
    """What is provided against `principal_minor` owed `days` overdue, half-up."""
    return half_up_div(principal_minor * BUCKETS[bucket_of(days)][3], BPS)


def share_of(amount_minor: int, bps: int) -> int:
    """A share (a lender's of interest) of `amount_minor`, half-up."""
    return half_up_div(amount_minor * bps, BPS)

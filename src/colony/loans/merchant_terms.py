"""The terms of a loan to a merchant, stated once and pure (docs/adr/0051): what is offered
from the merchant's score and its sales, and where a loan stands against its 30-day minimum.
Amounts are integer minor units; shares are basis points.

- The offer: a stated share of the merchant's monthly net sales (the last 90 days' net sales
  divided by 3), no more than its score's limit or the most one loan lends, rounded down to
  whole units of its currency; refused, with a reason, when the merchant has a loan open,
  has sold on too few of those days, its score's band lends nothing, or the amount comes to
  less than the least one loan lends.
- The minimum: each 30-day period from the day the loan was made must repay at least
  (principal + fee) / periods, rounded up, cumulatively: by the end of period k the
  collections must reach k minimums (or all that is owed). A period ended short makes the
  loan delinquent until collections catch up; it is overdue by the days since the end of the
  earliest period not covered, and while delinquent a higher share of each day's sales is
  taken.
"""

from __future__ import annotations

import enum
from dataclasses import dataclass

from colony.credit import DECLINED
from colony.loans import rules
from colony.loans.results import LoanResult

BPS = 10_000
# The share of monthly net sales a loan offers.
offer_share_of_monthly_sales_bps = 5_000
# Days of sales an offer reads, and on how many of them the merchant must have sold.
sales_window_days = 90
sales_days_min = 20
# The fixed fee (of the principal) and the shares of each day's net sales collected.
merchant_fee_bps = 500
merchant_share_bps = 1_000
merchant_delinquent_share_bps = 2_000
# A loan's repayment periods and their length.
period_days = 30
periods = 6
# A loan's principal, in whole units of its currency.
merchant_loan_major_min = 100
merchant_loan_major_max = 50_000


class OfferReason(enum.StrEnum):
    """Why an offer is what it is: one reason a merchant can read for each outcome."""

    sales = "sales"  # offered a share of monthly net sales
    score_limit = "score_limit"  # cut to the score's limit
    loan_cap = "loan_cap"  # cut to the most one loan lends
    loan_open = "loan_open"
    too_little_history = "too_little_history"
    score_too_low = "score_too_low"
    sales_too_small = "sales_too_small"


@dataclass(frozen=True)
class Offer:
    result: LoanResult
    reason: OfferReason
    principal_minor: int = 0
    fee_minor: int = 0
    share_bps: int = merchant_share_bps
    delinquent_share_bps: int = merchant_delinquent_share_bps
    period_minimum_minor: int = 0
    periods: int = periods
    monthly_sales_minor: int = 0


def period_minimum(principal_minor: int, fee_minor: int) -> int:
    """What each period must repay at least: rounded up, so `periods` of them repay it all."""
    return -(-(principal_minor + fee_minor) // periods)


def offer_for(
    *, band: str, limit_minor: int, daily_net_minor: list[int], loan_open: bool, scale: int
) -> Offer:
    """The offer from a score's band and limit and the last `sales_window_days` days' net
    sales (one figure a day)."""
    if loan_open:
        return Offer(LoanResult.too_many_open_loans, OfferReason.loan_open)
    monthly = max(sum(daily_net_minor), 0) // (sales_window_days // period_days)
    if sum(1 for n in daily_net_minor if n > 0) < sales_days_min:
        return Offer(LoanResult.too_little_history, OfferReason.too_little_history,
                     monthly_sales_minor=monthly)  # fmt: skip
    if band == DECLINED:
        return Offer(LoanResult.declined, OfferReason.score_too_low, monthly_sales_minor=monthly)
    unit = 10**scale
    candidates = [
        (monthly * offer_share_of_monthly_sales_bps // BPS, OfferReason.sales),
        (limit_minor, OfferReason.score_limit),
        (merchant_loan_major_max * unit, OfferReason.loan_cap),
    ]
    amount, reason = min(candidates, key=lambda c: c[0])
    amount -= amount % unit
    if amount < merchant_loan_major_min * unit:
        return Offer(LoanResult.sales_too_small, OfferReason.sales_too_small,
                     monthly_sales_minor=monthly)  # fmt: skip
    fee = rules.share_of(amount, merchant_fee_bps)
    minimum = period_minimum(amount, fee)
    return Offer(LoanResult.ok, reason, amount, fee, period_minimum_minor=minimum,
                 monthly_sales_minor=monthly)  # fmt: skip


@dataclass(frozen=True)
class Standing:
    """A loan on a day, before that day's sales are collected."""

    period: int  # 1 for the first 30 days after the loan was made
    period_first_day: int
    period_last_day: int
    period_due_minor: int  # what this period must bring the collections to, less paid before it
    period_paid_minor: int  # collected in this period so far
    arrears_minor: int  # ended periods' minimums not yet collected
    days_overdue: int

    @property
    def delinquent(self) -> bool:
        return self.arrears_minor > 0


def standing(
    made_day: int, day: int, owed_total_minor: int, minimum_minor: int, paid_by_day: dict[int, int]
) -> Standing:
    """Where a loan made on `made_day` stands on `day` (sales from the day after it was made
    are collected; `paid_by_day` is what each day's collection took)."""

    def required(k: int) -> int:
        return min(k * minimum_minor, owed_total_minor)

    def paid_through(last: int) -> int:
        return sum(v for d, v in paid_by_day.items() if d <= last)

    period = max(1, (day - made_day - 1) // period_days + 1)
    first = made_day + (period - 1) * period_days + 1
    last = first + period_days - 1
    paid_before = paid_through(day - 1)
    ended = period - 1
    arrears = max(0, required(ended) - paid_before)
    overdue = 0
    if arrears:
        earliest = next(k for k in range(1, ended + 1) if required(k) > paid_before)
        overdue = day - (made_day + earliest * period_days)
    before_period = paid_through(first - 1)
    return Standing(
        period, first, last, max(0, required(period) - before_period),
        paid_before - before_period, arrears, overdue,
    )  # fmt: skip

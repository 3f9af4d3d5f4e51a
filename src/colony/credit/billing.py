"""The pay-later credit line's monthly bill, as rules on amounts and dates (no ledger): what
a bill asks for, when it is due, the least that keeps the line in good standing, what an
instalment plan adds each month, what a late day costs, and how late a line is.

A bill is made on the 1st of each month (UTC) for the calendar month before it, and is due on
the day of that month the person chose: the 8th, 9th or 10th. Paid in full by then, it costs
nothing. The minimum is `minimum_payment_bps` of what was bought (net of refunds and of what
went into instalment plans) plus everything else the bill holds in full: instalments due,
their fees, interest and penalty, and anything already overdue. Less than the minimum by the
due day makes the line overdue: penalty interest accrues on the overdue amount every day
(`penalty_bps_per_day`), the line is frozen, and after `charge_off_days` the debt is
charged off. More than the minimum but less than all: the rest carries over, with revolving
interest (`revolving_bps_per_day`) from the due day to the day it is paid. Every rate is a
named constant here; docs/adr/0048 says why these.
"""

from __future__ import annotations

import datetime as dt
import enum
from dataclasses import dataclass

# The days of the month a person may choose their bill to fall due on.
DUE_DAYS = (8, 9, 10)
# The least paid by the due day, in basis points of the month's net purchases (10%).
minimum_payment_bps = 1_000
# Interest on what is carried over past the due day, per day, in basis points (0.05%).
revolving_bps_per_day = 5
# Penalty interest on the overdue amount, per day, in basis points (0.05%).
penalty_bps_per_day = 5
# Days overdue after which the line's debt is charged off (an accounting event).
charge_off_days = 180
# The instalment plans offered, by number of monthly instalments: the whole plan's fee in
# basis points of the amount split (2.5% for 3, 4.5% for 6, 7.5% for 12).
PLAN_FEE_BPS = {3: 250, 6: 450, 12: 750}


class OverdueBucket(enum.StrEnum):
    current = "current"  # not overdue
    days_1_30 = "1-30"
    days_31_60 = "31-60"
    days_61_90 = "61-90"
    days_over_90 = "90+"


class BillingResult(enum.IntEnum):
    ok = 0
    invalid_due_day = 1  # not one of DUE_DAYS
    plan_not_offered = 2  # not a key of PLAN_FEE_BPS
    amount_must_be_positive = 3


def bill_date(in_month: dt.date) -> dt.date:
    """The day the bill covering the month of `in_month` is made: the 1st of the next."""
    year, month = (
        (in_month.year + 1, 1) if in_month.month == 12 else (in_month.year, in_month.month + 1)
    )
    return dt.date(year, month, 1)


def due_date(billed: dt.date, due_day: int) -> dt.date:
    """When the bill made on `billed` is due: the chosen day of the same month."""
    return billed.replace(day=due_day)


def ceil_bps(amount_minor: int, bps: int) -> int:
    """`bps` of an amount, rounded up to the minor unit (what is asked is never short)."""
    return -(-amount_minor * bps // 10_000)


def half_up_bps(amount_minor: int, bps: int) -> int:
    """`bps` of an amount, rounded half-up to the minor unit (interest, fees)."""
    return (amount_minor * bps * 2 + 10_000) // 20_000


@dataclass(frozen=True)
class PlanInstalment:
    number: int  # 1..N: on the Nth bill after the plan is made
    principal_minor: int
    fee_minor: int

    @property
    def total_minor(self) -> int:
        return self.principal_minor + self.fee_minor


def instalment_plan(
    amount_minor: int, instalments: int
) -> tuple[BillingResult, tuple[PlanInstalment, ...]]:
    """Split `amount_minor` into `instalments` monthly parts: equal principal (the remainder
    in the last), and the plan's fee (PLAN_FEE_BPS, half-up) spread evenly (the remainder in
    the first, so nothing is owed in fees after the principal is repaid)."""
    if instalments not in PLAN_FEE_BPS:
        return BillingResult.plan_not_offered, ()
    if amount_minor <= 0:
        return BillingResult.amount_must_be_positive, ()
    fee = half_up_bps(amount_minor, PLAN_FEE_BPS[instalments])
    part, fee_part = amount_minor // instalments, fee // instalments
    made = []
    for number in range(1, instalments + 1):
        principal = part + (amount_minor - part * instalments if number == instalments else 0)
        fee_now = fee_part + (fee - fee_part * instalments if number == 1 else 0)
        made.append(PlanInstalment(number, principal, fee_now))
    return BillingResult.ok, tuple(made)


@dataclass(frozen=True)
class Bill:
    """What one month's bill asks for, in minor units."""

    billed: dt.date
    due: dt.date
    purchases_minor: int  # bought in the month, net of refunds and of amounts split
    instalments_minor: int  # plan principal falling due on this bill
    fees_minor: int  # plan fees falling due on this bill
    interest_minor: int  # revolving interest on what the last bill carried over
    penalty_minor: int  # penalty interest on what was overdue
    carried_minor: int  # unpaid from earlier bills, their minimums met (revolving)
    overdue_minor: int = 0  # earlier bills' minimums missed

    @property
    def total_minor(self) -> int:
        return (
            self.purchases_minor + self.instalments_minor + self.fees_minor
            + self.interest_minor + self.penalty_minor + self.carried_minor + self.overdue_minor
        )  # fmt: skip

    @property
    def minimum_minor(self) -> int:
        """The least that keeps the line in good standing: a share of the purchases and of
        what revolves, all the rest in full; never more than the total."""
        revolving = self.purchases_minor + self.carried_minor
        asked = ceil_bps(max(revolving, 0), minimum_payment_bps) + (self.total_minor - revolving)
        return min(max(asked, 0), max(self.total_minor, 0))


def overdue_bucket(days_overdue: int) -> OverdueBucket:
    if days_overdue <= 0:
        return OverdueBucket.current
    if days_overdue <= 30:
        return OverdueBucket.days_1_30
    if days_overdue <= 60:
        return OverdueBucket.days_31_60
    if days_overdue <= 90:
        return OverdueBucket.days_61_90
    return OverdueBucket.days_over_90


def days_overdue(due: dt.date, today: dt.date, paid_minimum: bool) -> int:
    """Days a bill's minimum has been overdue on `today`: none while it is paid or not yet
    due; 1 on the day after the due day."""
    return 0 if paid_minimum or today <= due else (today - due).days


def charged_off(days: int) -> bool:
    return days >= charge_off_days


def check_due_day(due_day: int) -> BillingResult:
    return BillingResult.ok if due_day in DUE_DAYS else BillingResult.invalid_due_day

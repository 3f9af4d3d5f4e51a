"""Repayment schedules: what each instalment of a loan repays in principal and interest, and
when it is due. Every loan and every instalment plan of the credit line is repaid by one of
these; `colony credit schedule` prints one.

The rules are exact (Decimal arithmetic, never float) and stated once:
- the periodic rate r = R / 10000 / 12 for an annual rate of R basis points;
- annuity: the instalment A = P*r / (1 - (1+r)^-N), rounded half-up to the minor unit
  (P/N when r = 0); each period's interest = balance * r rounded half-up; its principal
  = A - interest; the last instalment's principal is whatever balance remains;
- equal principal: floor(P/N) of principal each period, the remainder in the last one;
  interest as above;
- due dates monthly from the first, keeping its day of month, clamped to the month's end
  (a first due day of Jan 31 gives Feb 28 or 29, then Mar 31).
Amounts are integer minor units, so the same rules hold for JPY (0 decimals), SGD (2) and
KWD (3): rounding "to the minor unit" is rounding to a whole number of them.
"""

from __future__ import annotations

import calendar
import datetime as dt
import enum
from dataclasses import dataclass
from decimal import ROUND_FLOOR, ROUND_HALF_UP, Decimal, localcontext

# The longest schedule, in monthly instalments (30 years).
instalments_max = 360
# The highest annual rate taken, in basis points (100%): above it is a typing error.
annual_rate_bps_max = 10_000
# The largest principal, in minor units: 10^15 (10 trillion in a 2-decimal currency).
principal_minor_max = 10**15
# Digits Decimal works with while computing an instalment: far beyond any rounding that
# could tip a half-up at the minor unit for the limits above.
_PRECISION = 60


class Method(enum.StrEnum):
    annuity = "annuity"  # equal instalments (the last one evens out)
    equal_principal = "equal_principal"  # equal principal, interest falling with the balance


class ScheduleResult(enum.IntEnum):
    ok = 0
    principal_must_be_positive = 1
    principal_too_large = 2
    instalments_out_of_range = 3  # 1 .. instalments_max
    rate_out_of_range = 4  # 0 .. annual_rate_bps_max
    last_due_too_late = 5  # the last instalment would fall past the calendar's 9999-12-31


@dataclass(frozen=True)
class Instalment:
    number: int  # from 1
    due_date: dt.date
    principal_minor: int
    interest_minor: int
    balance_after_minor: int

    @property
    def total_minor(self) -> int:
        return self.principal_minor + self.interest_minor


@dataclass(frozen=True)
class Schedule:
    principal_minor: int
    annual_rate_bps: int
    method: Method
    instalments: tuple[Instalment, ...]

    @property
    def total_interest_minor(self) -> int:
        return sum(i.interest_minor for i in self.instalments)

    def as_json(self) -> dict[str, object]:
        return {
            "instalments": [
                {
                    "number": i.number,
                    "due_date": i.due_date.isoformat(),
                    "principal_minor": i.principal_minor,
                    "interest_minor": i.interest_minor,
                    "total_minor": i.total_minor,
                    "balance_after_minor": i.balance_after_minor,
                }
                for i in self.instalments
            ],
            "total_interest_minor": self.total_interest_minor,
        }


def periodic_rate(annual_rate_bps: int) -> Decimal:
    """r = R / 10000 / 12, exactly (a Decimal with as many digits as it needs)."""
    with localcontext() as exact:
        exact.prec = _PRECISION
        return Decimal(annual_rate_bps) / Decimal(10_000) / Decimal(12)


def _half_up(value: Decimal) -> int:
    return int(value.quantize(Decimal(1), rounding=ROUND_HALF_UP))


def annuity_instalment(principal_minor: int, r: Decimal, instalments: int) -> int:
    """A = P*r / (1 - (1+r)^-N) rounded half-up; P/N (rounded half-up) when r = 0."""
    with localcontext() as exact:
        exact.prec = _PRECISION
        p = Decimal(principal_minor)
        if r == 0:
            return _half_up(p / instalments)
        return _half_up(p * r / (1 - (1 + r) ** -instalments))


def due_date(first: dt.date, months_after: int) -> dt.date:
    """`months_after` months after `first`, on its day of month or the month's last day."""
    year, month = _due_year(first, months_after), (first.month - 1 + months_after) % 12 + 1
    return dt.date(year, month, min(first.day, calendar.monthrange(year, month)[1]))


def _due_year(first: dt.date, months_after: int) -> int:
    return first.year + (first.month - 1 + months_after) // 12


def check(principal_minor: int, annual_rate_bps: int, instalments: int) -> ScheduleResult:
    """What is wrong with a schedule's terms, in this order, or ok."""
    if principal_minor <= 0:
        return ScheduleResult.principal_must_be_positive
    if principal_minor > principal_minor_max:
        return ScheduleResult.principal_too_large
    if not 1 <= instalments <= instalments_max:
        return ScheduleResult.instalments_out_of_range
    if not 0 <= annual_rate_bps <= annual_rate_bps_max:
        return ScheduleResult.rate_out_of_range
    return ScheduleResult.ok


def schedule(
    principal_minor: int,
    annual_rate_bps: int,
    instalments: int,
    method: Method,
    first_due: dt.date,
) -> tuple[ScheduleResult, Schedule | None]:
    """The schedule for these terms, or why there is none."""
    refused = check(principal_minor, annual_rate_bps, instalments)
    if refused is not ScheduleResult.ok:
        return refused, None
    if _due_year(first_due, instalments - 1) > dt.MAXYEAR:
        return ScheduleResult.last_due_too_late, None
    r = periodic_rate(annual_rate_bps)
    if method is Method.annuity:
        level = annuity_instalment(principal_minor, r, instalments)
    else:
        with localcontext() as exact:
            exact.prec = _PRECISION
            share = Decimal(principal_minor) / instalments
            level = int(share.quantize(Decimal(1), rounding=ROUND_FLOOR))
    balance, made = principal_minor, []
    for number in range(1, instalments + 1):
        with localcontext() as exact:
            exact.prec = _PRECISION
            interest = _half_up(Decimal(balance) * r)
        if number == instalments:
            principal = balance
        elif method is Method.annuity:
            # Never more than is owed: a principal of a few minor units over many periods
            # rounds the level instalment up past what is left (4 over 6 pays 1 a period,
            # and nothing in the sixth). A - interest is never below zero: A exceeds P*r.
            principal = min(level - interest, balance)
        else:
            principal = min(level, balance)
        balance -= principal
        made.append(
            Instalment(number, due_date(first_due, number - 1), principal, interest, balance)
        )
    return ScheduleResult.ok, Schedule(principal_minor, annual_rate_bps, method, tuple(made))

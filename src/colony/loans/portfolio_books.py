"""The portfolio report's figures (`portfolio.py`): a book (one product in one currency), a
vintage (one product's loans made in one month, in one currency) and a book's losses (what
was written off, recovered, and what its provision holds on the ledger), with the month
arithmetic vintages share."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field
from decimal import ROUND_HALF_UP, Decimal

from colony.kernel.clock import date_of_day, day_number
from colony.loans import rules

# Days overdue from which a vintage counts principal as bad.
vintage_overdue_days = 30
# Months on book a vintage curve shows at most.
vintage_months_max = 24
# The bucket names a book reports, in order (cash loans', the line's and merchants' alike).
BUCKET_NAMES: tuple[str, ...] = tuple(b[2] for b in rules.BUCKETS)


def _four_places(part: int, whole: int) -> Decimal:
    if not whole:
        return Decimal(0)
    return (Decimal(part) / Decimal(whole)).quantize(Decimal("0.0001"), rounding=ROUND_HALF_UP)


@dataclass
class Book:
    """One product in one currency."""

    product: str
    currency: str
    loans: int = 0
    principal_outstanding_minor: int = 0
    interest_owed_minor: int = 0  # interest, fees and penalty charged, not yet paid
    par30_minor: int = 0
    par90_minor: int = 0
    expected_loss_minor: int = 0
    by_bucket_minor: dict[str, int] = field(default_factory=dict)
    # The credit line's principal by where it stands: billed, not billed yet, in plans.
    parts_minor: dict[str, int] = field(default_factory=dict)

    def share(self, part: int) -> Decimal:
        """`part` of the principal outstanding, to four places (half-up)."""
        return _four_places(part, self.principal_outstanding_minor)

    def add(self, principal_minor: int, interest_minor: int, late: int, loss_minor: int) -> None:
        """One open debt `late` days overdue, with what is expected lost of it."""
        bucket = BUCKET_NAMES[rules.bucket_of(max(late, 0))]
        self.loans += 1
        self.principal_outstanding_minor += principal_minor
        self.interest_owed_minor += interest_minor
        self.par30_minor += principal_minor if late > 30 else 0
        self.par90_minor += principal_minor if late > 90 else 0
        self.expected_loss_minor += loss_minor
        self.by_bucket_minor[bucket] = self.by_bucket_minor.get(bucket, 0) + principal_minor


@dataclass
class Vintage:
    month: str  # YYYY-MM the loans were made (the lines opened) in
    currency: str
    lent_minor: int = 0  # principal lent; a line's limit
    bad_minor: list[int] = field(default_factory=list)  # per month on book
    product: str = "cash"  # cash, sme or line

    def shares(self) -> list[Decimal]:
        return [_four_places(b, self.lent_minor) for b in self.bad_minor]

    def count(self, months: int, bad_minor: int) -> None:
        while len(self.bad_minor) <= months:
            self.bad_minor.append(0)
        self.bad_minor[months] += bad_minor


@dataclass
class Losses:
    """A product's losses in a currency: written off (principal and interest or fees, as
    written), recovered since, and the loss provision the ledger holds now."""

    product: str  # cash, sme or line
    currency: str
    charged_off_minor: int = 0
    recovered_minor: int = 0
    provision_minor: int = 0


def month_of(day: int) -> dt.date:
    made = date_of_day(day)
    return dt.date(made.year, made.month, 1)


def month_end(first: dt.date, months_after: int) -> int:
    index = first.month - 1 + months_after + 1
    following = dt.date(first.year + index // 12, index % 12 + 1, 1)
    return day_number(following) - 1


def month_ends(first_day: int, day: int) -> list[int]:
    """The day each month on book ends, from the month of `first_day` (the last one `day`, for
    the month running), at most `vintage_months_max`."""
    first = month_of(first_day)
    ends = []
    for months in range(vintage_months_max):
        end = min(month_end(first, months), day)
        ends.append(end)
        if end >= day:
            break
    return ends


def vintage_of(
    vintages: dict[tuple[str, str, str], Vintage], product: str, first_day: int, currency: str
) -> Vintage:
    key = (product, month_of(first_day).strftime("%Y-%m"), currency)
    return vintages.setdefault(key, Vintage(key[1], currency, product=product))

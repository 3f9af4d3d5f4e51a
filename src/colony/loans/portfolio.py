"""The portfolio report of cash loans and loans to merchants (product `sme`, docs/adr/0051):
what is outstanding per product and currency, portfolio at risk, expected loss, and vintage
curves. Amounts are read from the ledger (each open loan's receivables); history (for the
vintages) from the repayments the ledger made, each counted on the UTC day it was recorded.

- PAR30 / PAR90: the share of principal outstanding in loans more than 30 (90) days overdue.
- Expected loss: each open loan's principal outstanding times its bucket's loss rate (the
  rates the provision is raised to).
- Loans to merchants: overdue by the days since the end of the earliest 30-day period whose
  minimum is not collected (merchant_terms.py); the fee they owe counts as interest owed.
- Vintage curves (cash loans): for each month loans were made in, and each month on book m
  (0 = the month they were made), the share of the month's principal lent that was in loans
  30 or more days overdue (or written off) at the end of month m (or today, for the month
  running).
"""

from __future__ import annotations

import datetime as dt
from collections import defaultdict
from collections.abc import Iterator
from dataclasses import dataclass, field
from decimal import ROUND_HALF_UP, Decimal

from colony.ledger import LedgerPort, batch_events_max
from colony.loans import rules
from colony.loans.books import owed
from colony.loans.days import NS_PER_DAY, date_of, day_number
from colony.loans.merchant_loans import standing_of
from colony.loans.model import MERCHANT_BOOK, Loan, LoanStatus
from colony.loans.store import LoanStore

# Loans read from the table at a time (two receivables each in one ledger lookup).
portfolio_page_loans = 4_000
# Repayment records read at a time, and looked up in the ledger in one batch.
portfolio_page_repayments = batch_events_max
# Days overdue from which a vintage counts principal as bad.
vintage_overdue_days = 30
# Months on book a vintage curve shows at most.
vintage_months_max = 24


@dataclass
class Book:
    """One product in one currency."""

    product: str
    currency: str
    loans: int = 0
    principal_outstanding_minor: int = 0
    interest_owed_minor: int = 0
    par30_minor: int = 0
    par90_minor: int = 0
    expected_loss_minor: int = 0
    by_bucket_minor: dict[str, int] = field(default_factory=dict)

    def share(self, part: int) -> Decimal:
        """`part` of the principal outstanding, to four places (half-up)."""
        if not self.principal_outstanding_minor:
            return Decimal(0)
        exact = Decimal(part) / Decimal(self.principal_outstanding_minor)
        return exact.quantize(Decimal("0.0001"), rounding=ROUND_HALF_UP)


@dataclass
class Vintage:
    month: str  # YYYY-MM the loans were made in
    currency: str
    lent_minor: int = 0
    bad_minor: list[int] = field(default_factory=list)  # per month on book

    def shares(self) -> list[Decimal]:
        return [
            (Decimal(b) / Decimal(self.lent_minor)).quantize(Decimal("0.0001"), ROUND_HALF_UP)
            for b in self.bad_minor
        ]


@dataclass(frozen=True)
class Portfolio:
    day: int
    books: list[Book]
    vintages: list[Vintage]


def _month(day: int) -> dt.date:
    made = date_of(day)
    return dt.date(made.year, made.month, 1)


def _month_end(first: dt.date, months_after: int) -> int:
    index = first.month - 1 + months_after + 1
    following = dt.date(first.year + index // 12, index % 12 + 1, 1)
    return day_number(following) - 1


def _every_loan(store: LoanStore) -> Iterator[list[Loan]]:
    after = ""
    while page := store.loans_page(None, after, portfolio_page_loans):
        yield page
        after = page[-1].id


def _principal_paid_by_day(
    ledger: LedgerPort, store: LoanStore
) -> dict[str, list[tuple[int, int]]]:
    """Each loan's principal repayments the ledger made: (day recorded, principal)."""
    found: dict[str, list[tuple[int, int]]] = defaultdict(list)
    after = ""
    while page := store.repayments_page(after, portfolio_page_repayments):
        after = page[-1].id
        made = {t.id for t in ledger.lookup_transfers([r.transfer_id for r in page])}
        for r in page:
            if r.transfer_id in made and r.principal_minor and not r.recovery:
                found[r.loan_id].append((r.created_at_ns // NS_PER_DAY, r.principal_minor))
    return found


def portfolio(ledger: LedgerPort, store: LoanStore, day: int) -> Portfolio:
    """The portfolio as of UTC day `day`."""
    books: dict[tuple[str, str], Book] = {}
    vintages: dict[tuple[str, str], Vintage] = {}
    paid = _principal_paid_by_day(ledger, store)
    for page in _every_loan(store):
        live = [x for x in page if x.status in (LoanStatus.open, LoanStatus.charged_off,
                                                 LoanStatus.repaid)]  # fmt: skip
        ids = [i for x in live if x.status is LoanStatus.open
               for i in (x.account_id, x.interest_account_id)]  # fmt: skip
        owes = {a.id: owed(a) for a in ledger.lookup_accounts(ids)}
        for loan in live:
            if loan.status is LoanStatus.open:
                _count(books, loan, owes, day)
            _vintage(vintages, loan, paid.get(loan.id, []), day)
    _count_merchant_loans(ledger, store, books, day)
    return Portfolio(
        day,
        sorted(books.values(), key=lambda b: (b.currency, b.product)),
        sorted(vintages.values(), key=lambda v: (v.currency, v.month)),
    )


def _count_merchant_loans(
    ledger: LedgerPort, store: LoanStore, books: dict[tuple[str, str], Book], day: int
) -> None:
    after = ""
    while page := store.merchant_loans_page(LoanStatus.open, after, portfolio_page_loans):
        after = page[-1].id
        ids = [i for x in page for i in (x.account_id, x.interest_account_id)]
        owes = {a.id: owed(a) for a in ledger.lookup_accounts(ids)}
        for loan in page:
            late = standing_of(ledger, loan, day + 1).days_overdue  # as at the day's end
            _add(books, (MERCHANT_BOOK, loan.currency), owes.get(loan.account_id, 0),
                 owes.get(loan.interest_account_id, 0), late)  # fmt: skip


def _count(books: dict[tuple[str, str], Book], loan: Loan, owes: dict[int, int], day: int) -> None:
    p_out, i_out = owes.get(loan.account_id, 0), owes.get(loan.interest_account_id, 0)
    late = rules.days_overdue(
        day, loan.due_days, loan.principal_parts, loan.principal_minor - p_out
    )
    _add(books, (loan.product, loan.currency), p_out, i_out, late)


def _add(
    books: dict[tuple[str, str], Book], key: tuple[str, str], p_out: int, i_out: int, late: int
) -> None:
    book = books.setdefault(key, Book(*key))
    bucket = rules.BUCKETS[rules.bucket_of(late)]
    book.loans += 1
    book.principal_outstanding_minor += p_out
    book.interest_owed_minor += i_out
    book.par30_minor += p_out if late > 30 else 0
    book.par90_minor += p_out if late > 90 else 0
    book.expected_loss_minor += rules.provision_for(p_out, late)
    book.by_bucket_minor[bucket[2]] = book.by_bucket_minor.get(bucket[2], 0) + p_out


def _vintage(
    vintages: dict[tuple[str, str], Vintage], loan: Loan, paid: list[tuple[int, int]], day: int
) -> None:
    first = _month(loan.disbursed_day)
    key = (first.strftime("%Y-%m"), loan.currency)
    vintage = vintages.setdefault(key, Vintage(key[0], loan.currency))
    vintage.lent_minor += loan.principal_minor
    months = 0
    while months < vintage_months_max:
        end = min(_month_end(first, months), day)
        repaid = sum(p for d, p in paid if d <= end)
        written_off = loan.charged_off_day is not None and loan.charged_off_day <= end
        late = rules.days_overdue(end, loan.due_days, loan.principal_parts, repaid)
        bad = loan.principal_minor - repaid if written_off or late >= vintage_overdue_days else 0
        if len(vintage.bad_minor) <= months:
            vintage.bad_minor.append(0)
        vintage.bad_minor[months] += bad
        if end >= day:
            return
        months += 1


def csv_lines(report: Portfolio) -> list[list[str]]:
    """The report as CSV rows: one per book, then one per vintage and month on book."""
    rows = [["section", "product", "currency", "loans", "principal_outstanding_minor",
             "interest_owed_minor", "par30", "par90", "expected_loss_minor"]]  # fmt: skip
    for b in report.books:
        rows.append(["book", b.product, b.currency, str(b.loans),
                     str(b.principal_outstanding_minor), str(b.interest_owed_minor),
                     str(b.share(b.par30_minor)),
                     str(b.share(b.par90_minor)), str(b.expected_loss_minor)])  # fmt: skip
    rows.append(["section", "vintage", "currency", "lent_minor", "months_on_book", "share_30_plus"])
    for v in report.vintages:
        for m, share in enumerate(v.shares()):
            rows.append(["vintage", v.month, v.currency, str(v.lent_minor), str(m), str(share)])
    return rows

"""The portfolio report of every credit product: cash loans, loans to merchants (product
`sme`, docs/adr/0051) and the pay-later credit line (product `line`, docs/adr/0052, 0057):
what is outstanding per product and currency, portfolio at risk, expected loss, what was
written off and recovered, the provision the ledger holds, and vintage curves. Amounts are
read from the ledger (each open debt's receivables); history (for the vintages) from the
repayments the ledger made, each counted on the UTC day it was recorded.

- PAR30 / PAR90: the share of principal outstanding in debts more than 30 (90) days overdue.
- Expected loss: each open debt's principal outstanding times its bucket's loss rate (the
  rates its product's provision is raised to).
- Loans to merchants: overdue by the days since the end of the earliest 30-day period whose
  minimum is not collected (merchant_terms.py); the fee they owe counts as interest owed.
- The credit line: `line_portfolio.py`.
- Vintage curves: for each product, month its loans were made in (a line: opened in) and
  currency, and each month on book m (0 = that month), the share of the principal lent (a
  line: its limit) that was 30 or more days overdue (or written off) at the end of month m
  (or today, for the month running).
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Iterator
from dataclasses import dataclass, field

from colony.chart import IdPrefix, Slots
from colony.credit import LineStore
from colony.kernel.clock import NS_PER_DAY
from colony.kernel.money import currency_of_ledger
from colony.ledger import LedgerPort, batch_events_max
from colony.loans import rules
from colony.loans.books import held, owed
from colony.loans.line_portfolio import count_lines
from colony.loans.merchant_loans import paid_by_day
from colony.loans.merchant_terms import period_minimum, standing
from colony.loans.model import BOOK, MERCHANT_BOOK, Loan, LoanStatus, MerchantLoan
from colony.loans.portfolio_books import (
    BUCKET_NAMES,
    Book,
    Losses,
    Vintage,
    month_ends,
    vintage_of,
    vintage_overdue_days,
)
from colony.loans.store import LoanStore

# Loans read from the table at a time (two receivables each in one ledger lookup).
portfolio_page_loans = 4_000
# Repayment records read at a time, and looked up in the ledger in one batch.
portfolio_page_repayments = batch_events_max
# Loans to merchants read at a time (each reads its collections from the ledger).
portfolio_page_merchant_loans = 1_000
_MERCHANT_CHARGE_OFFS = (
    Slots.loan_charge_off_provided, Slots.loan_charge_off_loss, Slots.loan_charge_off_interest,
)  # fmt: skip

__all__ = ["Book", "Losses", "Portfolio", "Vintage", "csv_lines", "portfolio"]


@dataclass(frozen=True)
class Portfolio:
    day: int
    books: list[Book]
    vintages: list[Vintage]
    losses: list[Losses] = field(default_factory=list)


class _Report:
    """The report as it is counted: books, vintages and losses by their keys."""

    def __init__(self) -> None:
        self.books: dict[tuple[str, str], Book] = {}
        self.vintages: dict[tuple[str, str, str], Vintage] = {}
        self.losses: dict[tuple[str, int], Losses] = {}

    def book(self, product: str, currency: str) -> Book:
        return self.books.setdefault((product, currency), Book(product, currency))

    def loss(self, product: str, ledger: int) -> Losses:
        currency = currency_of_ledger(ledger) or str(ledger)
        return self.losses.setdefault((product, ledger), Losses(product, currency))


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


def portfolio(
    ledger: LedgerPort, store: LoanStore, day: int, lines: LineStore | None = None
) -> Portfolio:
    """The portfolio as of UTC day `day`; the credit line's too, given its store."""
    report = _Report()
    paid = _principal_paid_by_day(ledger, store)
    for page in _every_loan(store):
        live = [x for x in page if x.status in (LoanStatus.open, LoanStatus.charged_off,
                                                 LoanStatus.repaid)]  # fmt: skip
        ids = [i for x in live if x.status is LoanStatus.open
               for i in (x.account_id, x.interest_account_id)]  # fmt: skip
        owes = {a.id: owed(a) for a in ledger.lookup_accounts(ids)}
        for loan in live:
            report.loss(BOOK, loan.ledger).charged_off_minor += loan.charged_off_minor
            if loan.status is LoanStatus.open:
                _count(report, loan, owes, day)
            _vintage(report.vintages, loan, paid.get(loan.id, []), day)
    _count_merchant_loans(ledger, store, report, day)
    if lines is not None:
        count_lines(ledger, lines, day, report.book, report.loss, report.vintages)
    _ledger_losses(ledger, report)
    return Portfolio(
        day,
        sorted(report.books.values(), key=lambda b: (b.currency, b.product)),
        sorted(report.vintages.values(), key=lambda v: (v.product, v.currency, v.month)),
        sorted(report.losses.values(), key=lambda x: (x.currency, x.product)),
    )


def _ledger_losses(ledger: LedgerPort, report: _Report) -> None:
    """What each product's recoveries and provision accounts hold (absent: nothing yet)."""
    keys = list(report.losses)
    ids = [i for p, n in keys
           for i in (IdPrefix.recoveries.account_id(n, p),
                     IdPrefix.loss_provision.account_id(n, p))]  # fmt: skip
    found = {a.id: held(a) for a in ledger.lookup_accounts(ids)}
    for (product, number), losses in report.losses.items():
        losses.recovered_minor = found.get(IdPrefix.recoveries.account_id(number, product), 0)
        losses.provision_minor = found.get(IdPrefix.loss_provision.account_id(number, product), 0)


def _count_merchant_loans(ledger: LedgerPort, store: LoanStore, report: _Report, day: int) -> None:
    for status in (LoanStatus.open, LoanStatus.charged_off, LoanStatus.repaid):
        after = ""
        while page := store.merchant_loans_page(status, after, portfolio_page_merchant_loans):
            after = page[-1].id
            if status is LoanStatus.charged_off:
                _merchant_charge_offs(ledger, page, report)
            ids = [i for x in page if status is LoanStatus.open
                   for i in (x.account_id, x.interest_account_id)]  # fmt: skip
            owes = {a.id: owed(a) for a in ledger.lookup_accounts(ids)} if ids else {}
            for loan in page:
                report.loss(MERCHANT_BOOK, loan.ledger)
                collected = paid_by_day(ledger, loan, day)
                _merchant_vintage(report.vintages, loan, collected, day)
                if status is not LoanStatus.open:
                    continue
                late = _days_overdue(loan, collected, day + 1)  # as at the day's end
                p_out = owes.get(loan.account_id, 0)
                report.book(MERCHANT_BOOK, loan.currency).add(
                    p_out, owes.get(loan.interest_account_id, 0), late,
                    rules.provision_for(p_out, late),
                )  # fmt: skip


def _merchant_charge_offs(ledger: LedgerPort, page: list[MerchantLoan], report: _Report) -> None:
    """What each loan written off had written off: its charge-off transfers, from the ledger."""
    of = {s.of(x.account_id): x.ledger for x in page for s in _MERCHANT_CHARGE_OFFS}
    for t in ledger.lookup_transfers(list(of)):
        report.loss(MERCHANT_BOOK, of[t.id]).charged_off_minor += t.amount


def _days_overdue(loan: MerchantLoan, collected: dict[int, int], day: int) -> int:
    """The loan's days overdue on `day`, before its collection (`merchant_loans.standing_of`
    on what the ledger collected, read once for the book and the vintage)."""
    minimum = period_minimum(loan.principal_minor, loan.fee_minor)
    paid = {d: v for d, v in collected.items() if d < day}
    owed_total = loan.principal_minor + loan.fee_minor
    return standing(loan.made_day, day, owed_total, minimum, paid).days_overdue


def _merchant_vintage(
    vintages: dict[tuple[str, str, str], Vintage],
    loan: MerchantLoan,
    collected: dict[int, int],
    day: int,
) -> None:
    """A loan to a merchant in its month's vintage: bad at a month's end while 30 or more days
    behind its minimum (what the merchant owes of principal then); written off stays bad."""
    vintage = vintage_of(vintages, MERCHANT_BOOK, loan.made_day, loan.currency)
    vintage.lent_minor += loan.principal_minor
    written_off = False
    for months, end in enumerate(month_ends(loan.made_day, day)):
        paid = {d: v for d, v in collected.items() if d <= end}
        late = _days_overdue(loan, paid, end + 1)
        written_off = written_off or (
            loan.status is LoanStatus.charged_off and late >= rules.charge_off_days
        )
        principal_paid = max(0, sum(paid.values()) - loan.fee_minor)  # the fee is paid first
        bad = written_off or late >= vintage_overdue_days
        vintage.count(months, max(loan.principal_minor - principal_paid, 0) if bad else 0)


def _count(report: _Report, loan: Loan, owes: dict[int, int], day: int) -> None:
    p_out, i_out = owes.get(loan.account_id, 0), owes.get(loan.interest_account_id, 0)
    late = rules.days_overdue(
        day, loan.due_days, loan.principal_parts, loan.principal_minor - p_out
    )
    report.book(loan.product, loan.currency).add(
        p_out, i_out, late, rules.provision_for(p_out, late)
    )


def _vintage(
    vintages: dict[tuple[str, str, str], Vintage],
    loan: Loan,
    paid: list[tuple[int, int]],
    day: int,
) -> None:
    vintage = vintage_of(vintages, BOOK, loan.disbursed_day, loan.currency)
    vintage.lent_minor += loan.principal_minor
    for months, end in enumerate(month_ends(loan.disbursed_day, day)):
        repaid = sum(p for d, p in paid if d <= end)
        written_off = loan.charged_off_day is not None and loan.charged_off_day <= end
        late = rules.days_overdue(end, loan.due_days, loan.principal_parts, repaid)
        bad = loan.principal_minor - repaid if written_off or late >= vintage_overdue_days else 0
        vintage.count(months, bad)


CSV_BOOK_HEADER = [
    "section", "product", "currency", "loans", "principal_outstanding_minor",
    "interest_owed_minor", "par30", "par90", "expected_loss_minor", "current_minor",
    "days_1_30_minor", "days_31_60_minor", "days_61_90_minor", "days_90_plus_minor",
    "billed_minor", "unbilled_minor", "instalment_plans_minor",
]  # fmt: skip


def csv_lines(report: Portfolio) -> list[list[str]]:
    """The report as CSV rows: one per book, then one per product's losses, then one per
    vintage and month on book; each section after a header row of its own."""
    rows = [CSV_BOOK_HEADER]
    for b in report.books:
        rows.append([
            "book", b.product, b.currency, str(b.loans), str(b.principal_outstanding_minor),
            str(b.interest_owed_minor), str(b.share(b.par30_minor)), str(b.share(b.par90_minor)),
            str(b.expected_loss_minor), *(str(b.by_bucket_minor.get(n, 0)) for n in BUCKET_NAMES),
            *(str(b.parts_minor[k]) if k in b.parts_minor else ""
              for k in ("billed", "unbilled", "instalment_plans")),
        ])  # fmt: skip
    rows.append(["section", "product", "currency", "charged_off_minor", "recovered_minor",
                 "provision_minor"])  # fmt: skip
    for x in report.losses:
        rows.append(["losses", x.product, x.currency, str(x.charged_off_minor),
                     str(x.recovered_minor), str(x.provision_minor)])  # fmt: skip
    rows.append(["section", "product", "vintage", "currency", "lent_minor", "months_on_book",
                 "share_30_plus"])  # fmt: skip
    for v in report.vintages:
        for m, share in enumerate(v.shares()):
            rows.append(["vintage", v.product, v.month, v.currency, str(v.lent_minor), str(m),
                         str(share)])  # fmt: skip
    return rows

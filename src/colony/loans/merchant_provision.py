"""Loans to merchants' loss provision (ADR 0050, docs/adr/0057): after a day's collections,
the `sme` book's provision in each currency is raised or released (415) to each open loan's
principal owed times its overdue bucket's rate (cash loans' buckets and rates, `rules.py`),
overdue as at the day's end. A loan written off is charged against it first
(`merchant_charge_off.py`)."""

from __future__ import annotations

from collections.abc import Callable

from colony.credit import provide
from colony.ledger import LedgerPort
from colony.loans import rules
from colony.loans.books import owed
from colony.loans.model import MERCHANT_BOOK, LoanStatus, MerchantLoan
from colony.loans.store import LoanStore

# Open loans to merchants read from the table at a time (their principal in one lookup).
provision_page_loans = 1_000
# How many days a loan is overdue on a day, before that day's collection (`standing_of`).
DaysOverdue = Callable[[MerchantLoan, int], int]


def targets_of(
    ledger: LedgerPort, store: LoanStore, day: int, days_overdue: DaysOverdue
) -> dict[int, int]:
    """What each currency's provision should hold at the end of UTC day `day`: every lender's
    currency has a target, so a book whose loans are all repaid releases to zero."""
    targets = {x.ledger: 0 for x in store.lenders()}
    after = ""
    while page := store.merchant_loans_page(LoanStatus.open, after, provision_page_loans):
        after = page[-1].id
        principal = {a.id: owed(a) for a in ledger.lookup_accounts([x.account_id for x in page])}
        for loan in page:
            late = days_overdue(loan, day + 1)
            provided = rules.provision_for(principal.get(loan.account_id, 0), late)
            targets[loan.ledger] = targets.get(loan.ledger, 0) + provided
    return targets


def provide_for_day(
    ledger: LedgerPort, store: LoanStore, day: int, days_overdue: DaysOverdue
) -> dict[int, int]:
    """Day `day`'s move of the `sme` provision per ledger (positive: raised)."""
    return provide(ledger, MERCHANT_BOOK, targets_of(ledger, store, day, days_overdue), day)

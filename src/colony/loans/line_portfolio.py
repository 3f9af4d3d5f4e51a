"""The pay-later credit line in the portfolio report (product `line`, docs/adr/0057), read
from the line's records and the ledger, a page of lines at a time:

- Outstanding: each open line's principal as the ledger holds it (below zero, a refund's
  credit, counts as none), split by the line's rules as of its last night into billed (what
  its bills still ask, less the interest, fees and penalty in them), in instalment plans (not
  billed yet) and the rest not billed yet; interest, fees and penalty owed as one figure
  (the ledger keeps them in one receivable).
- Overdue: the line's days since the due day whose minimum was missed (`billing.py`); its
  expected loss the line's provision rates (`credit.LOSS_RATE_BPS`).
- Losses: what charge-offs wrote off (principal and interest), from the ledger.
- Vintages by the month the line was opened, against its limit: a line counts as bad from
  30 days after the due day it went overdue on, with its principal owed (written off: as
  written). Only the overdue spell the line is in (or was charged off in) is known: one
  caught up since is not in the line's record, so its curve does not show it.
"""

from __future__ import annotations

from collections.abc import Callable

from colony.chart import Slots
from colony.credit import CreditLine, LineStore, charge_off_days, expected_loss, owed_by_lines
from colony.kernel.clock import NS_PER_DAY, day_number
from colony.ledger import LedgerPort
from colony.loans import portfolio_books
from colony.loans.portfolio_books import Book, Losses, Vintage, vintage_of

PRODUCT = "line"
# Lines read from the store at a time (their two receivables in one ledger lookup).
portfolio_page_lines = 500
_CHARGE_OFFS = (
    Slots.line_charge_off_provided, Slots.line_charge_off_principal, Slots.line_charge_off_interest,
)  # fmt: skip


def count_lines(
    ledger: LedgerPort,
    lines: LineStore,
    day: int,
    book: Callable[[str, str], Book],
    loss: Callable[[str, int], Losses],
    vintages: dict[tuple[str, str, str], Vintage],
) -> None:
    """Every line into its currency's book, losses and vintage, as of UTC day `day`."""
    after = ""
    while page := lines.page(after, portfolio_page_lines):
        after = page[-1].id
        owes = owed_by_lines(ledger, page)
        for line in page:
            principal, interest = owes[line.id]
            losses = loss(PRODUCT, line.ledger)
            if line.model.closed:
                overdue_from, principal_off, interest_off = _charge_off_of(ledger, line)
                losses.charged_off_minor += principal_off + interest_off
                _vintage(vintages, line, day, overdue_from, principal_off)
                continue
            owed = max(principal, 0)
            target = book(PRODUCT, line.currency)
            target.add(owed, interest, line.model.days_overdue, expected_loss(owed, line.bucket))
            for part, amount in _parts(line, owed, interest).items():
                target.parts_minor[part] = target.parts_minor.get(part, 0) + amount
            since = line.model.overdue_since
            _vintage(vintages, line, day, None if since is None else day_number(since), owed)


def _parts(line: CreditLine, owed: int, interest: int) -> dict[str, int]:
    m = line.model
    plans = min(m.plan_principal_minor, owed)
    charges_billed = max(interest - m.interest_due_minor - m.penalty_due_minor, 0)
    billed = min(max(m.owed_on_bill_minor + m.carried_minor - charges_billed, 0), owed - plans)
    return {"billed": billed, "unbilled": owed - plans - billed, "instalment_plans": plans}


def _charge_off_of(ledger: LedgerPort, line: CreditLine) -> tuple[int | None, int, int]:
    """(The due day the line went overdue on before it was written off, the principal and
    the interest written off), from its charge-off transfers: looked for on the day each
    bill's due day would have made it (`charge_off_days` later, closing the day before).
    The ledger's, not the model's: it wrote off the interest accrued since the last bill."""
    pid = line.principal_account_id
    days = {day_number(b.due) + charge_off_days - 1 for b in line.model.history}
    ids = {slot.of(pid, n): (n, slot) for n in days for slot in _CHARGE_OFFS}
    found = ledger.lookup_transfers(list(ids))
    if not found:
        return None, 0, 0
    n = ids[found[0].id][0]
    interest = sum(t.amount for t in found if ids[t.id][1] is Slots.line_charge_off_interest)
    principal = sum(t.amount for t in found) - interest
    return n - charge_off_days + 1, principal, interest


def _vintage(
    vintages: dict[tuple[str, str, str], Vintage],
    line: CreditLine,
    day: int,
    overdue_from: int | None,
    principal_minor: int,
) -> None:
    opened = line.opened_at_ns // NS_PER_DAY
    vintage = vintage_of(vintages, PRODUCT, opened, line.currency)
    vintage.lent_minor += line.model.limit_minor
    for months, end in enumerate(portfolio_books.month_ends(opened, day)):
        late = None if overdue_from is None else end - overdue_from
        bad = late is not None and late >= portfolio_books.vintage_overdue_days
        vintage.count(months, principal_minor if bad else 0)

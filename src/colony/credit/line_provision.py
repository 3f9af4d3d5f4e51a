"""The pay-later line's loss provision (ADR 0050, docs/adr/0057): each open line's principal
owed, as the ledger holds it (billed, not billed and in instalment plans alike), times its
overdue bucket's loss rate; a line charged off is provided for no more (its principal was
written off against the provision). What lines owe is read in one ledger lookup a page."""

from __future__ import annotations

from collections.abc import Sequence

from colony.credit.line_accounts import PRODUCT, interest_id
from colony.credit.line_records import CreditLine
from colony.credit.provision import expected_loss
from colony.ledger import LedgerPort


def owed_by_lines(ledger: LedgerPort, lines: Sequence[CreditLine]) -> dict[str, tuple[int, int]]:
    """Each line's (principal, interest and fees) owed, debits less credits posted: principal
    below zero is a credit from refunds the next purchases use."""
    ids = [i for x in lines for i in (x.principal_account_id, interest_id(x.principal_account_id))]
    found = {a.id: a.debits_posted - a.credits_posted for a in ledger.lookup_accounts(ids)}
    return {
        x.id: (found.get(x.principal_account_id, 0),
               found.get(interest_id(x.principal_account_id), 0))
        for x in lines
    }  # fmt: skip


def add_targets(ledger: LedgerPort, lines: Sequence[CreditLine], targets: dict[int, int]) -> None:
    """Add what `lines` call for to each currency's target (every currency seen gets one, so a
    book with nothing left releases its provision to zero)."""
    owed = owed_by_lines(ledger, lines) if lines else {}
    for line in lines:
        provided = 0 if line.model.closed else expected_loss(owed[line.id][0], line.bucket)
        targets[line.ledger] = targets.get(line.ledger, 0) + provided


__all__ = ["PRODUCT", "add_targets", "owed_by_lines"]

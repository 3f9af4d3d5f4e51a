"""What the screens show of a wallet's credit line (the wallet app's Credit screen, the
console's wallet page): the line, and its owed and available from the ledger."""

from __future__ import annotations

from typing import Any

from colony.credit.line_records import CreditLine
from colony.credit.line_service import LineService
from colony.wallets import Wallet

# The latest plans a wallet's credit screen lists.
plans_shown = 5


def line_figures(lines: LineService, wallet: Wallet) -> dict[str, Any]:
    """The wallet's line (None before it opens one), what it owes and what it may spend."""
    line = lines.line_of(wallet)
    if line is None:
        return {"credit_line": None}
    principal, interest, available = lines.balances(line)
    owed = max(principal, 0) + interest
    return {
        "credit_line": line,
        "credit_line_owed": owed,
        "credit_line_available": 0 if line.model.frozen else max(available, 0),
        "credit_line_bill_unpaid": bill_unpaid(line, owed),
        # What became of the plans asked for: a plan is made by the night's run, so the
        # screen says it was asked, then made or refused.
        "credit_line_plans": lines.plans_of(line, plans_shown),
    }


def bill_unpaid(line: CreditLine, owed_minor: int) -> int:
    """What of the latest bill is still unpaid: as of the last night's run, and never more
    than all that is owed now (a repayment since pays the bill first)."""
    return min(line.model.owed_on_bill_minor, owed_minor)

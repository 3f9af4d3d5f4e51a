"""What the ledger holds per currency, in one pass over its accounts: the figures the `/`
page shows and the console's trial balance checks (debits equal credits, posted and pending).
Wallets and merchants are counted by their accounts' codes (the chart of accounts)."""

from __future__ import annotations

from dataclasses import dataclass, field

from colony.api.context import ApiContext
from colony.merchants import ACCOUNT_MERCHANT
from colony.wallets import ACCOUNT_WALLET


@dataclass
class CurrencyFigures:
    ledger: int
    accounts: int = 0
    debits_posted: int = 0
    credits_posted: int = 0
    debits_pending: int = 0
    credits_pending: int = 0
    by_code: dict[int, int] = field(default_factory=dict)  # credit balance per account code


@dataclass
class PageFigures:
    currencies: list[CurrencyFigures]
    wallets: int
    merchants: int


def gather(ctx: ApiContext) -> PageFigures:
    per_ledger: dict[int, CurrencyFigures] = {}
    counts = {ACCOUNT_WALLET: 0, ACCOUNT_MERCHANT: 0}
    for a in ctx.ledger.all_accounts():
        figures = per_ledger.setdefault(a.ledger, CurrencyFigures(a.ledger))
        figures.accounts += 1
        figures.debits_posted += a.debits_posted
        figures.credits_posted += a.credits_posted
        figures.debits_pending += a.debits_pending
        figures.credits_pending += a.credits_pending
        balance = a.credits_posted - a.debits_posted
        figures.by_code[a.code] = figures.by_code.get(a.code, 0) + balance
        if a.code in counts:
            counts[a.code] += 1
    return PageFigures(
        [per_ledger[k] for k in sorted(per_ledger)],
        counts[ACCOUNT_WALLET],
        counts[ACCOUNT_MERCHANT],
    )


def balanced(c: CurrencyFigures) -> bool:
    """Debits equal credits, posted and pending: what double entry keeps true."""
    return c.debits_posted == c.credits_posted and c.debits_pending == c.credits_pending

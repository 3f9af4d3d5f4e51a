"""What the ledger holds per currency, from the totals it keeps per currency and account code
(`Ledger.totals`, no pass over its accounts): the figures the `/` page shows (debits equal
credits, posted and pending). Wallets and merchants are counted by their accounts' codes (the
chart of accounts)."""

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
    currencies = []
    counts = {ACCOUNT_WALLET: 0, ACCOUNT_MERCHANT: 0}
    for t in ctx.ledger.totals():
        # Per code: (accounts, debits pending, debits posted, credits pending, credits posted).
        currencies.append(CurrencyFigures(
            t.ledger, t.accounts, t.debits_posted, t.credits_posted, t.debits_pending,
            t.credits_pending, {code: f[4] - f[2] for code, f in t.by_code.items()},
        ))  # fmt: skip
        for code in counts:
            counts[code] += t.by_code[code][0] if code in t.by_code else 0
    return PageFigures(currencies, counts[ACCOUNT_WALLET], counts[ACCOUNT_MERCHANT])


def balanced(c: CurrencyFigures) -> bool:
    """Debits equal credits, posted and pending: what double entry keeps true."""
    return c.debits_posted == c.credits_posted and c.debits_pending == c.credits_pending

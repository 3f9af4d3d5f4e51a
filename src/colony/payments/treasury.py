"""The platform's FX books per currency: a treasury (liquidity) account and an FX revenue account.

A cross-border payment takes the payer's currency into that currency's treasury account and
pays the merchant out of the treasury account of the merchant's currency; the house's spread
moves from the payer's treasury to FX revenue (docs/adr/0016). Both accounts are opened on
demand, once per currency, with ids derived from the ledger number, like the fee revenue and
the payments control accounts.

A treasury account has no balance limit: its balance (credits less debits) is the platform's
position in that currency. Positive, the platform took that currency in from payers; negative,
it paid merchants money that its liquidity provider must fund. The operator reads positions
through `positions` (GET /v1/treasury/positions) and settles them outside Colony for now.
"""

from __future__ import annotations

from dataclasses import dataclass

from colony.chart import AccountCode, IdPrefix
from colony.kernel.money import currency_of_ledger
from colony.ledger import Account, LedgerPort

ACCOUNT_TREASURY: int = AccountCode.treasury  # the platform's liquidity in one currency
ACCOUNT_FX_REVENUE: int = AccountCode.fx_revenue  # the house's FX spread earned in one currency


@dataclass(frozen=True, slots=True)
class Position:
    """One currency's FX books, in its minor units (credits less debits of each account)."""

    currency: str
    ledger: int
    treasury_minor: int
    fx_revenue_minor: int


def treasury_account_id(ledger: int) -> int:
    return IdPrefix.treasury.account_id(ledger)


def fx_revenue_account_id(ledger: int) -> int:
    return IdPrefix.fx_revenue.account_id(ledger)


def is_treasury_account(account_id: int) -> bool:
    """Whether an account is a treasury account: a payment paid out of one is cross-border."""
    return IdPrefix.treasury.holds(account_id)


def treasury_accounts(ledger: int) -> list[Account]:
    return [
        Account(treasury_account_id(ledger), ledger, ACCOUNT_TREASURY),
        Account(fx_revenue_account_id(ledger), ledger, ACCOUNT_FX_REVENUE),
    ]


def positions(ledger_port: LedgerPort) -> list[Position]:
    """Every currency with FX books, by ledger number."""
    ledgers = sorted(t.ledger for t in ledger_port.totals())
    ids = [
        i
        for ledger in ledgers
        for i in (treasury_account_id(ledger), fx_revenue_account_id(ledger))
    ]
    found = {a.id: a for a in ledger_port.lookup_accounts(ids)}
    books = []
    for ledger in ledgers:
        treasury = found.get(treasury_account_id(ledger))
        revenue = found.get(fx_revenue_account_id(ledger))
        if treasury is None or revenue is None:
            continue
        books.append(
            Position(
                str(currency_of_ledger(ledger)),
                ledger,
                treasury.credits_posted - treasury.debits_posted,
                revenue.credits_posted - revenue.debits_posted,
            )
        )
    return books

"""A cause: a charity wallets give to, owed what they gave on its own ledger account."""

from __future__ import annotations

from dataclasses import dataclass

from colony.chart import AccountCode, TransferCode

# Ledger codes: the chart's (docs/chart-of-accounts.md), under the names this package uses.
ACCOUNT_CAUSE: int = AccountCode.cause
TRANSFER_DONATION: int = TransferCode.donation
# The longest name a cause may have.
cause_name_chars_max = 100


@dataclass(frozen=True)
class Cause:
    id: str  # "cau_" + hex
    name: str
    currency: str
    ledger: int
    account_id: int  # what Colony owes the cause: a liability, like a merchant's account
    created_at_ns: int

"""A wallet: a person's account in one currency, and the ledger accounts behind it.

Each wallet is three ledger accounts, all on the currency's ledger:
- the wallet itself (what Colony owes the person), which may never go below zero;
- its balance headroom: credited with the tier's balance cap, and drawn down by every credit
  to the wallet (given back by every debit), so a credit that would lift the balance past the
  cap fails in the ledger, in the same chain as the payment;
- one outflow account per UTC day, credited with the tier's daily outflow cap on first use
  that day and drawn down by every payment out of the wallet.
Limits are thus enforced where money moves, by the ledger, never by a request handler.
"""

from __future__ import annotations

import enum
import hashlib
from dataclasses import dataclass


class Tier(enum.IntEnum):
    phone_only = 0  # opened with a phone number: capped
    identity_verified = 1  # KYC done: caps lifted


@dataclass(frozen=True)
class TierLimits:
    balance_cap_minor: int
    daily_outflow_cap_minor: int


# Per tier, in minor units of the wallet's currency (for a scale-2 currency: 2,000.00 and
# 500.00 at tier 0). An operator sets these per market; these are Colony's defaults.
DEFAULT_LIMITS = {
    Tier.phone_only: TierLimits(balance_cap_minor=200_000, daily_outflow_cap_minor=50_000),
    Tier.identity_verified: TierLimits(
        balance_cap_minor=1_000_000_000, daily_outflow_cap_minor=100_000_000
    ),
}

# Ledger codes: what kind of account, and why money moved (the chart of accounts).
ACCOUNT_WALLET = 30
ACCOUNT_BALANCE_HEADROOM = 31
ACCOUNT_DAILY_OUTFLOW = 32
ACCOUNT_LIMIT_CONTROL = 33
ACCOUNT_FUNDING = 10
TRANSFER_OPENING_DEPOSIT = 101
TRANSFER_P2P = 102
TRANSFER_HEADROOM = 103  # moves of balance headroom (the balance cap)
TRANSFER_OUTFLOW = 104  # moves of daily outflow allowance (the daily cap)
TRANSFER_LIMIT_GRANT = 105  # a tier's caps granted, or raised on upgrade
TRANSFER_TOP_UP = 106  # money from a funding partner (a bank, a card issuer)
ACCOUNT_FUNDING_PARTNER = 11
OPENING_DEPOSIT_MINOR = 1  # an account for the price of a coin
# How long a funding partner has to confirm a top-up before its hold expires, in seconds.
top_up_confirm_timeout_s = 900
TRANSFER_WITHDRAWAL = 107  # money out to a funding partner (to a bank account, a card)
# How long a funding partner has to confirm a withdrawal before the held money goes back to
# the wallet, in seconds (a bank transfer may take a working day).
withdrawal_confirm_timeout_s = 86_400


@dataclass(frozen=True)
class Wallet:
    id: str  # "wal_" + hex
    phone: str  # E.164
    name: str
    currency: str
    ledger: int
    tier: Tier
    account_id: int  # the wallet's ledger account; the others derive from it
    created_at_ns: int

    @property
    def headroom_account_id(self) -> int:
        return derived_id(self.account_id, 1)

    def outflow_account_id(self, day: int) -> int:
        return derived_id(self.account_id, 1000 + day)


def derived_id(base: int, n: int) -> int:
    """A ledger id that belongs to `base`: the same inputs always give the same id, so a retry
    after a crash resubmits the very same events (ADR 0003). A 127-bit hash with the top bit
    set, so it never collides with time-ordered ids (top bit clear) nor is 0 or 2**128-1."""
    digest = hashlib.blake2b(base.to_bytes(16, "big") + n.to_bytes(8, "big"), digest_size=16)
    return (int.from_bytes(digest.digest(), "big") >> 1) | (1 << 127)

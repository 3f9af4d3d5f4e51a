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
import functools
from dataclasses import dataclass

from colony.chart import AccountCode, Slots, TransferCode


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

# Ledger codes: the chart's (docs/chart-of-accounts.md), under the names this package uses.
ACCOUNT_WALLET: int = AccountCode.wallet
ACCOUNT_BALANCE_HEADROOM: int = AccountCode.balance_headroom
ACCOUNT_DAILY_OUTFLOW: int = AccountCode.daily_outflow
ACCOUNT_LIMIT_CONTROL: int = AccountCode.limit_control
ACCOUNT_FUNDING: int = AccountCode.funding
ACCOUNT_FUNDING_PARTNER: int = AccountCode.funding_partner
TRANSFER_OPENING_DEPOSIT: int = TransferCode.opening_deposit
TRANSFER_P2P: int = TransferCode.p2p
TRANSFER_HEADROOM: int = TransferCode.headroom
TRANSFER_OUTFLOW: int = TransferCode.outflow
TRANSFER_LIMIT_GRANT: int = TransferCode.limit_grant
TRANSFER_TOP_UP: int = TransferCode.top_up
TRANSFER_WITHDRAWAL: int = TransferCode.withdrawal
OPENING_DEPOSIT_MINOR = 1  # an account for the price of a coin
# How long a funding partner has to confirm a top-up before its hold expires, in seconds.
top_up_confirm_timeout_s = 900
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
        return _headroom_account_id(self.account_id)

    def outflow_account_id(self, day: int) -> int:
        """The outflow account of UTC day `day` (days since 1970-01-01)."""
        return _outflow_account_id(self.account_id, day)


# The derived account ids of the wallets paying lately, kept: each payment asks for its
# wallet's, and each is a hash. Entries (two ints or three) a kind: a few MB at most.
wallet_ids_kept_max = 65_536


@functools.lru_cache(maxsize=wallet_ids_kept_max)
def _headroom_account_id(account_id: int) -> int:
    return Slots.headroom_account.of(account_id)


@functools.lru_cache(maxsize=wallet_ids_kept_max)
def _outflow_account_id(account_id: int, day: int) -> int:
    return Slots.outflow_account.of(account_id, day)


# The longest reason a freeze may give, in characters: a sentence or two for the audit.
freeze_reason_chars_max = 500


@dataclass(frozen=True)
class WalletFreeze:
    """The operator stopped money leaving a wallet (a suspected fraud, a court order): until
    it is lifted, the wallet may receive money and be read, never send, pay, withdraw or give."""

    wallet_id: str
    reason: str
    frozen_at_ns: int

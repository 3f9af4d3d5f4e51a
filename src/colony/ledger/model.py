"""Accounts and transfers: the ledger's two record types, field for field TigerBeetle's.

Amounts, balances and ids are unsigned 128-bit integers (Python ints, range-checked at the
edges); `ledger` is u32, `code` u16, `timeout` u32 seconds, `timestamp` u64 nanoseconds since
the Unix epoch, assigned by the ledger. A currency is a ledger: one ledger per currency, so a
transfer never mixes currencies.
"""

from __future__ import annotations

import enum
from dataclasses import dataclass
from typing import NamedTuple

U16_MAX = (1 << 16) - 1
U32_MAX = (1 << 32) - 1
U64_MAX = (1 << 64) - 1
U128_MAX = (1 << 128) - 1

# `amount` on a post or a balancing transfer: "as much as possible".
AMOUNT_MAX = U128_MAX

# The largest number of events one request (and so one journal batch) may carry: TigerBeetle's
# batch size, which keeps a batch's packed body (8,190 x 128 bytes) just under 1 MiB.
batch_events_max = 8190


class AccountFlags(enum.IntFlag):
    none = 0
    linked = 1 << 0
    debits_must_not_exceed_credits = 1 << 1
    credits_must_not_exceed_debits = 1 << 2
    history = 1 << 3
    imported = 1 << 4
    closed = 1 << 5


class TransferFlags(enum.IntFlag):
    none = 0
    linked = 1 << 0
    pending = 1 << 1
    post_pending_transfer = 1 << 2
    void_pending_transfer = 1 << 3
    balancing_debit = 1 << 4
    balancing_credit = 1 << 5
    closing_debit = 1 << 6
    closing_credit = 1 << 7
    imported = 1 << 8


# Every field's width in bits: the wire and journal format cannot carry more.
ACCOUNT_FIELD_BITS: dict[str, int] = {
    "id": 128,
    "ledger": 32,
    "code": 16,
    "flags": 16,
    "debits_pending": 128,
    "debits_posted": 128,
    "credits_pending": 128,
    "credits_posted": 128,
    "user_data_128": 128,
    "user_data_64": 64,
    "user_data_32": 32,
    "reserved": 32,
    "timestamp": 64,
}
TRANSFER_FIELD_BITS: dict[str, int] = {
    "id": 128,
    "debit_account_id": 128,
    "credit_account_id": 128,
    "amount": 128,
    "ledger": 32,
    "code": 16,
    "flags": 16,
    "pending_id": 128,
    "timeout": 32,
    "user_data_128": 128,
    "user_data_64": 64,
    "user_data_32": 32,
    "timestamp": 64,
}

ACCOUNT_FLAGS_KNOWN = sum(int(f) for f in AccountFlags)
TRANSFER_FLAGS_KNOWN = sum(int(f) for f in TransferFlags)


class TransferPendingStatus(enum.IntEnum):
    """What became of a pending transfer; `none` for a transfer that never was pending."""

    none = 0
    pending = 1
    posted = 2
    voided = 3
    expired = 4


@dataclass(slots=True)
class Account:
    id: int
    ledger: int
    code: int
    flags: int = 0
    debits_pending: int = 0
    debits_posted: int = 0
    credits_pending: int = 0
    credits_posted: int = 0
    user_data_128: int = 0
    user_data_64: int = 0
    user_data_32: int = 0
    reserved: int = 0
    timestamp: int = 0

    def balance_posted(self) -> int:
        """Credits less debits posted: what a liability account (a wallet) holds."""
        return self.credits_posted - self.debits_posted


@dataclass(slots=True)
class Transfer:
    id: int
    debit_account_id: int
    credit_account_id: int
    amount: int
    ledger: int
    code: int
    flags: int = 0
    pending_id: int = 0
    timeout: int = 0
    user_data_128: int = 0
    user_data_64: int = 0
    user_data_32: int = 0
    timestamp: int = 0


class Balances(NamedTuple):
    """An account's balances as they stand now (`LedgerPort.lookup_balances`): the figures a
    job reading millions of accounts needs, without copying the rest of each account."""

    debits_pending: int
    debits_posted: int
    credits_pending: int
    credits_posted: int


@dataclass(slots=True, frozen=True)
class AccountBalance:
    """An account's balances as they stood just after the event at `timestamp`."""

    timestamp: int
    debits_pending: int
    debits_posted: int
    credits_pending: int
    credits_posted: int


@dataclass(slots=True, frozen=True)
class StatementLine:
    """One change to an account: the transfer (or expiry) that made it and the balances after.

    `kind` is "transfer" for a transfer, or "expiry" when a pending transfer timed out and its
    amount went back (the line's `timestamp` is then the expiry's own).
    """

    timestamp: int
    kind: str
    transfer: Transfer
    balance: AccountBalance

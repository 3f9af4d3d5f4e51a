"""A fingerprint of a whole ledger: the same seed and arguments give the same one."""

from __future__ import annotations

import hashlib
import struct

from colony.ledger import Account, LedgerPort, Transfer

_HALF = struct.Struct("<QQ")
_MASK = (1 << 64) - 1


def _account_fields(a: Account) -> tuple[int, ...]:
    return (
        a.id, a.ledger, a.code, a.flags, a.debits_pending, a.debits_posted, a.credits_pending,
        a.credits_posted, a.user_data_128, a.user_data_64, a.user_data_32, a.timestamp,
    )  # fmt: skip


def _transfer_fields(t: Transfer) -> tuple[int, ...]:
    return (
        t.id, t.debit_account_id, t.credit_account_id, t.amount, t.ledger, t.code, t.flags,
        t.pending_id, t.timeout, t.user_data_128, t.user_data_64, t.user_data_32, t.timestamp,
    )  # fmt: skip


def _packed(values: tuple[int, ...]) -> bytes:
    """Every field as 128 bits, low half first."""
    return b"".join(_HALF.pack(v & _MASK, v >> 64) for v in values)


def ledger_digest(ledger: LedgerPort) -> str:
    """SHA-256 over every account (with its balances) and every transfer, every field, in the
    order the ledger applied them: the same ledger gives the same digest on any machine."""
    digest = hashlib.sha256()
    for account in ledger.all_accounts():
        digest.update(_packed(_account_fields(account)))
    for transfer in ledger.all_transfers():
        digest.update(_packed(_transfer_fields(transfer)))
    return digest.hexdigest()

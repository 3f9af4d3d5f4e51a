"""The journal's binary format: 128 bytes an event, TigerBeetle's field layout, little-endian.

A journal entry's body is its events packed back to back; 8,190 transfers make just under
1 MiB. The layout is part of the on-disk format: change it only with a new format version.
"""

from __future__ import annotations

import struct
from collections.abc import Sequence
from typing import TypeVar

from colony.ledger import native
from colony.ledger.model import Account, Transfer

A = TypeVar("A", bound=Account)

_U64 = (1 << 64) - 1
EVENT_SIZE_BYTES = 128

# id, debit_account_id, credit_account_id, amount, pending_id, user_data_128 (each u128 as
# lo, hi u64), user_data_64, user_data_32, timeout, ledger, code, flags, timestamp.
_TRANSFER = struct.Struct("<12QQIIIHHQ")
# id, debits_pending, debits_posted, credits_pending, credits_posted, user_data_128 (u128 as
# lo, hi), user_data_64, user_data_32, reserved, ledger, code, flags, timestamp.
_ACCOUNT = struct.Struct("<12QQIIIHHQ")
assert _TRANSFER.size == EVENT_SIZE_BYTES and _ACCOUNT.size == EVENT_SIZE_BYTES


def pack_transfers(events: Sequence[Transfer]) -> bytes:
    fast = native.engine
    if fast is not None:
        # None when a field is not a plain int in range: the Python below then raises.
        packed: bytes | None = fast.pack_transfers(events)
        if packed is not None:
            return packed
    m = _U64
    pack = _TRANSFER.pack
    return b"".join(
        [
            pack(
                t.id & m,
                t.id >> 64,
                t.debit_account_id & m,
                t.debit_account_id >> 64,
                t.credit_account_id & m,
                t.credit_account_id >> 64,
                t.amount & m,
                t.amount >> 64,
                t.pending_id & m,
                t.pending_id >> 64,
                t.user_data_128 & m,
                t.user_data_128 >> 64,
                t.user_data_64,
                t.user_data_32,
                t.timeout,
                t.ledger,
                t.code,
                t.flags,
                t.timestamp,
            )
            for t in events
        ]
    )


def unpack_transfers(body: bytes | memoryview) -> list[Transfer]:
    fast = native.engine
    if fast is not None and len(body) % EVENT_SIZE_BYTES == 0:
        unpacked: list[Transfer] = fast.unpack_transfers(body)
        return unpacked
    return [
        Transfer(
            f[0] | f[1] << 64,
            f[2] | f[3] << 64,
            f[4] | f[5] << 64,
            f[6] | f[7] << 64,
            f[15],
            f[16],
            f[17],
            f[8] | f[9] << 64,
            f[14],
            f[10] | f[11] << 64,
            f[12],
            f[13],
            f[18],
        )
        for f in _TRANSFER.iter_unpack(body)
    ]


def pack_accounts(events: Sequence[Account]) -> bytes:
    m = _U64
    pack = _ACCOUNT.pack
    return b"".join(
        [
            pack(
                a.id & m,
                a.id >> 64,
                a.debits_pending & m,
                a.debits_pending >> 64,
                a.debits_posted & m,
                a.debits_posted >> 64,
                a.credits_pending & m,
                a.credits_pending >> 64,
                a.credits_posted & m,
                a.credits_posted >> 64,
                a.user_data_128 & m,
                a.user_data_128 >> 64,
                a.user_data_64,
                a.user_data_32,
                a.reserved,
                a.ledger,
                a.code,
                a.flags,
                a.timestamp,
            )
            for a in events
        ]
    )


def unpack_accounts(body: bytes | memoryview, kind: type[A] = Account) -> list[A]:  # type: ignore[assignment]
    """The accounts of a packed body, made as `kind` (the ledger's own record, for checkpoints)."""
    return [
        kind(
            f[0] | f[1] << 64,
            f[15],
            f[16],
            f[17],
            f[2] | f[3] << 64,
            f[4] | f[5] << 64,
            f[6] | f[7] << 64,
            f[8] | f[9] << 64,
            f[10] | f[11] << 64,
            f[12],
            f[13],
            f[14],
            f[18],
        )
        for f in _ACCOUNT.iter_unpack(body)
    ]

"""Account history: which changes touched an account, and its balances after each of them.

Recording must be nearly free, because it happens twice for every transfer: an account's
history is a list of the changes themselves (the stored transfer, or an `Expiry`), and every
`checkpoint_lines`-th line it also keeps a snapshot of the balances just before that line.
Balances after any line are rebuilt from the nearest snapshot by replaying at most
`checkpoint_lines` changes.
"""

from __future__ import annotations

from dataclasses import dataclass

from colony.ledger.model import Transfer, TransferFlags

# A balance snapshot every this many lines of an account's history (a power of two).
checkpoint_lines = 256
CHECKPOINT_MASK = checkpoint_lines - 1

_PENDING = int(TransferFlags.pending)
_POST = int(TransferFlags.post_pending_transfer)
_VOID = int(TransferFlags.void_pending_transfer)

Balances = tuple[
    int, int, int, int
]  # debits_pending, debits_posted, credits_pending, credits_posted
Checkpoint = tuple[int, int, int, int, int]  # line index, then the balances before that line


@dataclass(slots=True, frozen=True)
class Expiry:
    """A pending transfer that timed out: its amount went back at `timestamp`."""

    timestamp: int
    transfer: Transfer


Line = Transfer | Expiry


def line_timestamp(line: Line) -> int:
    return line.timestamp


def effect(line: Line, account_id: int, transfers: dict[int, Transfer]) -> Balances:
    """How one line changed the account's four balances."""
    if isinstance(line, Expiry):
        amount = line.transfer.amount
        if line.transfer.debit_account_id == account_id:
            return (-amount, 0, 0, 0)
        return (0, 0, -amount, 0)
    flags = line.flags
    debit_side = line.debit_account_id == account_id
    if flags & _PENDING:
        pending, posted = line.amount, 0
    elif flags & (_POST | _VOID):
        held = transfers[line.pending_id].amount
        pending, posted = -held, (line.amount if flags & _POST else 0)
    else:
        pending, posted = 0, line.amount
    return (pending, posted, 0, 0) if debit_side else (0, 0, pending, posted)


def balances_after(
    lines: list[Line],
    checkpoints: list[Checkpoint],
    account_id: int,
    transfers: dict[int, Transfer],
    start: int,
    stop: int,
) -> list[Balances]:
    """The balances after each of lines[start:stop]."""
    base: Checkpoint = (0, 0, 0, 0, 0)
    for cp in reversed(checkpoints):
        if cp[0] <= start:
            base = cp
            break
    index, dp, dpo, cp_, cpo = base
    out: list[Balances] = []
    for i in range(index, stop):
        a, b, c, d = effect(lines[i], account_id, transfers)
        dp, dpo, cp_, cpo = dp + a, dpo + b, cp_ + c, cpo + d
        if i >= start:
            out.append((dp, dpo, cp_, cpo))
    return out

"""Account history: which changes touched an account, and its balances after each of them.

Recording must be nearly free, because it happens twice for every transfer: an account's
history is a list of the changes themselves (the stored transfer, or an `Expiry`), and every
`checkpoint_lines`-th line it also keeps a snapshot of the balances just before that line.
Balances after any line are rebuilt from the nearest snapshot by replaying at most
`checkpoint_lines` changes.
"""

from __future__ import annotations

import bisect
import copy
from collections.abc import Mapping
from dataclasses import dataclass
from typing import TYPE_CHECKING

from colony.ledger.model import AccountBalance, StatementLine, Transfer, TransferFlags

if TYPE_CHECKING:
    from colony.ledger.state import LiveAccount

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


def effect(line: Line, account_id: int, transfers: Mapping[int, Transfer]) -> Balances:
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
    account: LiveAccount, transfers: Mapping[int, Transfer], start: int, stop: int
) -> list[Balances]:
    """The balances after each of the account's lines[start:stop] in memory."""
    lines = account.lines
    index, dp, dpo, cp_, cpo = balances_before(account, transfers, start)
    out: list[Balances] = []
    for i in range(index, stop):
        a, b, c, d = effect(lines[i], account.id, transfers)
        dp, dpo, cp_, cpo = dp + a, dpo + b, cp_ + c, cpo + d
        if i >= start:
            out.append((dp, dpo, cp_, cpo))
    return out


def balances_before(
    account: LiveAccount, transfers: Mapping[int, Transfer], start: int
) -> Checkpoint:
    """A line index at or before `start` and the balances before that line.

    From the nearest snapshot at or before `start`; with none (the lines before the first
    snapshot, which archiving may leave without one), back from the first snapshot after it,
    or from the account's balances now: at most `checkpoint_lines` lines either way.
    """
    snapshots = account.checkpoints
    for cp in reversed(snapshots):
        if cp[0] <= start:
            return cp
    if snapshots:
        index, dp, dpo, cp_, cpo = snapshots[0]
    else:
        index = len(account.lines)
        dp, dpo = account.debits_pending, account.debits_posted
        cp_, cpo = account.credits_pending, account.credits_posted
    for line in account.lines[:index]:
        a, b, c, d = effect(line, account.id, transfers)
        dp, dpo, cp_, cpo = dp - a, dpo - b, cp_ - c, cpo - d
    return (0, dp, dpo, cp_, cpo)


def statement_page(
    account: LiveAccount,
    transfers: Mapping[int, Transfer],
    *,
    after_timestamp: int,
    before_timestamp: int | None,
    limit: int,
    reverse: bool,
) -> tuple[list[StatementLine], int | None]:
    """One page of an account's statement and the cursor to the next page (None: the last).

    Forward pages start after `after_timestamp`; reversed pages (newest first) start before
    `before_timestamp`. The cursor continues in the same direction.
    """
    lines = account.lines
    if reverse:
        stop = (
            len(lines)
            if before_timestamp is None
            else bisect.bisect_left(lines, before_timestamp, key=line_timestamp)
        )
        start = max(0, stop - limit)
        more = start > 0
    else:
        start = bisect.bisect_right(lines, after_timestamp, key=line_timestamp)
        stop = min(len(lines), start + limit)
        more = stop < len(lines)
    page = statement_lines(account, transfers, start, stop)
    if reverse:
        page.reverse()
    return page, (page[-1].timestamp if page and more else None)


def statement_lines(
    account: LiveAccount, transfers: Mapping[int, Transfer], start: int, stop: int
) -> list[StatementLine]:
    """Lines start..stop of the account's history, each with the balances after it."""
    lines = account.lines
    balances = balances_after(account, transfers, start, stop)
    out = []
    for line, (dp, dpo, cp, cpo) in zip(lines[start:stop], balances, strict=True):
        is_expiry = isinstance(line, Expiry)
        transfer = line.transfer if isinstance(line, Expiry) else line
        out.append(
            StatementLine(
                line.timestamp,
                "expiry" if is_expiry else "transfer",
                copy.copy(transfer),
                AccountBalance(line.timestamp, dp, dpo, cp, cpo),
            )
        )
    return out

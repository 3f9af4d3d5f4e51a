"""The ledger's state machine: its in-memory state and what every operation shares.

Everything that changes money happens here and only here. The machine is a pure function of
(state, operation, events, now_ns): no clock, randomness or I/O of its own. That is what makes
the journal enough for durability: replaying the journaled batches in order, each with the
`now_ns` it was first applied with, rebuilds exactly the same state and the same results.

The operations themselves are `transfers.create_transfers` and `accounts.create_accounts`;
this module holds the state, the expiry of pending transfers, account history recording and
the undo log that takes a failed linked chain back.
"""

from __future__ import annotations

import bisect
import heapq
from collections.abc import Iterable
from dataclasses import dataclass, field
from typing import TYPE_CHECKING

from colony.ledger.history import CHECKPOINT_MASK, Checkpoint, Expiry, Line
from colony.ledger.invariants import InvariantBroken
from colony.ledger.model import (
    Account,
    AccountFlags,
    Transfer,
    TransferFlags,
    TransferPendingStatus,
)

if TYPE_CHECKING:
    from colony.ledger.archive import HistoryArchive, IdFilter
from colony.ledger.results import (
    TRANSIENT_TRANSFER_RESULTS,
    CreateAccountResult,
    CreateTransferResult,
)

NS_PER_S = 1_000_000_000
# Where each figure is in a (ledger, code)'s `LedgerState.sums`.
SUMS_ACCOUNTS, SUMS_DR_PENDING, SUMS_DR_POSTED, SUMS_CR_PENDING, SUMS_CR_POSTED = range(5)
TIMESTAMP_MAX = (1 << 63) - 1

# The rules a batch is applied under (docs/adr/0022). A journal records when its rules change
# (`Operation.rules`), so a batch always replays under the rules it was first applied with:
# 1 until that entry, for every journal written before it existed.
RULES_LEGACY = 1
RULES_CURRENT = 2

# Flag bits as plain ints: IntFlag arithmetic is far slower in the per-transfer path.
_A_LINKED = int(AccountFlags.linked)
_A_DR_LIMIT = int(AccountFlags.debits_must_not_exceed_credits)
_A_CR_LIMIT = int(AccountFlags.credits_must_not_exceed_debits)
_A_IMPORTED = int(AccountFlags.imported)
_A_CLOSED = int(AccountFlags.closed)
_T_LINKED = int(TransferFlags.linked)
_T_PENDING = int(TransferFlags.pending)
_T_POST = int(TransferFlags.post_pending_transfer)
_T_VOID = int(TransferFlags.void_pending_transfer)
_T_BAL_DR = int(TransferFlags.balancing_debit)
_T_BAL_CR = int(TransferFlags.balancing_credit)
_T_CLOSE_DR = int(TransferFlags.closing_debit)
_T_CLOSE_CR = int(TransferFlags.closing_credit)
_T_IMPORTED = int(TransferFlags.imported)
_T_POST_OR_VOID = _T_POST | _T_VOID
_T_BALANCING_OR_CLOSING = _T_BAL_DR | _T_BAL_CR | _T_CLOSE_DR | _T_CLOSE_CR

_ST_PENDING = TransferPendingStatus.pending
_ST_POSTED = TransferPendingStatus.posted
_ST_VOIDED = TransferPendingStatus.voided
_ST_EXPIRED = TransferPendingStatus.expired

R = CreateTransferResult
RA = CreateAccountResult
_OK = R.ok
_TRANSIENT = TRANSIENT_TRANSFER_RESULTS


class LiveAccount(Account):
    """The writer's own record of an account: its balances plus its history (history.py).

    The history hangs off the record itself because it is appended to twice per transfer,
    and a separate id-keyed map cost a dictionary lookup each time. Only the lines after the
    archive's watermark are in memory (archive.py); `trimmed` counts those moved to disk, so
    that a balance snapshot falls every `checkpoint_lines` lines of the whole history.
    """

    __slots__ = ("checkpoints", "lines", "sums", "trimmed")

    lines: list[Line]
    checkpoints: list[Checkpoint]
    trimmed: int
    # The figures of its ledger and code in `LedgerState.sums`, shared with every account of
    # the two: held here so that a change reaches them without a lookup.
    sums: list[int]


def public_account(a: Account) -> Account:
    """A detached copy of an account, safe to hand to a caller."""
    return Account(
        a.id,
        a.ledger,
        a.code,
        a.flags,
        a.debits_pending,
        a.debits_posted,
        a.credits_pending,
        a.credits_posted,
        a.user_data_128,
        a.user_data_64,
        a.user_data_32,
        a.reserved,
        a.timestamp,
    )


@dataclass(slots=True)
class LedgerState:
    """Everything the ledger knows, rebuilt from the journal on open."""

    accounts: dict[int, LiveAccount] = field(default_factory=dict)
    transfers: dict[int, Transfer] = field(default_factory=dict)
    pending_status: dict[int, TransferPendingStatus] = field(default_factory=dict)
    # Heap of (deadline_ns, pending transfer id); stale entries are skipped when popped.
    expiries: list[tuple[int, int]] = field(default_factory=list)
    failed_transfer_ids: dict[int, CreateTransferResult] = field(default_factory=dict)
    # When each expired pending transfer expired: pending transfer id -> expiry timestamp.
    expired: dict[int, int] = field(default_factory=dict)
    # The highest timestamp handed out: every batch starts after it.
    last_timestamp: int = 0
    # The last transfer's (or expiry's) timestamp, and every account's in creation order (they
    # rise): an imported event must postdate the last event of its own kind (rules 2).
    last_transfer_timestamp: int = 0
    account_timestamps: list[int] = field(default_factory=list)
    rules: int = RULES_CURRENT
    # Posted history on disk (archive.py; None: all of it stays in memory). Everything at or
    # before `archived_through` is there; pending transfers it holds that are still pending,
    # or resolved after it, stay in `held` too; `id_filter` answers "never archived".
    archive: HistoryArchive | None = None
    id_filter: IdFilter | None = None
    archived_through: int = 0
    held: dict[int, Transfer] = field(default_factory=dict)
    # When each id in `failed_transfer_ids` failed (the timestamp its event would have taken).
    failed_at: dict[int, int] = field(default_factory=dict)
    # Per ledger and account code, kept where balances change: [accounts, debits pending,
    # debits posted, credits pending, credits posted] (`SUMS_*`; each account holds its own
    # in `LiveAccount.sums`). So the ledger's totals are read without a pass over millions
    # of accounts under the writer's lock; `check_state` pairs them with a pass.
    sums: dict[tuple[int, int], list[int]] = field(default_factory=dict)

    def batch_base_timestamp(self, now_ns: int) -> int:
        return max(now_ns, self.last_timestamp + 1)

    def last_account_timestamp(self) -> int:
        stamps = self.account_timestamps
        return stamps[-1] if stamps else 0

    def is_account_timestamp(self, timestamp: int) -> bool:
        stamps = self.account_timestamps
        i = bisect.bisect_left(stamps, timestamp)
        return i < len(stamps) and stamps[i] == timestamp

    def is_transfer_timestamp(self, timestamp: int) -> bool:
        """Whether a transfer has exactly this timestamp: a scan back from the newest, which
        stops at the first older one (transfers are stored in rising timestamp order)."""
        if timestamp > self.last_transfer_timestamp:
            return False
        if timestamp > self.archived_through:
            for t in reversed(self.transfers.values()):
                if t.timestamp <= timestamp:
                    return t.timestamp == timestamp
            return False
        return self.archive is not None and self.archive.has_transfer_at(timestamp)

    def transfer_in_memory(self, transfer_id: int) -> Transfer:
        """A transfer that must be in memory (a pending one still pending, say)."""
        t = self.transfers.get(transfer_id)
        return t if t is not None else self.held[transfer_id]


def sums_of(accounts: Iterable[Account]) -> dict[tuple[int, int], list[int]]:
    """`LedgerState.sums` from scratch: one pass over the accounts (`check_state`'s
    pairing, and `attach_sums`)."""
    sums: dict[tuple[int, int], list[int]] = {}
    for a in accounts:
        s = sums.get((a.ledger, a.code))
        if s is None:
            s = sums[a.ledger, a.code] = [0, 0, 0, 0, 0]
        s[SUMS_ACCOUNTS] += 1
        s[SUMS_DR_PENDING] += a.debits_pending
        s[SUMS_DR_POSTED] += a.debits_posted
        s[SUMS_CR_PENDING] += a.credits_pending
        s[SUMS_CR_POSTED] += a.credits_posted
    return sums


def attach_sums(state: LedgerState) -> None:
    """Set the state's sums from its accounts, and give each account its own (accounts made
    by a checkpoint's load, not by `create_accounts`)."""
    state.sums = sums_of(state.accounts.values())
    sums = state.sums
    for a in state.accounts.values():
        a.sums = sums[a.ledger, a.code]


def sums_for(state: LedgerState, ledger: int, code: int) -> list[int]:
    """The figures a new account of `ledger` and `code` adds to."""
    s = state.sums.get((ledger, code))
    if s is None:
        s = state.sums[ledger, code] = [0, 0, 0, 0, 0]
    return s


# --------------------------------------------------------------------------------------------
# Expiry of pending transfers


def expire_pending(state: LedgerState, base_ns: int) -> int:
    """Expire every pending transfer whose deadline is at or before `base_ns`.

    Each expiry takes the next timestamp from `base_ns` on and is recorded in both accounts'
    history. Returns the number of transfers expired.
    """
    heap = state.expiries
    count = 0
    statuses = state.pending_status
    while heap and heap[0][0] <= base_ns:
        deadline, pending_id = heapq.heappop(heap)
        if not _is_live_deadline(state, deadline, pending_id):
            continue  # posted, voided or rolled back before its deadline: a stale entry
        p = state.transfer_in_memory(pending_id)
        timestamp = max(base_ns, state.last_timestamp + 1)
        state.last_timestamp = timestamp
        state.last_transfer_timestamp = timestamp
        statuses[pending_id] = _ST_EXPIRED
        state.expired[pending_id] = timestamp
        dr = state.accounts[p.debit_account_id]
        cr = state.accounts[p.credit_account_id]
        line = Expiry(timestamp, p)
        record(dr, line)
        record(cr, line)
        dr.debits_pending -= p.amount
        cr.credits_pending -= p.amount
        dr.sums[SUMS_DR_PENDING] -= p.amount
        cr.sums[SUMS_CR_PENDING] -= p.amount
        if dr.debits_pending < 0 or cr.credits_pending < 0:
            raise InvariantBroken(f"expiry of {pending_id} leaves a negative pending balance")
        # An expiry is a void the clock made: a closing transfer's account opens again.
        if p.flags & _T_CLOSE_DR:
            dr.flags &= ~_A_CLOSED
        if p.flags & _T_CLOSE_CR:
            cr.flags &= ~_A_CLOSED
        count += 1
    return count


def next_expiry_ns(state: LedgerState) -> int | None:
    """The earliest deadline still pending, or None."""
    heap = state.expiries
    while heap and not _is_live_deadline(state, *heap[0]):
        heapq.heappop(heap)
    return heap[0][0] if heap else None


def _is_live_deadline(state: LedgerState, deadline: int, pending_id: int) -> bool:
    # A chain that was rolled back may leave an entry behind, and its id may then be reused
    # by another pending transfer with another deadline: so the deadline must match too.
    if state.pending_status.get(pending_id) is not _ST_PENDING:
        return False
    p = state.transfer_in_memory(pending_id)
    return p.timestamp + p.timeout * NS_PER_S == deadline


def record(a: LiveAccount, line: Line) -> None:
    """Append a change to the account's history; call it *before* changing the balances."""
    lines = a.lines
    n = len(lines)
    whole = n + a.trimmed
    if whole and not whole & CHECKPOINT_MASK:
        _checkpoint(a, n)
    lines.append(line)


def _checkpoint(a: LiveAccount, index: int) -> None:
    a.checkpoints.append(
        (index, a.debits_pending, a.debits_posted, a.credits_pending, a.credits_posted)
    )


# --------------------------------------------------------------------------------------------
# Undo log for linked chains


class Undo:
    """What a linked chain changed, so a failed chain can be taken back exactly."""

    __slots__ = (
        "accounts",
        "history",
        "last_transfer_timestamp",
        "new_accounts",
        "new_transfers",
        "statuses",
    )

    def __init__(self, state: LedgerState) -> None:
        # An imported event moves the last timestamp of its kind back into the past; a chain
        # that fails must leave it where it was, so the same events can be imported again.
        self.last_transfer_timestamp = state.last_transfer_timestamp
        self.accounts: list[tuple[LiveAccount, int, int, int, int, int]] = []
        self.history: list[LiveAccount] = []
        self.new_transfers: list[int] = []
        self.new_accounts: list[int] = []
        self.statuses: list[tuple[int, TransferPendingStatus]] = []

    def record_transfer(self, transfer_id: int, dr: LiveAccount, cr: LiveAccount) -> None:
        """Before a transfer is stored: its id, both accounts' balances and history."""
        self.save(dr)
        self.save(cr)
        self.new_transfers.append(transfer_id)
        self.history.append(dr)
        self.history.append(cr)

    def save(self, a: LiveAccount) -> None:
        self.accounts.append(
            (a, a.flags, a.debits_pending, a.debits_posted, a.credits_pending, a.credits_posted)
        )

    def rollback(self, state: LedgerState) -> None:
        for a, flags, dp, dpo, cp, cpo in reversed(self.accounts):
            sums = a.sums
            sums[SUMS_DR_PENDING] += dp - a.debits_pending
            sums[SUMS_DR_POSTED] += dpo - a.debits_posted
            sums[SUMS_CR_PENDING] += cp - a.credits_pending
            sums[SUMS_CR_POSTED] += cpo - a.credits_posted
            a.flags = flags
            a.debits_pending = dp
            a.debits_posted = dpo
            a.credits_pending = cp
            a.credits_posted = cpo
        for account in reversed(self.history):
            account.lines.pop()
            # A snapshot taken at or after the line taken back no longer holds.
            snapshots = account.checkpoints
            while snapshots and snapshots[-1][0] >= len(account.lines):
                snapshots.pop()
        # Statuses first: a chain that made a pending transfer and then posted or voided it
        # saved its status as `pending`, and that transfer goes below, status and all.
        for pending_id, status in reversed(self.statuses):
            state.pending_status[pending_id] = status
        for transfer_id in self.new_transfers:
            del state.transfers[transfer_id]
            state.pending_status.pop(transfer_id, None)
        for account_id in self.new_accounts:
            state.accounts[account_id].sums[SUMS_ACCOUNTS] -= 1
            del state.accounts[account_id]
        if self.new_accounts:
            del state.account_timestamps[-len(self.new_accounts) :]
        state.last_transfer_timestamp = self.last_transfer_timestamp
        # Expiry heap entries of rolled-back pending transfers are left behind: they are
        # skipped when popped, because their status is no longer `pending`.

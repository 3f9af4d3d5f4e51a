"""Posted history on disk: the ledger's memory bounded by configuration, not by history
(docs/adr/0034).

Accounts, pending transfers that are still pending and the newest `window_transfers`
transfers stay in memory. Older history moves, a job at a time, to indexed tables that a
`HistoryArchive` keeps beside the journal:

- transfers by timestamp, by id and by each of their accounts and time (the 128-byte codec
  record), so an account's history is an indexed read;
- the outcomes of pending transfers (posted, voided, expired, and when), expiries by account;
- each account's balance snapshots (one every `checkpoint_lines` lines of its history, taken
  as the state machine goes), from which a statement's running balances are rebuilt by
  replaying at most that many lines;
- the ids of transfers that failed for a reason that burns the id.

Everything at or before `archived_through` is on disk; everything after it is in memory. A job
is built by the writer from its own state, written by another thread, and only once it is
durable does the writer drop what it covered from memory. An id the state machine does not
find in memory is looked up on disk only when a fixed-size filter says the archive may hold it,
so a new id (the common case) costs no disk read.

The archive is part of the state: lookups from it give the answers the same history in memory
would. On open the ledger cuts the archive back to the checkpoint it starts from (its
`archived_through`), so a replay never sees on disk what it has not yet replayed.
"""

from __future__ import annotations

import bisect
import itertools
from collections.abc import Iterator, Mapping
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Protocol

import numpy as np
import numpy.typing as npt

from colony.ledger.history import Balances, line_timestamp
from colony.ledger.model import Transfer, TransferFlags, TransferPendingStatus

if TYPE_CHECKING:
    from colony.ledger.state import LedgerState, LiveAccount


# Transfers per archive job, at least and at most (ArchivePolicy.for_window). At least two
# batches: the writer hands on one job per group it applies, so a job smaller than a batch of
# 8,190 would let memory grow.
_CHUNK_MIN = 16_384
_CHUNK_MAX = 65_536


@dataclass(frozen=True, slots=True)
class ArchivePolicy:
    """How much history the ledger keeps in memory, and how it moves the rest to disk."""

    # Transfers kept in memory beyond what is archived: lookups of these never touch disk.
    window_transfers: int = 250_000
    # Transfers per archive job, written in one transaction. Larger jobs touch fewer
    # accounts per transfer (each touched account costs the writer a trim of its lines), so
    # `for_window` makes them as large as a quarter of the window allows.
    chunk_transfers: int = 65_536
    # Size of the "never seen" filter over archived ids, in bits (a power of two): 64 MiB.
    filter_bits: int = 1 << 29
    # Index entries (24 bytes each) per stored page, and how many runs of one level are
    # merged into one of the next (storage/ledger_archive.py, docs/adr/0036): 32, so that an
    # account line is written again once in its first 64,000,000 transfers, not twice
    # (docs/adr/0085); how many when their keys do not overlap, as rising ids' do
    # (docs/adr/0079).
    page_entries: int = 512
    merge_fan_in: int = 32
    merge_fan_in_disjoint: int = 64
    # Runs the merges may fall behind the writes (`HistoryArchive.merges_behind`) before the
    # next job waits for them, and how many slices of merging (`compact_step`, up to 3 MiB
    # of pages each) a job waits for at most: enough to finish a merge of the first levels
    # (a job waits once, then the merges are far within the bound again), not a whole merge
    # of years of history (gigabytes). docs/adr/0086.
    merges_behind_max: int = 32
    merge_slices_first_max: int = 64

    @classmethod
    def for_window(cls, window_transfers: int) -> ArchivePolicy:
        """The policy for a window: jobs of a quarter of it, between 16,384 and 65,536
        transfers, so memory holds at most about twice the window (the window, and the jobs
        the archive may lag behind)."""
        chunk = min(max(window_transfers // 4, _CHUNK_MIN), _CHUNK_MAX)
        return cls(window_transfers=window_transfers, chunk_transfers=chunk)

    def __post_init__(self) -> None:
        if self.window_transfers < 0 or self.chunk_transfers < 1:
            raise ValueError("window_transfers must be >= 0 and chunk_transfers >= 1")
        if self.page_entries < 1 or self.merge_fan_in < 2:
            raise ValueError("page_entries must be >= 1 and merge_fan_in >= 2")
        if self.merge_fan_in_disjoint < self.merge_fan_in:
            raise ValueError("merge_fan_in_disjoint must be >= merge_fan_in")
        if self.merges_behind_max < 0 or self.merge_slices_first_max < 1:
            raise ValueError("merges_behind_max must be >= 0 and merge_slices_first_max >= 1")
        if self.filter_bits < 8 or self.filter_bits & (self.filter_bits - 1):
            raise ValueError(f"filter_bits must be a power of two >= 8, not {self.filter_bits}")


_M64 = (1 << 64) - 1
# The id of a codec transfer record (ledger/codec.py): u128 as two little-endian halves.
_RECORD_IDS = np.dtype(
    {"names": ["lo", "hi"], "formats": ["<u8", "<u8"], "offsets": [0, 8], "itemsize": 128}
)
# The key of an index entry (storage/history_runs.py): u128 as two big-endian halves.
_ENTRY_KEYS = np.dtype(
    {"names": ["hi", "lo"], "formats": [">u8", ">u8"], "offsets": [0, 8], "itemsize": 24}
)
# An odd constant: the multiply spreads sequential ids (the C hot path's `may_hold` uses it too).
FILTER_MIX = 0x9E3779B97F4A7C15

_POST = int(TransferFlags.post_pending_transfer)
_VOID = int(TransferFlags.void_pending_transfer)
_POST_OR_VOID = _POST | _VOID
_PENDING = int(TransferFlags.pending)
_ST_PENDING = TransferPendingStatus.pending
_ST_POSTED = TransferPendingStatus.posted
_ST_VOIDED = TransferPendingStatus.voided
_ST_EXPIRED = TransferPendingStatus.expired


class IdFilter:
    """A Bloom filter of archived ids (two probes): "no" is certain, "maybe" means read the
    disk. An id above every id added (`top`) is "no" before the bits are read: ids are
    time-ordered as a rule (kernel/ids.py), so a new one is above every archived one however
    full the bits are after years of history (docs/adr/0077)."""

    __slots__ = ("_bits", "_mask", "top")

    def __init__(self, bits: int, data: bytes | None = None, top: int = 0) -> None:
        self._mask = bits - 1
        if data is not None and len(data) != bits // 8:
            raise ValueError(f"filter holds {len(data)} bytes, not {bits // 8}")
        self._bits = bytearray(data) if data is not None else bytearray(bits // 8)
        self.top = top  # the largest id added (0: none)

    @property
    def size_bits(self) -> int:
        return self._mask + 1

    def to_bytes(self) -> bytes:
        return bytes(self._bits)

    def raw(self) -> tuple[bytearray, int, int]:
        """The bits themselves, the mask and the top, for the C hot path's `may_hold`
        (native.py)."""
        return self._bits, self._mask, self.top

    def add(self, key: int) -> None:
        b = self._bits
        mask = self._mask
        x = ((key ^ (key >> 64)) * FILTER_MIX) & _M64
        h = x & mask
        b[h >> 3] |= 1 << (h & 7)
        h = (x >> 32) & mask
        b[h >> 3] |= 1 << (h & 7)
        if key > self.top:
            self.top = key

    def add_records(self, records: bytes) -> None:
        """`add` for the ids of codec transfer records, all at once: the same bits, set by the
        C path without the interpreter's lock (a job's 65,536 ids are random bytes of the
        filter's megabytes, 16 ms with numpy), else by numpy."""
        from colony.ledger import native  # here, not above: native.py reads this module

        ids = np.frombuffer(records, dtype=_RECORD_IDS)
        fast = native.engine
        if fast is None or not len(ids):
            self._add_halves(ids["lo"], ids["hi"])
            return
        fast.filter_add_records(self._bits, self._mask, records)
        self._raise_top(ids["lo"], ids["hi"])

    def add_entries(self, entries: bytes) -> None:
        """`add` for the keys of index entries (storage/history_runs.py: 16-byte big-endian
        key, 8-byte timestamp), all at once."""
        keys = np.frombuffer(entries, dtype=_ENTRY_KEYS)
        self._add_halves(keys["lo"].astype(np.uint64), keys["hi"].astype(np.uint64))

    def _add_halves(self, lo: npt.NDArray[np.uint64], hi: npt.NDArray[np.uint64]) -> None:
        if not len(lo):
            return
        # (key ^ (key >> 64)) * FILTER_MIX, modulo 2**64, is (lo ^ hi) * FILTER_MIX in u64.
        x = (lo ^ hi) * np.uint64(FILTER_MIX)
        bits = np.frombuffer(self._bits, dtype=np.uint8)
        mask = np.uint64(self._mask)
        for h in (x & mask, (x >> np.uint64(32)) & mask):
            np.bitwise_or.at(
                bits, h >> np.uint64(3), np.left_shift(1, h & np.uint64(7)).astype(np.uint8)
            )
        self._raise_top(lo, hi)

    def _raise_top(self, lo: npt.NDArray[np.uint64], hi: npt.NDArray[np.uint64]) -> None:
        high = hi.max()
        top = int(high) << 64 | int(lo[hi == high].max())
        if top > self.top:
            self.top = top

    def may_hold(self, key: int) -> bool:
        if key > self.top:
            return False
        b = self._bits
        mask = self._mask
        x = ((key ^ (key >> 64)) * FILTER_MIX) & _M64
        h = x & mask
        if not b[h >> 3] >> (h & 7) & 1:
            return False
        h = (x >> 32) & mask
        return bool(b[h >> 3] >> (h & 7) & 1)


@dataclass(slots=True)
class ArchiveJob:
    """History at or before `through`, as rows, and what dropping it from memory needs."""

    through: int
    transfers: list[Transfer]  # in timestamp order
    # (pending id, status, timestamp, the pending transfer's debit and credit account ids)
    outcomes: list[tuple[int, int, int, int, int]]
    failures: list[tuple[int, int]]  # (burned transfer id, the timestamp it failed at)
    # (account id, timestamp of the line they precede, balances before it)
    snapshots: list[tuple[int, int, Balances]]
    # For the drop: each account, how many of its lines went, and how many snapshots.
    trims: list[tuple[LiveAccount, int, int]] = field(default_factory=list)
    # The transfers as codec records: packed by the archive's writer, off the ledger's writer
    # thread, and used again by the drop to fill the filter at once.
    records: bytes = b""
    # The failures as sorted index entries, made by the archive's writer: the same use.
    failure_entries: bytes = b""


class HistoryArchive(Protocol):
    """Where the ledger keeps its posted history: beside the journal, on the same backend.

    Writes come from one thread at a time; reads from any thread, concurrently with a write.
    """

    def archived_through(self) -> int:
        """The timestamp the archive is whole up to (0: empty)."""
        ...

    def write(self, job: ArchiveJob) -> None:
        """The job's rows and its watermark in one transaction: durable when this returns."""
        ...

    def compact_step(self, *, merging_first: bool = False) -> bool:
        """A bounded slice of housekeeping (merging what was written into fewer, larger
        pieces); False when none is due. Called by the writing thread between writes.
        `merging_first`: merge before any other housekeeping (the merges are behind)."""
        ...

    def run_count(self) -> int:
        """Index runs in use now: far more than the merge policy keeps (`merge_fan_in` a
        level) means housekeeping has fallen behind the writes."""
        ...

    def merges_behind(self) -> int:
        """Runs past what the merge policy keeps at their level: how far housekeeping has
        fallen behind the writes (0: it keeps up)."""
        ...

    def truncate_after(self, timestamp: int) -> None:
        """Remove everything after `timestamp`; the watermark becomes at most `timestamp`."""
        ...

    def transfer(self, transfer_id: int) -> Transfer | None: ...

    def has_transfer_at(self, timestamp: int) -> bool: ...

    def transfers_after(self, after_timestamp: int, through: int, limit: int) -> list[Transfer]:
        """Up to `limit` transfers with after_timestamp < timestamp <= through, in order."""
        ...

    def outcome(self, pending_id: int) -> tuple[int, int] | None:
        """A resolved pending transfer's (status, timestamp), or None."""
        ...

    def failed_at(self, transfer_id: int) -> int | None:
        """The timestamp at which a transient failure burned this id, or None (the first
        result is not kept: a later transfer with the id is refused as id_already_failed
        whatever it was, docs/adr/0076)."""
        ...

    def account_lines(
        self, account_id: int, after_timestamp: int, through: int, limit: int
    ) -> list[tuple[int, Transfer, bool]]:
        """Up to `limit` of the account's archived lines after `after_timestamp` (at or before
        `through`), oldest first: (timestamp, transfer, whether it is an expiry of it)."""
        ...

    def account_lines_before(
        self, account_id: int, before_timestamp: int, limit: int
    ) -> list[tuple[int, Transfer, bool]]:
        """Up to `limit` of the account's archived lines before `before_timestamp`, newest
        first."""
        ...

    def snapshot_before(self, account_id: int, timestamp: int) -> tuple[int, Balances] | None:
        """The account's newest snapshot taken at or before `timestamp`: the timestamp of the
        line it precedes and the balances before that line."""
        ...

    def close(self) -> None: ...


# --------------------------------------------------------------------------------------------
# The writer's side: building a job, and dropping what a durable job covered


def job_due(state: LedgerState, policy: ArchivePolicy) -> bool:
    return len(state.transfers) >= policy.window_transfers + policy.chunk_transfers


def build_job(state: LedgerState, policy: ArchivePolicy) -> ArchiveJob | None:
    """The oldest `chunk_transfers` transfers in memory and every event up to the last of them."""
    chunk = list(itertools.islice(state.transfers.values(), policy.chunk_transfers))
    if not chunk:
        return None
    through = chunk[-1].timestamp
    return job_through(state, through, chunk)


def job_through(state: LedgerState, through: int, chunk: list[Transfer]) -> ArchiveJob:
    from colony.ledger import native  # here, not above: native.py reads this module

    fast = native.engine
    outcomes: list[tuple[int, int, int, int, int]] = []
    # Lines each account has at or before `through`: one per transfer of the chunk on it and
    # one per expiry of its holds (state.record), counted here so that most accounts need no
    # search of their lines: each is a pointer chase through memory, 100,000 accounts deep.
    counts: dict[int, int]
    if fast is not None:
        counts, resolved = fast.archive_counts(chunk, _POST_OR_VOID)
        for i in resolved:
            outcomes.append(_outcome_of(chunk[i]))
    else:
        counts = _count_lines(chunk, outcomes)
    count = counts.get
    for pending_id, timestamp in state.expired.items():
        if timestamp > through:
            break  # expiries are kept in the order they happened
        p = find_in_memory(state, pending_id)
        if p is None:
            raise LookupError(f"expired pending transfer {pending_id} is not in memory")
        dr = p.debit_account_id
        cr = p.credit_account_id
        outcomes.append((pending_id, int(_ST_EXPIRED), timestamp, dr, cr))
        counts[dr] = count(dr, 0) + 1
        counts[cr] = count(cr, 0) + 1
    # Burned ids are kept in the order they failed, so those of the job come first: the
    # window's (often more) are not read. Under the legacy rules an imported batch may set the
    # clock back, so a later id may fail at an earlier time: it then stays in memory until a
    # later job (and may be written twice after a reopen; lookups answer the same).
    # docs/adr/0076.
    failures = []
    for item in state.failed_at.items():
        if item[1] > through:
            break
        failures.append(item)
    # The C path answers None where an account holds fewer lines than counted: cannot be.
    found = fast.archive_trims(state.accounts, counts) if fast is not None else None
    snapshots, trims = found if found is not None else _trims(state, counts, through)
    return ArchiveJob(through, chunk, outcomes, failures, snapshots, trims)


def _outcome_of(t: Transfer) -> tuple[int, int, int, int, int]:
    status = _ST_POSTED if t.flags & _POST else _ST_VOIDED
    return (t.pending_id, int(status), t.timestamp, t.debit_account_id, t.credit_account_id)


def _count_lines(
    chunk: list[Transfer], outcomes: list[tuple[int, int, int, int, int]]
) -> dict[int, int]:
    counts: dict[int, int] = {}
    count = counts.get
    for t in chunk:
        if t.flags & _POST_OR_VOID:
            outcomes.append(_outcome_of(t))
        dr = t.debit_account_id
        cr = t.credit_account_id
        counts[dr] = count(dr, 0) + 1
        counts[cr] = count(cr, 0) + 1
    return counts


def _trims(
    state: LedgerState, counts: dict[int, int], through: int
) -> tuple[list[tuple[int, int, Balances]], list[tuple[LiveAccount, int, int]]]:
    snapshots: list[tuple[int, int, Balances]] = []
    trims = []
    accounts = state.accounts
    for account_id, k in counts.items():
        account = accounts[account_id]
        lines = account.lines
        n = len(lines)
        if not n:
            continue
        if k > n:  # cannot be (the count is exact): search, rather than trust it
            k = bisect.bisect_right(lines, through, key=line_timestamp)
            if not k:
                continue
        going = 0
        if account.checkpoints:
            for index, dp, dpo, cp, cpo in account.checkpoints:
                if index >= k:
                    break
                snapshots.append((account_id, lines[index].timestamp, (dp, dpo, cp, cpo)))
                going += 1
        trims.append((account, k, going))
    return snapshots, trims


def drop_archived(state: LedgerState, job: ArchiveJob, filter_bits: int) -> None:
    """Once the job is durable: keep in memory only what is after it (and pending holds).

    The filter is made with the first job (a ledger that never archives pays nothing for it).
    """
    from colony.ledger import native  # here, not above: native.py reads this module

    transfers = state.transfers
    held = state.held
    statuses = state.pending_status
    if state.id_filter is None:
        state.id_filter = IdFilter(filter_bits)
    add = state.id_filter.add
    if job.records:
        state.id_filter.add_records(job.records)
    else:
        for t in job.transfers:
            add(t.id)
    fast = native.engine
    if fast is not None and isinstance(job.transfers, list):
        # The transfers' loop and the trims' below, in C; the trims touch nothing the
        # outcomes and failures do, so their order does not matter.
        fast.archive_drop(transfers, held, job.transfers, _PENDING, job.trims)
    else:
        for t in job.transfers:
            tid = t.id
            del transfers[tid]
            if t.flags & _PENDING:
                held[tid] = t  # resolved or not: dropped below once its outcome is archived
        _trim(job.trims)
    expired = state.expired
    for outcome in job.outcomes:
        pending_id = outcome[0]
        held.pop(pending_id, None)
        statuses.pop(pending_id, None)
        expired.pop(pending_id, None)
    if job.failure_entries:
        state.id_filter.add_entries(job.failure_entries)
    else:
        for tid, _ts in job.failures:
            add(tid)
    failed_ids = state.failed_transfer_ids
    failed_at = state.failed_at
    for tid, _ts in job.failures:
        del failed_ids[tid]
        del failed_at[tid]
    state.archived_through = job.through


def _trim(trims: list[tuple[LiveAccount, int, int]]) -> None:
    for account, k, going in trims:
        del account.lines[:k]
        account.trimmed += k
        snapshots = account.checkpoints
        if going:
            del snapshots[:going]
        if snapshots:
            account.checkpoints = [(i - k, dp, dpo, cp, cpo) for i, dp, dpo, cp, cpo in snapshots]


# --------------------------------------------------------------------------------------------
# Lookups that reach past memory


def find_in_memory(state: LedgerState, transfer_id: int) -> Transfer | None:
    t = state.transfers.get(transfer_id)
    if t is None and state.held:
        t = state.held.get(transfer_id)
    return t


def find_transfer(state: LedgerState, transfer_id: int) -> Transfer | None:
    """A transfer by id, from memory or (when the filter says it may be there) the archive."""
    t = state.transfers.get(transfer_id)
    if t is not None:
        return t
    if state.held:
        t = state.held.get(transfer_id)
        if t is not None:
            return t
    archive = state.archive
    id_filter = state.id_filter
    if archive is not None and id_filter is not None and id_filter.may_hold(transfer_id):
        return archive.transfer(transfer_id)
    return None


def archived_failure(state: LedgerState, transfer_id: int) -> int | None:
    archive = state.archive
    if archive is None or state.id_filter is None or not state.id_filter.may_hold(transfer_id):
        return None
    return archive.failed_at(transfer_id)


def pending_status_of(state: LedgerState, pending_id: int) -> TransferPendingStatus:
    """The status of a pending transfer known to exist (in memory or archived)."""
    status = state.pending_status.get(pending_id)
    if status is not None:
        return status
    archive = state.archive
    found = archive.outcome(pending_id) if archive is not None else None
    if found is None:
        raise LookupError(f"pending transfer {pending_id} has no status in memory or on disk")
    return TransferPendingStatus(found[0])


class MemoryTransfers(Mapping[int, Transfer]):
    """The transfers in memory, held pending ones included, as one read-only mapping."""

    __slots__ = ("_state",)

    def __init__(self, state: LedgerState) -> None:
        self._state = state

    def __getitem__(self, key: int) -> Transfer:
        t = find_in_memory(self._state, key)
        if t is None:
            raise KeyError(key)
        return t

    def __iter__(self) -> Iterator[int]:
        return itertools.chain(self._state.transfers, self._state.held)

    def __len__(self) -> int:
        return len(self._state.transfers) + len(self._state.held)

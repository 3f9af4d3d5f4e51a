"""Checkpoints: the ledger's whole state at a journal watermark, so that an open replays only
the journal after it (docs/adr/0027).

A checkpoint is written as byte parts, one after another, which a `CheckpointStore` keeps as
one blob under the watermark's journal seq:

- the header: magic, format, the watermark (seq, and the clock reading and body CRC-32 of the
  journal entry at that seq, so a checkpoint is only ever used on the journal it was taken
  from), the count of accounts and transfers, then each following part's length and CRC-32;
- the small structures (pending statuses, the expiry heap, failed ids, expiries, balance
  snapshots, timestamps), pickled from built-in types only and read back by an unpickler that
  refuses every global, so a damaged or forged blob cannot name code to run;
- the accounts and the transfers in the journal's own 128-byte codec, in insertion order;
- with posted history on disk (archive.py, format 2): the watermark of the archive, each
  account's count of lines moved to disk, the filter over archived ids, and the
  archived pending transfers still held in memory. A checkpoint of format 1 is read as one
  with nothing archived.

Account histories are not written: they are the transfers and expiries that touched each
account, in the order they were applied, which is the order of their timestamps (every
transfer and every expiry takes a later timestamp than any before it). Opening rebuilds them
by merging the two in timestamp order, and checks each account's line count against the one
written, so a history that would come out otherwise is never used.

Every check failing raises `CheckpointDamaged`; the ledger then tries an older checkpoint, or
replays the whole journal. Only a checkpoint whose balances add up (debits equal credits in
every ledger) is used.
"""

from __future__ import annotations

import contextlib
import gc
import io
import pickle
import struct
import sys
import zlib
from array import array
from collections.abc import Callable, Iterator, Sequence
from dataclasses import dataclass
from typing import Protocol, runtime_checkable

from colony.ledger import codec, invariants, native
from colony.ledger.archive import IdFilter
from colony.ledger.history import Checkpoint, Expiry, Line, line_timestamp
from colony.ledger.model import Transfer, TransferPendingStatus
from colony.ledger.results import CreateTransferResult
from colony.ledger.state import (
    SUMS_CR_PENDING,
    SUMS_CR_POSTED,
    SUMS_DR_PENDING,
    SUMS_DR_POSTED,
    TIMESTAMP_MAX,
    LedgerState,
    LiveAccount,
    attach_sums,
)

CHECKPOINT_FORMAT = 2
_FORMATS_READ = (1, 2)
# Parts before the first part of transfers: small structures, accounts, line counts, and from
# format 2 on the archive's id filter and the held pending transfers.
_LEADING_PARTS = {1: 3, 2: 5}
_MAGIC = b"COLONYCK"
# magic, format, seq, entry now_ns, entry body crc32, accounts, transfers, parts
_HEADER = struct.Struct("<8sIQQIQQI")
_PART = struct.Struct("<QI")  # length, crc32
_U128_MAX = (1 << 128) - 1
# A piece of a checkpoint as written: the filter's copy is a bytearray, not copied again.
Piece = bytes | bytearray
# Transfers per codec part: 64 MiB, well under the 1 GB a PostgreSQL value may hold.
transfers_per_part = 1 << 19


class CheckpointDamaged(Exception):
    """A checkpoint that cannot be used: torn, corrupted, of another journal, or inconsistent.

    Expected of storage now and then (a crash, a disk), so the ledger catches it and falls
    back; it never means wrong balances, because such a checkpoint is never used.
    """


@runtime_checkable
class CheckpointStore(Protocol):
    """Where a journal keeps the ledger's checkpoints: beside it, on the same backend."""

    def checkpoint_seqs(self) -> list[int]:
        """The watermarks of the checkpoints held, newest first."""
        ...

    def read_checkpoint(self, seq: int) -> bytes | None:
        """The checkpoint at `seq` as written, or None if it cannot be read."""
        ...

    def write_checkpoint(self, seq: int, parts: Sequence[Piece]) -> None:
        """Keep the parts as one blob: durable and whole when this returns, absent if it
        raises or the process dies first. Older checkpoints past the newest few go."""
        ...


@dataclass(frozen=True, slots=True)
class Watermark:
    """The journal entry a checkpoint follows: its seq, clock reading and body CRC-32."""

    seq: int
    now_ns: int
    body_crc32: int


@dataclass(frozen=True, slots=True)
class CheckpointPolicy:
    """When the ledger writes a checkpoint, and whether it opens from one.

    A checkpoint costs time in proportion to the whole state (posted history included, until
    it moves to disk), and its encode holds the writer still: seconds at millions of
    transfers, every payment waiting. So by default none is written while serving, only at a
    clean close and when forced (`colony ledger checkpoint`); periodic ones are for when the
    state is small (ADR 0027).
    """

    every_events: int = 0  # after this many events journaled since the last (0: never)
    every_s: float = 0.0  # or after this long with at least one new entry (0: never)
    on_close_events_min: int = 100_000  # on a clean close, after at least this many (0: never)
    load: bool = True  # open from the newest good checkpoint (False: replay the whole journal)


NO_CHECKPOINTS = CheckpointPolicy(every_events=0, every_s=0, on_close_events_min=0, load=False)


@dataclass(slots=True)
class Taken:
    """What a checkpoint copies of the state while it holds still (`take`, on the writer's
    thread); `finish` makes the rest of the checkpoint from it on any thread, while the
    writer goes on applying."""

    mark: Watermark
    leading: list[bytes]  # the small structures, the accounts, their line counts
    # The live filter over archived ids: it only gains bits, and a bit set after the mark
    # makes an id a "maybe" that the open reads from disk and does not find.
    filter_bits: bytearray | None
    held: bytes
    # The stored transfers as at the mark: a stored transfer is never changed, only dropped.
    transfers: list[Transfer]
    accounts: int


# Transfers packed at a time by `finish`, and filter bytes copied at a time: each a short
# hold of the interpreter's lock (a few milliseconds), so the writer is not kept waiting.
finish_transfers_slice = 16_384
finish_filter_slice_bytes = 1 << 20


def take(state: LedgerState, mark: Watermark) -> Taken:
    """What changes as the writer applies: copied now, while the state holds still (the
    writer's thread). The stored transfers are taken as a list, packed later by `finish`."""
    accounts = list(state.accounts.values())
    packed, counts, snapshots, trimmed = _accounts_taken(accounts)
    small = {
        "byteorder": sys.byteorder,
        "rules": state.rules,
        "last_timestamp": state.last_timestamp,
        "last_transfer_timestamp": state.last_transfer_timestamp,
        "account_timestamps": state.account_timestamps,
        "pending_status": {k: int(v) for k, v in state.pending_status.items()},
        "expiries": state.expiries,
        "failed_transfer_ids": {k: int(v) for k, v in state.failed_transfer_ids.items()},
        "expired": state.expired,
        "snapshots": snapshots,
        "archived_through": state.archived_through,
        "failed_at": state.failed_at,
        "trimmed": trimmed,
        "filter_bits": state.id_filter.size_bits if state.id_filter is not None else 0,
        "filter_top": state.id_filter.top if state.id_filter is not None else 0,
    }
    leading = [
        pickle.dumps(small, protocol=pickle.HIGHEST_PROTOCOL),
        packed,
        counts,
    ]
    return Taken(
        mark,
        leading,
        state.id_filter.raw()[0] if state.id_filter is not None else None,
        codec.pack_transfers(list(state.held.values())),
        list(state.transfers.values()),
        len(accounts),
    )


def _accounts_taken(
    accounts: list[LiveAccount],
) -> tuple[bytes, bytes, dict[int, list[Checkpoint]], dict[int, int]]:
    """The accounts packed, each one's count of lines (an array("q")), {index: balance
    snapshots} and {index: lines on disk} of those that have any: in one pass in C where it
    was built (the writer's pause: 1.0 s for a million accounts in Python, 0.6 s in C), the
    same from the Python below otherwise."""
    fast = native.engine
    if fast is not None:
        taken: tuple[bytes, bytes, dict[int, list[Checkpoint]], dict[int, int]] | None
        taken = fast.checkpoint_accounts(accounts)
        if taken is not None:
            return taken
    return (
        codec.pack_accounts(accounts),
        array("q", [len(a.lines) for a in accounts]).tobytes(),
        {i: a.checkpoints for i, a in enumerate(accounts) if a.checkpoints},
        {i: a.trimmed for i, a in enumerate(accounts) if a.trimmed},
    )


def finish(taken: Taken) -> list[Piece]:
    """The checkpoint's bytes, in the order they are written: the header, the part table,
    then each part in pieces (the transfers a slice at a time; the store writes the pieces
    one after another, so the blob is the same as one piece a part)."""
    filter_copy = bytearray()
    if taken.filter_bits is not None:
        # Copied a slice at a time: as one `bytes(...)` the copy held the interpreter's lock
        # for 170 ms (64 MiB of new pages), and the writer with it.
        live = memoryview(taken.filter_bits)
        filter_copy = bytearray(len(live))
        for at in range(0, len(live), finish_filter_slice_bytes):
            stop = at + finish_filter_slice_bytes
            filter_copy[at:stop] = live[at:stop]
    parts: list[list[Piece]] = [[part] for part in taken.leading]
    parts += [[filter_copy], [taken.held]]
    transfers = taken.transfers
    for start in range(0, len(transfers), transfers_per_part):
        part = transfers[start : start + transfers_per_part]
        parts.append(
            [
                codec.pack_transfers(part[at : at + finish_transfers_slice])
                for at in range(0, len(part), finish_transfers_slice)
            ]
        )
    table = []
    for pieces in parts:
        crc = 0
        for piece in pieces:
            crc = zlib.crc32(piece, crc)
        table.append(_PART.pack(sum(len(piece) for piece in pieces), crc))
    header = _HEADER.pack(
        _MAGIC,
        CHECKPOINT_FORMAT,
        taken.mark.seq,
        taken.mark.now_ns,
        taken.mark.body_crc32,
        taken.accounts,
        len(transfers),
        len(parts),
    )
    return [header, b"".join(table), *(piece for pieces in parts for piece in pieces)]


def encode(state: LedgerState, mark: Watermark) -> list[Piece]:
    """The state as checkpoint bytes, taken and finished at once (`take`, then `finish`). It
    must hold still meanwhile."""
    return finish(take(state, mark))


def decode(blob: bytes, mark: Watermark) -> LedgerState:
    """The state a checkpoint holds, once every check passed; else `CheckpointDamaged`."""
    try:
        parts, accounts_n, transfers_n, fmt = _parts(blob, mark)
        state = _state(parts, accounts_n, transfers_n, fmt)
    except CheckpointDamaged:
        raise
    except (
        pickle.UnpicklingError,
        EOFError,
        struct.error,
        ValueError,
        KeyError,
        IndexError,
        TypeError,
        AttributeError,
        OverflowError,
    ) as exc:
        raise CheckpointDamaged(f"checkpoint at {mark.seq} does not decode: {exc!r}") from exc
    _check_balanced(state, mark.seq)
    return state


def _parts(blob: bytes, mark: Watermark) -> tuple[list[memoryview], int, int, int]:
    """The parts, each checked, as views of the blob (no copy: it is hundreds of MB)."""
    view = memoryview(blob)
    if len(view) < _HEADER.size:
        raise CheckpointDamaged(f"checkpoint at {mark.seq} is shorter than its header")
    magic, fmt, seq, now_ns, crc, accounts_n, transfers_n, count = _HEADER.unpack_from(view)
    if magic != _MAGIC or fmt not in _FORMATS_READ:
        raise CheckpointDamaged(f"checkpoint at {mark.seq}: not a checkpoint of a known format")
    if Watermark(seq, now_ns, crc) != mark:
        raise CheckpointDamaged(
            f"checkpoint at {mark.seq} was taken from another journal (or another entry)"
        )
    offset = _HEADER.size + count * _PART.size
    if len(view) < offset:
        raise CheckpointDamaged(f"checkpoint at {mark.seq} is torn in its part table")
    parts = []
    for length, part_crc in _PART.iter_unpack(view[_HEADER.size : offset]):
        part = view[offset : offset + length]
        if len(part) != length or zlib.crc32(part) != part_crc:
            raise CheckpointDamaged(f"checkpoint at {mark.seq} is torn or corrupted")
        parts.append(part)
        offset += length
    if offset != len(view):
        raise CheckpointDamaged(f"checkpoint at {mark.seq} has bytes past its last part")
    if len(parts) < _LEADING_PARTS[fmt]:
        raise CheckpointDamaged(f"checkpoint at {mark.seq} lacks parts its format needs")
    return parts, accounts_n, transfers_n, fmt


class _BuiltinsOnly(pickle.Unpickler):
    def find_class(self, module: str, name: str) -> type:
        raise pickle.UnpicklingError(f"a checkpoint names no code, yet this one names {name}")


def _state(parts: list[memoryview], accounts_n: int, transfers_n: int, fmt: int) -> LedgerState:
    small = _BuiltinsOnly(io.BytesIO(parts[0])).load()
    accounts = codec.unpack_accounts(parts[1], LiveAccount)
    transfers_list: list[Transfer] = []
    for part in parts[_LEADING_PARTS[fmt] :]:
        transfers_list.extend(codec.unpack_transfers(part))
    if len(accounts) != accounts_n or len(transfers_list) != transfers_n:
        raise CheckpointDamaged("a checkpoint holds other counts than its header says")
    transfers = {t.id: t for t in transfers_list}
    held: dict[int, Transfer] = {}
    id_filter = None
    if fmt >= 2:
        held = {t.id: t for t in codec.unpack_transfers(parts[4])}
        if small["filter_bits"]:
            # A checkpoint from before the filter kept its top: every id may be below it.
            top = small.get("filter_top", _U128_MAX)
            id_filter = IdFilter(small["filter_bits"], bytes(parts[3]), top)
    expired: dict[int, int] = small["expired"]
    expiries = [
        Expiry(timestamp, transfers[pid] if pid in transfers else held[pid])
        for pid, timestamp in expired.items()
    ]
    counts = array("q")
    counts.frombytes(parts[2])
    if small["byteorder"] != sys.byteorder:
        counts.byteswap()
    _rebuild_histories(accounts, transfers_list, expiries)
    if len(counts) != len(accounts) or any(
        len(a.lines) != n for a, n in zip(accounts, counts, strict=True)
    ):
        raise CheckpointDamaged("a checkpoint's account histories do not add up")
    snapshots = small["snapshots"]
    trimmed = small.get("trimmed", {})
    for i, a in enumerate(accounts):
        a.checkpoints = snapshots.get(i, [])
        a.trimmed = trimmed.get(i, 0)
    statuses = {s.value: s for s in TransferPendingStatus}
    return LedgerState(
        accounts={a.id: a for a in accounts},
        transfers=transfers,
        pending_status={k: statuses[v] for k, v in small["pending_status"].items()},
        expiries=small["expiries"],
        failed_transfer_ids={
            k: CreateTransferResult(v) for k, v in small["failed_transfer_ids"].items()
        },
        expired=expired,
        last_timestamp=small["last_timestamp"],
        last_transfer_timestamp=small["last_transfer_timestamp"],
        account_timestamps=small["account_timestamps"],
        rules=small["rules"],
        id_filter=id_filter,
        archived_through=small.get("archived_through", 0),
        held=held,
        failed_at=small.get("failed_at", {}),
    )


def _rebuild_histories(
    accounts: list[LiveAccount], transfers: list[Transfer], expiries: list[Expiry]
) -> None:
    """Every account's lines: the transfers and expiries that touched it, merged by time."""
    appends: dict[int, Callable[[Line], None]] = {}
    for a in accounts:
        a.lines = []
        appends[a.id] = a.lines.append
    expiries = sorted(expiries, key=line_timestamp)
    last = 0  # every event's timestamp must pass the one before: the order they were applied
    k = 0
    next_expiry_at = expiries[0].timestamp if expiries else TIMESTAMP_MAX
    for t in transfers:
        timestamp = t.timestamp
        if next_expiry_at < timestamp:
            while k < len(expiries) and expiries[k].timestamp < timestamp:
                last = _append_expiry(appends, expiries[k], last)
                k += 1
            next_expiry_at = expiries[k].timestamp if k < len(expiries) else TIMESTAMP_MAX
        if timestamp <= last:
            raise CheckpointDamaged("a checkpoint's events are not in time order")
        last = timestamp
        appends[t.debit_account_id](t)
        appends[t.credit_account_id](t)
    for x in expiries[k:]:
        last = _append_expiry(appends, x, last)


def _append_expiry(appends: dict[int, Callable[[Line], None]], x: Expiry, last: int) -> int:
    if x.timestamp <= last:
        raise CheckpointDamaged("a checkpoint's events are not in time order")
    appends[x.transfer.debit_account_id](x)
    appends[x.transfer.credit_account_id](x)
    return x.timestamp


@contextlib.contextmanager
def collector_paused() -> Iterator[None]:
    """Keep the cyclic collector out of a bulk build or walk of millions of acyclic objects:
    its passes over the growing heap cost more than the work itself (about half, measured)."""
    was_enabled = gc.isenabled()
    gc.disable()
    try:
        yield
    finally:
        if was_enabled:
            gc.enable()


def _check_balanced(state: LedgerState, seq: int) -> None:
    """Debits equal credits in every ledger, and, under `verify`, every invariant holds; the
    state's sums per ledger and code are set from the same pass."""
    attach_sums(state)
    per_ledger: dict[int, list[int]] = {}
    for (ledger, _), s in state.sums.items():
        both = per_ledger.setdefault(ledger, [0, 0])
        both[0] += s[SUMS_DR_POSTED] - s[SUMS_CR_POSTED]
        both[1] += s[SUMS_DR_PENDING] - s[SUMS_CR_PENDING]
    if any(both != [0, 0] for both in per_ledger.values()):
        raise CheckpointDamaged(f"checkpoint at {seq}: debits and credits differ")
    if len(state.account_timestamps) != len(state.accounts):
        raise CheckpointDamaged(f"checkpoint at {seq}: account timestamps do not match")
    if invariants.verify:
        try:
            invariants.check_state(state)
        except invariants.InvariantBroken as exc:
            raise CheckpointDamaged(f"checkpoint at {seq}: {exc}") from exc

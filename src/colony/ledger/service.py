"""The ledger service: the one write path for money, and the queries over it.

Callers on any thread submit batches of events. One writer thread takes what is queued,
applies each submitted batch through the state machine in order, appends all of them to the
journal in one durable transaction (group commit), and only then hands out the results. The
journal is the truth; the in-memory state is rebuilt from it on open.

If a journal append fails, the in-memory state has run ahead of what is durable, so the
ledger stops accepting work (every later call raises `StorageUnavailable`); reopening replays
the journal and resumes from exactly what was acknowledged.
"""

from __future__ import annotations

import bisect
import contextlib
import copy
import gc
import logging
import queue
import struct
import threading
import time
import zlib
from collections.abc import Iterator, Mapping, Sequence
from concurrent.futures import Future
from dataclasses import dataclass, field
from typing import TypeVar

from colony.kernel import lock_order
from colony.kernel.clock import Clock
from colony.kernel.errors import InvalidInput, StorageUnavailable
from colony.kernel.promise import Promise
from colony.ledger import (
    accounts,
    archive,
    checkpoint,
    codec,
    history,
    invariants,
    state,
    transfers,
)
from colony.ledger.archive import ArchiveJob, ArchivePolicy, HistoryArchive
from colony.ledger.checkpoint import (
    CheckpointDamaged,
    CheckpointPolicy,
    CheckpointStore,
    Watermark,
)
from colony.ledger.model import (
    ACCOUNT_FIELD_BITS,
    TRANSFER_FIELD_BITS,
    Account,
    AccountBalance,
    Balances,
    StatementLine,
    Transfer,
    TransferFlags,
    TransferPendingStatus,
    batch_events_max,
)
from colony.ledger.results import CreateAccountResult, CreateTransferResult
from colony.ledger.store import JournalEntry, JournalStore, Operation, read_all

# How long a caller waits for its batch to be durable before giving up, in seconds.
request_timeout_s = 60.0
# How many queued submissions one group commit takes at most.
commit_submissions_max = 256
# How many events one group commit takes at most (the queued batches are applied in order).
commit_events_max = 4 * batch_events_max
# The longest the writer sleeps between checks for pending transfers that came due, in seconds.
pulse_interval_max_s = 1.0
# How often the writer moves what it created out of the collector's sight: after this many
# group commits and at least this many seconds since the last time, whichever is later. A
# bulk load's groups are large and slow, so the groups decide; a server's are a few payments
# each, hundreds a second, and after every eighth the collections were 2% of its CPU, while
# once every 65,520 events each took 0.1-0.2 s (a latency spike); twice a second keeps each
# one small.
gc_every_commits = 8
gc_every_s = 0.5
# How long a forced checkpoint (or one on close) may take to be written, in seconds: it costs
# time in proportion to the whole state.
checkpoint_timeout_s = 600.0
# Statement page size when the caller names none, and the largest it may ask for.
statement_page_default = 100
statement_page_max = 8190
# How many jobs' worth of history may wait in memory beyond the window before the writer
# waits for the archive to catch up (memory stays bounded when the disk is slower).
archive_jobs_behind_max = 4
# Transfers read from the archive per statement when listing every transfer.
archive_read_page_transfers = 8190

E = TypeVar("E", Account, Transfer)

log = logging.getLogger(__name__)


class ClockOutOfRange(StorageUnavailable):
    """The clock reads a time the ledger cannot store (before 1970 or after the year 2262)."""


class JournalReplayMismatch(StorageUnavailable):
    """Replaying the journal gave other results than were acknowledged: a bug, never data."""


@dataclass(slots=True)
class _Submission:
    operation: Operation
    events: Sequence[Account] | Sequence[Transfer]
    body: bytes
    future: Future[list[int]]


@dataclass(slots=True)
class _CheckpointRequest:
    future: Future[CheckpointInfo]


@dataclass(slots=True, frozen=True)
class _Reached:
    """A mark in the writer's queue, settled once the writer has applied everything before
    it and taken any checkpoint that made due (`checkpoints_written`)."""

    future: Future[None]


@dataclass(slots=True, frozen=True)
class CheckpointInfo:
    """A checkpoint written: its watermark, size and what it cost."""

    seq: int
    bytes: int
    accounts: int
    transfers: int
    encode_s: float  # taking it, on the writer thread, which applies nothing meanwhile
    # Finishing (packing the transfers) and writing it, on the checkpoint thread, once all
    # before it is durable: the writer and the committer go on meanwhile (docs/adr/0117).
    write_s: float


@dataclass(slots=True)
class _CheckpointJob:
    seq: int
    taken: checkpoint.Taken
    encode_s: float
    future: Future[CheckpointInfo] | None


@dataclass(slots=True, frozen=True)
class StatementPage:
    lines: list[StatementLine]
    # Pass as `after_timestamp` (or `before_timestamp` when reversed) for the next page.
    next_cursor: int | None


@dataclass(slots=True)
class WriteTimings:
    """Where the write path's time went, summed since open (seconds): for benchmarks."""

    batches: int = 0
    pack_s: float = 0.0  # encoding and range-checking (or decoding) events, on callers' threads
    apply_s: float = 0.0  # the state machine, on the writer thread
    commit_s: float = 0.0  # journal appends, on the committer thread (overlaps apply)
    commits: int = 0
    archive_build_s: float = 0.0  # building archive jobs and dropping them, on the writer
    # The writer waiting for the archive to catch up (memory bounded: archive_jobs_behind_max).
    archive_wait_s: float = 0.0
    archive_write_s: float = 0.0  # writing them, on the archiving thread (overlaps apply)
    archive_compact_s: float = 0.0  # merging what was written, on the archiving thread
    archive_jobs: int = 0
    # Merge slices made while a job waited, because the merges had fallen too far behind.
    archive_merge_slices_first: int = 0


@dataclass(slots=True, frozen=True)
class LedgerTotals:
    ledger: int
    accounts: int
    debits_pending: int
    debits_posted: int
    credits_pending: int
    credits_posted: int
    # The same per account code: code -> (accounts, debits pending, debits posted, credits
    # pending, credits posted).
    by_code: dict[int, tuple[int, int, int, int, int]] = field(default_factory=dict)


_STOP = object()


class Ledger:
    def __init__(
        self,
        journal: JournalStore,
        clock: Clock,
        *,
        auto_pulse: bool = True,
        checkpoints: CheckpointPolicy | None = None,
        history_archive: HistoryArchive | None = None,
        archive_policy: ArchivePolicy | None = None,
    ) -> None:
        self._journal = journal
        self._archive = history_archive
        self._archive_policy = archive_policy or ArchivePolicy()
        self._archive_busy = False  # a job is with the archiving thread
        self._archive_done: ArchiveJob | None = None  # written: the writer drops it next
        self._archive_failed = False
        self._archive_written = threading.Event()  # set when the job in hand is done with
        self.archive_failures = 0
        self._clock = clock
        self._state = state.LedgerState()
        self._policy = checkpoints or CheckpointPolicy()
        self._store = journal if isinstance(journal, CheckpointStore) else None
        self._last_entry: JournalEntry | None = None  # the newest, for a checkpoint's watermark
        self._checkpoint_seq = 0  # the watermark of the newest checkpoint loaded or handed on
        self._events_since_checkpoint = 0
        # Checkpoints taken and not yet written (or failed): a periodic one waits for none.
        self._checkpoints_in_flight = 0
        # What the open found: the checkpoint it started from (0: none), entries replayed after
        # it, and why any newer checkpoint was passed over.
        self.opened_from_checkpoint = 0
        self.replayed_entries = 0
        self.checkpoints_passed_over: list[str] = []
        self.last_checkpoint: CheckpointInfo | None = None
        self.checkpoint_failures = 0
        self._lock = lock_order.lock("ledger state")
        self._seq = 0
        self._broken: BaseException | None = None
        self._closed = False
        self._auto_pulse = auto_pulse
        # An OrderedLock in tests (kernel/lock_order.py): Condition needs only acquire/release.
        self._cond = threading.Condition(self._lock)  # type: ignore[arg-type]
        self._readers_waiting = 0
        self._applied_groups = 0
        self._groups_since_retire = 0
        self._retire_after = 0.0  # time.monotonic() from which the next retirement may run
        self._durable_groups = 0
        self.timings = WriteTimings()
        try:
            with checkpoint.collector_paused():
                self._replay()
        except BaseException:
            journal.close()  # nothing else was started yet
            if history_archive is not None:
                history_archive.close()
            raise
        # New batches are applied under the current rules; the journal learns so in the same
        # transaction as the first of them (nothing is written by merely opening it).
        self._rules_unjournaled = self._state.rules != state.RULES_CURRENT
        self._state.rules = state.RULES_CURRENT
        self._durable_seq = self._seq
        self._last_checkpoint_ns = clock.now_ns()
        _retire_young_objects()
        self._queue: queue.SimpleQueue[object] = queue.SimpleQueue()
        # At most one applied group waits for the committer while another is being committed.
        self._commit_queue: queue.Queue[
            tuple[list[JournalEntry], list[_Submission], list[list[int]]] | _CheckpointJob | None
        ] = queue.Queue(maxsize=1)
        self._writer = threading.Thread(target=self._run, name="ledger-writer", daemon=True)
        self._committer = threading.Thread(
            target=self._run_committer, name="ledger-committer", daemon=True
        )
        # Checkpoints taken by the writer, handed on by the committer once durable up to
        # them, finished and written by a thread of their own (docs/adr/0117).
        self._checkpoint_queue: queue.SimpleQueue[_CheckpointJob | None] = queue.SimpleQueue()
        self._checkpointer = threading.Thread(
            target=self._run_checkpointer, name="ledger-checkpointer", daemon=True
        )
        self._archive_queue: queue.SimpleQueue[ArchiveJob | None] = queue.SimpleQueue()
        self._archiver = threading.Thread(
            target=self._run_archiver, name="ledger-archiver", daemon=True
        )
        if history_archive is not None:
            self._archiver.start()
        self._checkpointer.start()
        self._committer.start()
        self._writer.start()

    # ---------------------------------------------------------------------------- writes

    def create_accounts(self, events: Sequence[Account]) -> list[CreateAccountResult]:
        results = self.submit_accounts(events).result(timeout=request_timeout_s)
        return [CreateAccountResult(r) for r in results]

    def create_transfers(self, events: Sequence[Transfer]) -> list[CreateTransferResult]:
        results = self.submit_transfers(events).result(timeout=request_timeout_s)
        return [CreateTransferResult(r) for r in results]

    def submit_accounts(self, events: Sequence[Account]) -> Future[list[int]]:
        """Queue a batch; the future gives the raw result codes once the batch is durable."""
        started = time.perf_counter()
        body = _pack(events, codec.pack_accounts, "account")
        self.timings.pack_s += time.perf_counter() - started
        return self._submit(Operation.create_accounts, events, body)

    def submit_transfers(self, events: Sequence[Transfer]) -> Future[list[int]]:
        started = time.perf_counter()
        body = _pack(events, codec.pack_transfers, "transfer")
        self.timings.pack_s += time.perf_counter() - started
        return self._submit(Operation.create_transfers, events, body)

    def submit_packed_transfers(self, body: bytes) -> Future[list[int]]:
        """`submit_transfers` for a batch its caller already packed in the journal's format
        (codec.py), as a client's process does: decoded once here and journaled as it came,
        so the caller's process, not the ledger's, pays for encoding it. Any whole number of
        128-byte records decodes to fields in range, so the length is the only check."""
        started = time.perf_counter()
        size = codec.EVENT_SIZE_BYTES
        if len(body) % size:
            raise InvalidInput(
                f"a packed batch is a whole number of {size}-byte transfers, not {len(body)} bytes"
            )
        _refuse_oversized(len(body) // size)
        events = codec.unpack_transfers(body)
        self.timings.pack_s += time.perf_counter() - started
        return self._submit(Operation.create_transfers, events, bytes(body))

    def pulse(self) -> int:
        """Expire, durably, every pending transfer whose deadline has passed; returns how many."""
        future = self._submit(Operation.pulse, (), b"")
        return len(future.result(timeout=request_timeout_s))

    def checkpoints_written(self, timeout_s: float) -> CheckpointInfo | None:
        """Wait until every checkpoint taken so far is written (or failed), at most
        `timeout_s` seconds; the newest written. Periodic ones are written by a thread of
        their own, after the batches that follow them were acknowledged."""
        deadline = time.monotonic() + timeout_s
        if not self._closed and self._broken is None:
            # First the writer past everything submitted before: a checkpoint the last batch
            # made due is taken after that batch was handed on, maybe after its answer.
            reached: Future[None] = Future()
            self._queue.put(_Reached(reached))
            with contextlib.suppress(TimeoutError):
                reached.result(timeout=timeout_s)
        with self._cond:
            while self._checkpoints_in_flight and (left := deadline - time.monotonic()) > 0:
                self._cond.wait(left)
        return self.last_checkpoint

    def checkpoint(self) -> CheckpointInfo:
        """Write a checkpoint of everything durable so far, now; returns what was written."""
        if self._store is None:
            raise InvalidInput("this ledger's journal keeps no checkpoints")
        if self._closed or self._broken is not None:
            raise StorageUnavailable("the ledger is closed or stopped")
        future: Future[CheckpointInfo] = Future()
        self._queue.put(_CheckpointRequest(future))
        return future.result(timeout=checkpoint_timeout_s)

    def _submit(
        self, operation: Operation, events: Sequence[Account] | Sequence[Transfer], body: bytes
    ) -> Future[list[int]]:
        if self._closed:
            raise StorageUnavailable("the ledger is closed")
        if self._broken is not None:
            raise StorageUnavailable(f"the ledger stopped after a storage failure: {self._broken}")
        future: Future[list[int]] = Promise()
        self._queue.put(_Submission(operation, events, body, future))
        return future

    # ---------------------------------------------------------------------------- writer

    def _run(self) -> None:
        get = self._queue.get
        while True:
            try:
                first = get(timeout=self._writer_sleep_s())
            except queue.Empty:
                self._pulse_if_due()
                if self._checkpoint_due():
                    self._hand_checkpoint(None)
                continue
            batch: list[_Submission] = []
            control = None  # a stop or a checkpoint request, taken after the batch before it
            if isinstance(first, _Submission):
                batch.append(first)
                events = len(first.events)
                while len(batch) < commit_submissions_max and events < commit_events_max:
                    try:
                        more = self._queue.get_nowait()
                    except queue.Empty:
                        break
                    if not isinstance(more, _Submission):
                        control = more
                        break
                    batch.append(more)
                    events += len(more.events)
            else:
                control = first
            if batch:
                self._apply_and_commit(batch)
            if control is _STOP:
                if self._on_close_checkpoint_due():
                    self._hand_checkpoint(None)
                return
            if isinstance(control, _CheckpointRequest):
                self._hand_checkpoint(control.future)
            elif self._checkpoint_due():
                self._hand_checkpoint(None)
            if isinstance(control, _Reached):
                control.future.set_result(None)

    def _writer_sleep_s(self) -> float:
        if not self._auto_pulse:
            return pulse_interval_max_s * 3600
        deadline = state.next_expiry_ns(self._state)
        if deadline is None:
            return pulse_interval_max_s
        wait_s = (deadline - self._clock.now_ns()) / 1e9
        return min(max(wait_s, 0.001), pulse_interval_max_s)

    def _pulse_if_due(self) -> None:
        if not self._auto_pulse or self._broken is not None:
            return
        deadline = state.next_expiry_ns(self._state)
        if deadline is not None and deadline <= self._clock.now_ns():
            future: Future[list[int]] = Promise()
            self._apply_and_commit([_Submission(Operation.pulse, (), b"", future)])

    def _apply_and_commit(self, batch: list[_Submission]) -> None:
        """Apply a group of submissions in memory and hand it to the committer.

        The committer makes group N durable while this thread applies group N+1: commit I/O
        releases the GIL, so the two overlap. Results still leave only after their own commit,
        and readers wait for the state to be wholly durable (see `_durable_view`).
        """
        with self._cond:
            while self._readers_waiting:
                self._cond.wait()
            if self._broken is not None:
                for sub in batch:
                    sub.future.set_exception(StorageUnavailable(str(self._broken)))
                return
            entries: list[JournalEntry] = []
            outcomes: list[list[int]] = []
            started = time.perf_counter()
            try:
                if self._rules_unjournaled:
                    self._seq += 1
                    entries.append(_rules_entry(self._seq, self._clock_reading()))
                    self._rules_unjournaled = False
                for sub in batch:
                    now_ns = self._clock_reading()
                    results = self._apply(sub.operation, sub.events, now_ns)
                    outcomes.append(results)
                    if sub.operation is Operation.pulse and not results:
                        continue  # nothing came due: nothing to make durable
                    self._seq += 1
                    entries.append(
                        JournalEntry(self._seq, sub.operation, now_ns, sub.body, bytes(results))
                    )
                    self._events_since_checkpoint += len(results)
            except BaseException as exc:
                # A bug or a broken clock: the state may be half-changed, so stop here and
                # let a reopen rebuild it from the journal. Callers learn at once.
                self._broken = exc
                self._cond.notify_all()
                for sub in batch:
                    sub.future.set_exception(StorageUnavailable(f"ledger stopped: {exc!r}"))
                return
            if entries:
                self._last_entry = entries[-1]
            self.timings.apply_s += time.perf_counter() - started
            if self._archive is not None:
                self._archive_step()
            self.timings.batches += len(batch)
            self._applied_groups += 1
            self._groups_since_retire += 1
            if self._groups_since_retire >= gc_every_commits:
                now = time.monotonic()  # pacing the collector: the machine's time, not the ledger's
                if now >= self._retire_after:
                    self._groups_since_retire, self._retire_after = 0, now + gc_every_s
                    _retire_young_objects()
        self._commit_queue.put((entries, batch, outcomes))

    def _clock_reading(self) -> int:
        now_ns = self._clock.now_ns()
        if not 0 < now_ns <= state.TIMESTAMP_MAX:
            raise ClockOutOfRange(f"clock reads {now_ns} ns, outside 1..2**63-1")
        return now_ns

    # ---------------------------------------------------------------------------- archive

    def _archive_step(self) -> None:
        """On the writer, with the state held still: drop what the last job made durable, and
        hand on the next job when enough history gathered (archive.py)."""
        started = time.perf_counter()
        policy = self._archive_policy
        if self._archive_busy and (
            len(self._state.transfers)
            >= policy.window_transfers + archive_jobs_behind_max * policy.chunk_transfers
        ):
            # The archive fell behind: wait for it rather than let memory grow without bound.
            self._archive_written.wait(timeout=request_timeout_s)
            waited = time.perf_counter() - started
            self.timings.archive_wait_s += waited
            started += waited
        done = self._archive_done
        if done is not None:
            self._archive_done = None
            archive.drop_archived(self._state, done, self._archive_policy.filter_bits)
            self._archive_busy = False
        elif self._archive_failed:
            self._archive_failed = False
            self._archive_busy = False  # the same history goes again in the next job
        if not self._archive_busy and archive.job_due(self._state, policy):
            job = archive.build_job(self._state, policy)
            if job is not None:
                self._archive_busy = True
                self._archive_written.clear()
                self._archive_queue.put(job)
        self.timings.archive_build_s += time.perf_counter() - started

    def _run_archiver(self) -> None:
        store = self._archive
        assert store is not None, "an archiving thread without an archive"
        compacting = False
        policy = self._archive_policy
        slices_first = 0  # merged ahead of a waiting job since the last job
        while True:
            if compacting:
                # Merging runs a slice at a time, while no job waits; and while one does, once
                # the merges have fallen too far behind: a busy archive would otherwise leave
                # them undone for as long as it stays busy, and every lookup would read a
                # page of each run left. Until they are back within the bound, or for at most
                # `merge_slices_first_max` slices a job: the writer, which may wait for the
                # job, never waits for a whole merge of years of history (docs/adr/0086).
                # (This thread alone takes jobs: one seen waiting is there to take.)
                if self._archive_queue.empty():
                    compacting = self._compact_step(store)
                    continue
                if (
                    slices_first < policy.merge_slices_first_max
                    and store.merges_behind() > policy.merges_behind_max
                ):
                    slices_first += 1
                    self.timings.archive_merge_slices_first += 1
                    compacting = self._compact_step(store, merging_first=True)
                    continue
                job = self._archive_queue.get_nowait()
            else:
                job = self._archive_queue.get()
            if job is None:
                return
            compacting = True
            slices_first = 0
            started = time.perf_counter()
            try:
                store.write(job)
            except (StorageUnavailable, OSError) as exc:
                # Memory holds the history still; the next job carries it again.
                self.archive_failures += 1
                log.warning("ledger history archive up to %d failed: %s", job.through, exc)
                self._archive_failed = True
                self._archive_written.set()
                continue
            self.timings.archive_write_s += time.perf_counter() - started
            self.timings.archive_jobs += 1
            self._archive_done = job
            self._archive_written.set()

    def _compact_step(self, store: HistoryArchive, *, merging_first: bool = False) -> bool:
        started = time.perf_counter()
        try:
            more = store.compact_step(merging_first=merging_first)
        except (StorageUnavailable, OSError) as exc:
            # Nothing is lost: the runs being merged stay in use; the next job tries again.
            log.warning("ledger history archive merge failed: %s", exc)
            return False
        self.timings.archive_compact_s += time.perf_counter() - started
        return more

    def _replay_archive_step(self) -> None:
        """While replaying: archive synchronously, so a long replay stays within memory too."""
        policy = self._archive_policy
        store = self._archive
        assert store is not None, "archiving a replay without an archive"
        while archive.job_due(self._state, policy):
            job = archive.build_job(self._state, policy)
            if job is None:
                return
            store.write(job)
            archive.drop_archived(self._state, job, policy.filter_bits)
            while store.compact_step():
                pass

    # ---------------------------------------------------------------------------- checkpoints

    def _checkpoint_due(self) -> bool:
        policy = self._policy
        if self._store is None or self._broken is not None or self._seq == self._checkpoint_seq:
            return False
        if self._checkpoints_in_flight:
            return False  # one at a time: the next is due again once it is written
        if policy.every_events and self._events_since_checkpoint >= policy.every_events:
            return True
        elapsed_ns = self._clock.now_ns() - self._last_checkpoint_ns
        return bool(policy.every_s) and elapsed_ns >= policy.every_s * state.NS_PER_S

    def _on_close_checkpoint_due(self) -> bool:
        least = self._policy.on_close_events_min
        return (
            self._store is not None
            and self._broken is None
            and self._seq != self._checkpoint_seq
            and bool(least)
            and self._events_since_checkpoint >= least
        )

    def _hand_checkpoint(self, future: Future[CheckpointInfo] | None) -> None:
        """Encode the state as it stands (all applied groups) and queue it for the committer,
        which writes it once everything before it is durable: a checkpoint never runs ahead
        of the journal. Only the writer thread calls this, so the state holds still."""
        entry = self._last_entry
        if self._broken is not None or entry is None:
            if future is not None:
                why = (
                    f"the ledger stopped: {self._broken}"
                    if self._broken is not None
                    else "nothing to checkpoint: the journal is empty"
                )
                future.set_exception(StorageUnavailable(why))
            return
        started = time.perf_counter()
        mark = Watermark(entry.seq, entry.now_ns, zlib.crc32(entry.body))
        with checkpoint.collector_paused():
            taken = checkpoint.take(self._state, mark)
        with self._cond:
            self._checkpoints_in_flight += 1
        job = _CheckpointJob(
            entry.seq,
            taken,
            time.perf_counter() - started,
            future,
        )
        self._checkpoint_seq = entry.seq
        self._events_since_checkpoint = 0
        self._last_checkpoint_ns = self._clock.now_ns()
        self._commit_queue.put(job)

    def _run_checkpointer(self) -> None:
        """Finish and write each checkpoint the committer hands on (all before it durable)."""
        while (job := self._checkpoint_queue.get()) is not None:
            try:
                self._write_checkpoint(job)
            finally:
                with self._cond:
                    self._checkpoints_in_flight -= 1
                    self._cond.notify_all()

    def _write_checkpoint(self, job: _CheckpointJob) -> None:
        """On the checkpoint thread. A failed write costs only a longer replay next open."""
        store = self._store
        assert store is not None, "a checkpoint job without a store to write it to"
        if self._broken is not None:
            if job.future is not None:
                job.future.set_exception(StorageUnavailable(f"ledger stopped: {self._broken}"))
            return
        started = time.perf_counter()
        parts: list[checkpoint.Piece] = []
        try:
            parts = checkpoint.finish(job.taken)
            store.write_checkpoint(job.seq, parts)
        except Exception as exc:  # whatever fails one must not stop the next
            # A checkpoint only shortens the next open: storage refusing it, memory running
            # short or a bug in finishing it is logged and counted, and this thread goes on
            # (it alone writes them; if it stopped, none would be written again, unsaid).
            self.checkpoint_failures += 1
            expected = isinstance(exc, (StorageUnavailable, OSError))
            log.warning(
                "ledger checkpoint at journal entry %d failed: %s", job.seq, exc,
                exc_info=not expected,
            )  # fmt: skip
            if job.future is not None:
                job.future.set_exception(
                    exc
                    if isinstance(exc, StorageUnavailable)
                    else StorageUnavailable(f"the checkpoint failed: {exc!r}")
                )
            return
        info = CheckpointInfo(
            job.seq,
            sum(len(p) for p in parts),
            job.taken.accounts,
            len(job.taken.transfers),
            round(job.encode_s, 3),
            round(time.perf_counter() - started, 3),
        )
        self.last_checkpoint = info
        if job.future is not None:
            job.future.set_result(info)

    def _run_committer(self) -> None:
        while True:
            item = self._commit_queue.get()
            if item is None:
                return
            if isinstance(item, _CheckpointJob):
                # Everything before it is durable: the checkpoint thread may write it now.
                self._checkpoint_queue.put(item)
                continue
            entries, batch, outcomes = item
            if self._broken is None:
                try:
                    if entries:
                        started = time.perf_counter()
                        self._journal.append(entries)
                        self.timings.commit_s += time.perf_counter() - started
                        self.timings.commits += 1
                except BaseException as exc:
                    with self._cond:
                        self._broken = exc
                        self._cond.notify_all()
            if self._broken is not None:
                # This group, and any applied after a failed one, is not durable.
                for sub in batch:
                    sub.future.set_exception(
                        StorageUnavailable(f"batch not durable, ledger stopped: {self._broken}")
                    )
                continue
            with self._cond:
                self._durable_groups += 1
                if entries:
                    self._durable_seq = entries[-1].seq
                self._cond.notify_all()
            for sub, results in zip(batch, outcomes, strict=True):
                sub.future.set_result(results)

    @contextlib.contextmanager
    def _durable_view(self) -> Iterator[None]:
        """Hold the state still, and wholly durable, for a read."""
        with self._cond:
            self._readers_waiting += 1
            try:
                while self._durable_groups < self._applied_groups and self._broken is None:
                    self._cond.wait()
            finally:
                self._readers_waiting -= 1
                if not self._readers_waiting:
                    self._cond.notify_all()
            if self._broken is not None:
                raise StorageUnavailable(
                    f"the ledger stopped after a storage failure: {self._broken}"
                )
            yield

    def _apply(
        self, operation: Operation, events: Sequence[Account] | Sequence[Transfer], now_ns: int
    ) -> list[int]:
        if operation is Operation.create_transfers:
            return transfers.create_transfers(self._state, events, now_ns)  # type: ignore[arg-type, return-value]
        if operation is Operation.create_accounts:
            return accounts.create_accounts(self._state, events, now_ns)  # type: ignore[arg-type, return-value]
        base = self._state.batch_base_timestamp(now_ns)
        # A pulse's "results" are one zero per expired transfer, so the count is journaled.
        expired = state.expire_pending(self._state, base)
        invariants.check_batch(self._state, expired, expired)
        return [0] * expired

    def _load_checkpoint(self) -> None:
        """Start from the newest checkpoint that is whole and of this journal, if any."""
        store = self._store
        if store is None or not self._policy.load:
            return
        for seq in store.checkpoint_seqs():
            found = self._journal.read(seq - 1, 1)
            if not found or found[0].seq != seq:
                self._pass_over(seq, "it is newer than the journal")
                continue
            entry = found[0]
            blob = store.read_checkpoint(seq)
            if blob is None:
                self._pass_over(seq, "it cannot be read")
                continue
            try:
                loaded = checkpoint.decode(
                    blob, Watermark(seq, entry.now_ns, zlib.crc32(entry.body))
                )
            except CheckpointDamaged as exc:
                self._pass_over(seq, str(exc))
                continue
            if loaded.archived_through:
                if self._archive is None:
                    self._pass_over(
                        seq, "its history is on disk, and this ledger opened without it"
                    )
                    continue
                if self._archive.archived_through() < loaded.archived_through:
                    self._pass_over(seq, "the history it leaves on disk is not all there")
                    continue
            self._state = loaded
            self._seq = self._checkpoint_seq = self.opened_from_checkpoint = seq
            self._last_entry = entry
            return

    def _pass_over(self, seq: int, why: str) -> None:
        self.checkpoints_passed_over.append(f"checkpoint at journal entry {seq}: {why}")
        log.warning("ledger checkpoint at journal entry %d passed over: %s", seq, why)

    def _replay(self) -> None:
        self._state.rules = state.RULES_LEGACY  # until the journal (or a checkpoint) says
        self._load_checkpoint()
        store = self._archive
        if store is not None:
            # What the archive holds past the starting point is replayed again: a lookup must
            # not find on disk what the replay has not reached yet.
            store.truncate_after(self._state.archived_through)
            self._state.archive = store
        for entry in read_all(self._journal, after=self._seq):
            if entry.seq != self._seq + 1:
                raise JournalReplayMismatch(f"journal entry {self._seq + 1} is missing")
            events: list[Account] | list[Transfer]
            if entry.operation is Operation.create_transfers:
                events = codec.unpack_transfers(entry.body)
            elif entry.operation is Operation.create_accounts:
                events = codec.unpack_accounts(entry.body)
            elif entry.operation is Operation.rules:
                self._state.rules = _rules_of(entry)
                self._seq = entry.seq
                self._last_entry = entry
                self.replayed_entries += 1
                continue
            else:
                events = []
            results = self._apply(entry.operation, events, entry.now_ns)
            if bytes(results) != entry.results:
                raise JournalReplayMismatch(
                    f"journal entry {entry.seq} replays to other results than were acknowledged"
                )
            self._seq = entry.seq
            self._last_entry = entry
            self.replayed_entries += 1
            self._events_since_checkpoint += len(entry.results)
            if store is not None:
                self._replay_archive_step()

    # ---------------------------------------------------------------------------- lifecycle

    def close(self) -> None:
        if self._closed:
            return
        self._closed = True
        self._queue.put(_STOP)
        # The writer may hand on a last checkpoint as it stops.
        self._writer.join(timeout=request_timeout_s + checkpoint_timeout_s)
        self._commit_queue.put(None)
        self._committer.join(timeout=request_timeout_s + checkpoint_timeout_s)
        self._checkpoint_queue.put(None)
        self._checkpointer.join(timeout=checkpoint_timeout_s)
        if self._archive is not None:
            self._archive_queue.put(None)
            self._archiver.join(timeout=request_timeout_s)
            self._archive.close()
        self._journal.close()

    def __enter__(self) -> Ledger:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()

    @property
    def broken(self) -> bool:
        """True once a storage failure stopped this ledger: only reopening it (a replay) helps."""
        return self._broken is not None

    @property
    def transfers_in_memory(self) -> int:
        """Transfers the ledger holds in memory (held pending ones included): the figure its
        archive policy bounds."""
        with self._cond:
            return len(self._state.transfers) + len(self._state.held)

    @property
    def archive_runs(self) -> int:
        """The history archive's index runs in use (0: no archive): its merging's backlog."""
        return 0 if self._archive is None else self._archive.run_count()

    @property
    def archive_merges_behind(self) -> int:
        """How far the archive's merging is behind its writes, in runs (0: no archive, or it
        keeps up); `ArchivePolicy.merges_behind_max` bounds it."""
        return 0 if self._archive is None else self._archive.merges_behind()

    @property
    def archived_through(self) -> int:
        """The timestamp up to which posted history is on disk and out of memory (0: none)."""
        return self._state.archived_through

    @property
    def journal_seq(self) -> int:
        """The last durable journal entry: a watermark for read models fed from the ledger."""
        return self._durable_seq

    # ---------------------------------------------------------------------------- queries

    def lookup_accounts(self, ids: Sequence[int]) -> list[Account]:
        with self._durable_view():
            found = (self._state.accounts.get(i) for i in ids)
            return [state.public_account(a) for a in found if a is not None]

    def lookup_balances(self, ids: Sequence[int]) -> dict[int, Balances]:
        with self._durable_view():
            accounts = self._state.accounts
            return {
                i: Balances(a.debits_pending, a.debits_posted, a.credits_pending, a.credits_posted)
                for i in ids
                if (a := accounts.get(i)) is not None
            }

    def lookup_transfers(self, ids: Sequence[int]) -> list[Transfer]:
        found: dict[int, Transfer] = {}
        with self._durable_view():
            for i in ids:
                t = archive.find_in_memory(self._state, i)
                if t is not None:
                    found[i] = copy.copy(t)
            store = self._archive_to_read()
        if store is not None:
            # Read outside the view: what was archived stays so, and the writer goes on.
            for i in ids:
                if i not in found and self._may_be_archived(i):
                    t = store.transfer(i)
                    if t is not None:
                        found[i] = t
        return [found[i] for i in ids if i in found]

    def _archive_to_read(self) -> HistoryArchive | None:
        """The archive, if it holds anything yet (call inside the durable view)."""
        return self._archive if self._state.archived_through else None

    def _may_be_archived(self, transfer_id: int) -> bool:
        id_filter = self._state.id_filter
        return id_filter is not None and id_filter.may_hold(transfer_id)

    def pending_status(self, transfer_id: int) -> TransferPendingStatus | None:
        with self._durable_view():
            if archive.find_in_memory(self._state, transfer_id) is not None:
                return self._state.pending_status.get(transfer_id, TransferPendingStatus.none)
            store = self._archive_to_read()
        if store is None or not self._may_be_archived(transfer_id):
            return None
        t = store.transfer(transfer_id)
        if t is None:
            return None
        if not t.flags & TransferFlags.pending:
            return TransferPendingStatus.none
        # An archived pending transfer not held in memory any more was resolved.
        outcome = store.outcome(transfer_id)
        return TransferPendingStatus(outcome[0]) if outcome else TransferPendingStatus.pending

    def expired_at(self, transfer_id: int) -> int | None:
        """When a pending transfer expired (its expiry's timestamp), or None."""
        with self._durable_view():
            at = self._state.expired.get(transfer_id)
            if at is not None or archive.find_in_memory(self._state, transfer_id):
                return at
            store = self._archive_to_read()
        if store is None or not self._may_be_archived(transfer_id):
            return None
        outcome = store.outcome(transfer_id)
        if outcome is None or outcome[0] != TransferPendingStatus.expired:
            return None
        return outcome[1]

    def statement(
        self,
        account_id: int,
        *,
        after_timestamp: int = 0,
        before_timestamp: int | None = None,
        limit: int = statement_page_default,
        reverse: bool = False,
    ) -> StatementPage:
        """An account's changes with the running balance after each, one page at a time.

        Forward pages start after `after_timestamp`; reversed pages (newest first) start
        before `before_timestamp`. `next_cursor` continues in the same direction. Lines at or
        before the archive's watermark come from disk, the rest from memory.
        """
        if not 1 <= limit <= statement_page_max:
            raise InvalidInput(f"limit must be between 1 and {statement_page_max}, not {limit}")
        with self._durable_view():
            account = self._state.accounts.get(account_id)
            if account is None:
                return StatementPage([], None)
            page, cursor = history.statement_page(
                account,
                archive.MemoryTransfers(self._state),
                after_timestamp=after_timestamp,
                before_timestamp=before_timestamp,
                limit=limit,
                reverse=reverse,
            )
            has_archived = bool(account.trimmed)
            through = self._state.archived_through
            store = self._archive_to_read()
        if store is None or not has_archived:
            return StatementPage(page, cursor)
        if not reverse:
            if after_timestamp >= through:
                return StatementPage(page, cursor)
            older = _archived_statement(store, account_id, after_timestamp, through, limit + 1)
            combined = older + page
        else:
            if cursor is not None:
                return StatementPage(page, cursor)  # memory alone fills this page and more
            before = through + 1 if before_timestamp is None else min(before_timestamp, through + 1)
            newest = store.account_lines_before(account_id, before, limit - len(page) + 1)
            older = []
            if newest:
                # The running balances come from replaying forward: the same lines, in order.
                older = _archived_statement(
                    store, account_id, newest[-1][0] - 1, newest[0][0], len(newest)
                )[::-1]
            combined = page + older
        if len(combined) > limit:
            combined = combined[:limit]
            return StatementPage(combined, combined[-1].timestamp)
        return StatementPage(combined, None if reverse else cursor)

    def balance_at(self, account_id: int, timestamp: int) -> AccountBalance | None:
        """The account's balances as they stood at `timestamp`; None if it did not exist yet."""
        with self._durable_view():
            account = self._state.accounts.get(account_id)
            if account is None or account.timestamp > timestamp:
                return None
            i = bisect.bisect_right(account.lines, timestamp, key=history.line_timestamp)
            if i:
                lookup = archive.MemoryTransfers(self._state)
                return history.statement_lines(account, lookup, i - 1, i)[0].balance
            created = account.timestamp
            store = self._archive_to_read() if account.trimmed else None
        if store is not None:
            newest = store.account_lines_before(account_id, timestamp + 1, 1)
            if newest:
                line_ts = newest[0][0]
                return _archived_statement(store, account_id, line_ts - 1, line_ts, 1)[0].balance
        return AccountBalance(created, 0, 0, 0, 0)

    def totals(self) -> list[LedgerTotals]:
        """Sums of every account's balances, per ledger (per currency) that has an account,
        and per account code within it: kept by the state machine as balances change, so
        read in one step per ledger and code, not a pass over the accounts."""
        with self._durable_view():
            kept = [(key, list(s)) for key, s in self._state.sums.items() if s[0]]
        by_ledger: dict[int, dict[int, tuple[int, int, int, int, int]]] = {}
        for (ledger, code), (n, dp, dpo, cp, cpo) in sorted(kept):
            by_ledger.setdefault(ledger, {})[code] = (n, dp, dpo, cp, cpo)
        totals = []
        for ledger, codes in by_ledger.items():
            n, dp, dpo, cp, cpo = (sum(f[i] for f in codes.values()) for i in range(5))
            totals.append(LedgerTotals(ledger, n, dp, dpo, cp, cpo, codes))
        return totals

    def all_accounts(self) -> Iterator[Account]:
        """Every account in creation order (copies, taken under one consistent view)."""
        with self._durable_view():
            snapshot = [state.public_account(a) for a in self._state.accounts.values()]
        return iter(snapshot)

    def all_transfers(self) -> Iterator[Transfer]:
        """Every transfer in timestamp order (copies, taken under one consistent view)."""
        with self._durable_view():
            in_memory = [copy.copy(t) for t in self._state.transfers.values()]
            through = self._state.archived_through
            store = self._archive_to_read()
        return self._archived_then(store, through, in_memory)

    @staticmethod
    def _archived_then(
        store: HistoryArchive | None, through: int, in_memory: list[Transfer]
    ) -> Iterator[Transfer]:
        after = 0
        while store is not None:
            page = store.transfers_after(after, through, archive_read_page_transfers)
            if not page:
                break
            yield from page
            after = page[-1].timestamp
        yield from in_memory

    def snapshot_for_verify(
        self,
    ) -> tuple[list[Account], list[Transfer], dict[int, TransferPendingStatus]]:
        accounts_now, transfers_then, statuses = self.verify_view()
        return accounts_now, list(transfers_then), statuses

    def verify_view(
        self,
    ) -> tuple[list[Account], Iterator[Transfer], dict[int, TransferPendingStatus]]:
        """What `verify` reads, from one consistent view, the transfers streamed from disk
        (so verifying a long history does not hold all of it in memory)."""
        with self._durable_view():
            accounts_now = [state.public_account(a) for a in self._state.accounts.values()]
            in_memory = [copy.copy(t) for t in self._state.transfers.values()]
            statuses = dict(self._state.pending_status)
            through = self._state.archived_through
            store = self._archive_to_read()
        # Archived pending transfers not in `statuses` were resolved: none of them is pending.
        return accounts_now, self._archived_then(store, through, in_memory), statuses


def _archived_statement(
    store: HistoryArchive, account_id: int, after_timestamp: int, through: int, limit: int
) -> list[StatementLine]:
    """Up to `limit` of an account's archived lines after `after_timestamp` (at or before
    `through`), with the balances after each: replayed from the newest snapshot before them,
    at most a snapshot's span of lines away (history.checkpoint_lines)."""
    anchor = store.snapshot_before(account_id, after_timestamp + 1)
    if anchor is None:
        cursor, (dp, dpo, cp, cpo) = 0, (0, 0, 0, 0)
    else:
        cursor, (dp, dpo, cp, cpo) = anchor[0] - 1, anchor[1]
    pending = _ArchivedTransfers(store)
    out: list[StatementLine] = []
    while len(out) < limit:
        lines = store.account_lines(account_id, cursor, through, archive_read_page_transfers)
        for timestamp, transfer, is_expiry in lines:
            line: history.Line = history.Expiry(timestamp, transfer) if is_expiry else transfer
            a, b, c, d = history.effect(line, account_id, pending)
            dp, dpo, cp, cpo = dp + a, dpo + b, cp + c, cpo + d
            if timestamp > after_timestamp:
                out.append(
                    StatementLine(
                        timestamp,
                        "expiry" if is_expiry else "transfer",
                        transfer,
                        AccountBalance(timestamp, dp, dpo, cp, cpo),
                    )
                )
                if len(out) == limit:
                    break
        if len(lines) < archive_read_page_transfers:
            break
        cursor = lines[-1][0]
    return out


class _ArchivedTransfers(Mapping[int, Transfer]):
    """The archive's transfers by id, for the amounts of the holds a post or void names."""

    def __init__(self, store: HistoryArchive) -> None:
        self._store = store
        self._seen: dict[int, Transfer] = {}

    def __getitem__(self, key: int) -> Transfer:
        found = self._seen.get(key)
        if found is None:
            found = self._store.transfer(key)
            if found is None:
                raise KeyError(key)
            self._seen[key] = found
        return found

    def __iter__(self) -> Iterator[int]:
        return iter(self._seen)

    def __len__(self) -> int:
        return len(self._seen)


def _rules_entry(seq: int, now_ns: int) -> JournalEntry:
    body = state.RULES_CURRENT.to_bytes(4, "little")
    return JournalEntry(seq, Operation.rules, now_ns, body, b"")


def _rules_of(entry: JournalEntry) -> int:
    body = entry.body
    rules = int.from_bytes(body, "little") if len(body) == 4 and not entry.results else 0
    if not state.RULES_LEGACY <= rules <= state.RULES_CURRENT:
        raise JournalReplayMismatch(
            f"the journal asks for ledger rules {rules}; this Colony knows 1 to "
            f"{state.RULES_CURRENT} (written by a newer Colony?)"
        )
    return rules


def _retire_young_objects() -> None:
    """Keep the cyclic garbage collector away from the ledger's state.

    The state is millions of long-lived objects without cycles. Left alone, the collector's
    full passes rescan all of them, which doubled the cost of applying a batch and paused the
    writer for most of a second. After a commit we collect the young generations (so real
    garbage cycles still die) and move the survivors out of the collector's sight.
    """
    gc.collect(1)
    gc.freeze()


def _pack(events: Sequence[E], pack: object, kind: str) -> bytes:
    """Pack a batch for the journal; the packing doubles as the range check of every field."""
    _refuse_oversized(len(events))
    try:
        return pack(events)  # type: ignore[operator, no-any-return]
    except (struct.error, TypeError, AttributeError) as exc:
        for index, event in enumerate(events):
            problem = _field_problem(event)
            if problem:
                raise InvalidInput(f"{kind} {index}: {problem}") from exc
        raise InvalidInput(f"{kind} batch cannot be encoded: {exc}") from exc


def _refuse_oversized(events: int) -> None:
    if events > batch_events_max:
        raise InvalidInput(f"a batch holds at most {batch_events_max} events, not {events}")


def _field_problem(event: object) -> str | None:
    if not isinstance(event, Account | Transfer):
        return f"expected an Account or Transfer, got {type(event).__name__}"
    widths = ACCOUNT_FIELD_BITS if isinstance(event, Account) else TRANSFER_FIELD_BITS
    for name, bits in widths.items():
        value = getattr(event, name)
        if isinstance(value, bool) or not isinstance(value, int):
            return f"{name} must be an integer, not {type(value).__name__} {value!r}"
        if not 0 <= value < (1 << bits):
            return f"{name} must be an unsigned {bits}-bit integer, not {value}"
    return None

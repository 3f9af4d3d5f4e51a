"""The ledger benchmark: durable transfers per second on a fresh database.

It opens `accounts` accounts, then submits `transfers` transfers in batches of 8,190 through
the ledger's one write path, with up to `in_flight` batches queued at once (as concurrent API
workers would), and times each batch from submission to durable acknowledgement. The
transfers come from a seeded random source, so two runs submit identical work. They are made
and packed in a process of their own, as clients make and pack theirs, and reach the ledger's
process as packed batches, which it decodes (docs/adr/0069): the ledger's process pays what a
ledger server pays, not the workload's making.

Two mixes: "uniform" picks both accounts at random; "hot" sends a `hot` fraction of the
transfers to one merchant account (a shopping-festival best seller) and the rest uniformly,
and one in `hot_refund_every` of those goes back out of it (a refund).

Every account has a balance limit, as wallets and merchants do: its debits may not exceed its
credits. Each starts with `opening_balance_minor` from an unlimited funding account (before
the clock starts), so toward the end some payers run short and their transfers are refused
with `exceeds_credits`, which is the point: the limits must hold exactly under the load. After
the timed run the ledger is verified (balances rebuilt from the transfers alone, every limit
checked) and the result says whether it held.
"""

from __future__ import annotations

import copy
import functools
import itertools
import math
import multiprocessing
import multiprocessing.connection
import os
import platform
import resource
import statistics
import sys
import tempfile
import time
from collections.abc import Callable, Iterator
from dataclasses import asdict, dataclass
from pathlib import Path
from typing import Protocol

import numpy as np

from colony.kernel.clock import SystemClock
from colony.kernel.errors import InvalidInput
from colony.ledger import (
    Account,
    AccountFlags,
    ArchivePolicy,
    Ledger,
    Transfer,
    batch_events_max,
    codec,
)
from colony.ledger.results import CreateTransferResult
from colony.ledger.service import WriteTimings
from colony.ledger.verify import verify
from colony.storage.open import open_ledger, sqlite_path
from colony.storage.postgres_databases import (
    create_fresh_database,
    drop_database,
    is_postgres_url,
)

BENCH_LEDGER = 840  # ISO 4217 numeric code of USD: one ledger per currency
BENCH_CODE = 1
# What each account holds before the run, in minor units: about eight average payments.
opening_balance_minor = 40_000
# One in this many of the hot account's transfers is a refund out of it.
hot_refund_every = 20


@dataclass(frozen=True)
class MixResult:
    mix: str
    accounts: int
    transfers: int
    batches: int
    seconds: float
    transfers_per_second: float
    p50_batch_ms: float
    p99_batch_ms: float
    max_batch_ms: float
    failed_transfers: int  # refused for any reason but a balance limit: should be none
    refused_by_limit: int  # refused with exceeds_credits: a payer ran short, as it may
    limits_exact: bool  # verified after the run: balances rebuilt, every limit held
    # Where the time went, per batch of transfers (decoding a packed batch on the submitting
    # thread, apply on the writer, commit on the committer, which overlaps the next apply).
    pack_ms_per_batch: float
    apply_ms_per_batch: float
    commit_ms_per_batch: float
    group_commits: int
    # Whether the rate holds as history grows: durable transfers/s over the first and the last
    # tenth of the batches, each timed from the acknowledgement before it.
    first_tenth_per_second: float
    last_tenth_per_second: float
    # CPU time of the ledger's process (every thread) per 1,000 transfers over the timed run.
    cpu_ms_per_1000_transfers: float
    # CPU time of the process that made and packed the workload, as clients would.
    workload_cpu_ms_per_1000_transfers: float
    # The ledger's process's peak resident memory so far (the workload is made elsewhere).
    peak_rss_mb: float
    # What the ledger's process handed the kernel to write over the timed run, in MB (the
    # journal, the archive, the WAL's checkpoints: the history's cost in writes); None where
    # the system does not count it (`written_bytes`).
    written_mb: float | None
    transfers_in_memory: int  # at the end: what the archive window keeps (docs/adr/0034)
    # At the end: the archive's index runs; far more than its merge policy keeps (three kinds,
    # up to `merge_fan_in` a level) means its merging fell behind the writes.
    archive_runs: int
    # At the end: runs past what the merge policy keeps (bounded by the policy's
    # `merges_behind_max`); and over the run, merge slices made while a job waited because
    # of it.
    archive_merges_behind: int
    archive_merge_slices_first: int
    archive_ms_per_batch: float  # building archive jobs on the writer
    archive_wait_ms_per_batch: float  # the writer waiting for the archive to catch up
    archive_write_ms_per_batch: float  # writing them, on their own thread
    archive_compact_ms_per_batch: float  # merging their indexes, on the same thread
    # The run in tenths of its batches (`Tenth`): where a later tenth's rate went, beside
    # the first's.
    tenths: list[Tenth]


@dataclass(frozen=True)
class Tenth:
    """One tenth of a run's batches: its rate, the ledger's process's CPU over it, and its
    batches' share of each part of the write path (ms per batch, as `MixResult`'s). A tenth
    that costs more CPU per transfer than the first did more work; one as costly but slower
    waited (for the disk, the other thread, or a slower machine)."""

    per_second: float
    cpu_ms_per_1000_transfers: float
    pack_ms_per_batch: float
    apply_ms_per_batch: float
    commit_ms_per_batch: float
    archive_ms_per_batch: float
    archive_wait_ms_per_batch: float
    archive_write_ms_per_batch: float
    archive_compact_ms_per_batch: float
    archive_merge_slices_first: int


# Additions in the reference loop (`reference_loop_ms`), and its tries (the best is kept).
reference_loop_additions = 2_000_000
reference_loop_tries = 3


def machine_description() -> dict[str, object]:
    """The machine a benchmark ran on, with its speed when it started (`reference_loop_ms`)."""
    return {
        "cores": os.cpu_count(),
        "machine": platform.machine(),
        "processor": _cpu_model(),
        "python": platform.python_version(),
        # Which build: two of one version differed by half again in speed (docs/adr/0096).
        "python_executable": os.path.realpath(sys.executable),
        "system": f"{platform.system()} {platform.release()}",
        "reference_loop_ms": reference_loop_ms(),
    }


def reference_loop_ms() -> float:
    """Milliseconds of CPU for a fixed loop of plain Python, the best of a few tries: the
    machine's speed at the moment, taken before the benchmark starts anything. On one
    machine of our kind it took 74 ms with the other core idle and 103 ms with a loop
    spinning there (the two share more than they show), and such a loop ran 1.6 times slower
    in one minute than in the next: a rate or a cost per operation compares with another
    only as far as their reference loops do (docs/benchmarks.md)."""
    best = math.inf
    for _ in range(reference_loop_tries):
        start = time.thread_time()
        total = 0
        for i in range(reference_loop_additions):
            total += i
        best = min(best, time.thread_time() - start)
    return round(best * 1000, 1)


def _proc_value(file: str, key: str) -> str | None:
    """The value of the first `key: value` line of a Linux /proc file, or None (no such file
    or line: another system)."""
    try:
        for line in Path(file).read_text().splitlines():
            if line.startswith(key):
                return line.split(":", 1)[1].strip()
    except OSError:
        pass
    return None


def _cpu_model() -> str:
    return _proc_value("/proc/cpuinfo", "model name") or platform.processor() or "unknown"


def written_bytes() -> int | None:
    """Bytes this process has passed to write calls so far (Linux's `wchar`), or None."""
    value = _proc_value("/proc/self/io", "wchar:")
    return None if value is None else int(value)


def peak_rss_mb() -> float:
    """This process's peak resident memory in MB.

    Linux's VmHWM, which starts afresh at exec; ru_maxrss (KiB) elsewhere, though on Linux it
    carries the parent's peak over fork and exec, so a probe process would inherit it.
    """
    value = _proc_value("/proc/self/status", "VmHWM:")  # "1234 kB"
    if value is not None:
        return round(int(value.split()[0]) / 1024, 1)
    return round(resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024, 1)


# Seconds to wait for the workload's process to end once it has sent its last batch.
workload_exit_timeout_s = 30.0


# The codec's transfer record (ledger/codec.py) as a numpy type: the fields the workload sets.
_RECORD = np.dtype(
    {
        "names": ["id_lo", "id_hi", "debit", "credit", "amount", "ledger", "code"],
        "formats": ["<u8", "<u8", "<u8", "<u8", "<u8", "<u4", "<u2"],
        # id (lo, hi), debit_account_id lo, credit_account_id lo, amount lo; ledger after the
        # six u128, user_data_64, user_data_32 and timeout; code after ledger.
        "offsets": [0, 8, 16, 32, 48, 112, 116],
        "itemsize": codec.EVENT_SIZE_BYTES,
    }
)


def iter_packed_batches(
    accounts: int, transfers: int, hot_fraction: float, seed: int, first_id: int
) -> Iterator[bytes]:
    """The workload as clients send it: packed batches of 8,190, made with numpy's seeded
    generator a batch at a time, so making it costs a small fraction of what the ledger
    spends on it. Uniform, or a hot fraction crediting account 1 with one in
    `hot_refund_every` of those refunded out of it; amounts 1 to 10,000; ids rising from
    `first_id` (time-ordered ids, as clients should use)."""
    if accounts < 2 or first_id + transfers >= 1 << 128:
        raise InvalidInput("the workload needs at least 2 accounts and ids below 2**128")
    rng = np.random.default_rng(seed)
    next_id = first_id
    remaining = transfers
    while remaining > 0:
        size = min(batch_events_max, remaining)
        debit = rng.integers(1, accounts + 1, size, dtype=np.uint64)
        credit = rng.integers(1, accounts + 1, size, dtype=np.uint64)
        if hot_fraction:
            hot = rng.random(size) < hot_fraction
            credit[hot] = 1
            refund = hot & (rng.integers(0, hot_refund_every, size) == 0)
            credit[refund], debit[refund] = debit[refund], 1
        same = credit == debit
        credit[same] = debit[same] % np.uint64(accounts) + np.uint64(1)
        records = np.zeros(size, dtype=_RECORD)
        ids = [next_id + i for i in (0, size - 1)]
        if ids[0] >> 64 != ids[1] >> 64:
            raise InvalidInput("a batch's ids must share their high 64 bits")
        records["id_lo"] = np.arange(size, dtype=np.uint64) + np.uint64(ids[0] & (2**64 - 1))
        records["id_hi"] = ids[0] >> 64
        records["debit"] = debit
        records["credit"] = credit
        records["amount"] = rng.integers(1, 10_001, size, dtype=np.uint64)
        records["ledger"] = BENCH_LEDGER
        records["code"] = BENCH_CODE
        yield records.tobytes()
        next_id += size
        remaining -= size


def _make_workload(
    sender: multiprocessing.connection.Connection,
    accounts: int,
    transfers: int,
    hot_fraction: float,
    seed: int,
    first_id: int,
) -> None:
    """In the workload's own process: every batch of `iter_packed_batches`, one message each.
    A pipe holds little, so this runs at most a batch or two ahead of the ledger."""
    try:
        for body in iter_packed_batches(accounts, transfers, hot_fraction, seed, first_id):
            sender.send_bytes(body)
    finally:
        sender.close()


def packed_batches(
    accounts: int, transfers: int, hot_fraction: float, seed: int, first_id: int
) -> Iterator[bytes]:
    """The batches of `iter_packed_batches`, made in a process of their own; the process ends
    with the iteration, however it ends."""
    context = multiprocessing.get_context("spawn")  # the ledger's threads are not forked
    receiver, sender = context.Pipe(duplex=False)
    maker = context.Process(
        target=_make_workload,
        args=(sender, accounts, transfers, hot_fraction, seed, first_id),
        name="ledger-bench-workload",
        daemon=True,
    )
    maker.start()
    sender.close()
    received = 0
    try:
        while received < transfers:
            try:
                body = receiver.recv_bytes()
            except EOFError:
                break
            received += len(body) // codec.EVENT_SIZE_BYTES
            yield body
    finally:
        receiver.close()
        maker.join(timeout=workload_exit_timeout_s)
        if maker.is_alive():
            maker.kill()
            maker.join()
    if received != transfers or maker.exitcode != 0:
        raise RuntimeError(
            f"the workload's process sent {received:,} of {transfers:,} transfers"
            f" and exited with {maker.exitcode}"
        )


def children_cpu_s() -> float:
    usage = resource.getrusage(resource.RUSAGE_CHILDREN)
    return usage.ru_utime + usage.ru_stime


def open_accounts(ledger: Ledger, accounts: int) -> None:
    for start in range(1, accounts + 1, batch_events_max):
        stop = min(start + batch_events_max, accounts + 1)
        # No account may go below zero: not a wallet, not the hot merchant refunding.
        limited = int(AccountFlags.history | AccountFlags.debits_must_not_exceed_credits)
        batch = [Account(i, BENCH_LEDGER, BENCH_CODE, flags=limited) for i in range(start, stop)]
        results = ledger.create_accounts(batch)
        if any(results):
            raise RuntimeError(f"benchmark accounts were refused: {set(results)}")
    funding = accounts + 1
    if any(ledger.create_accounts([Account(funding, BENCH_LEDGER, BENCH_CODE)])):
        raise RuntimeError("the benchmark's funding account was refused")
    for start in range(1, accounts + 1, batch_events_max):
        stop = min(start + batch_events_max, accounts + 1)
        opening = [
            Transfer(i, funding, i, opening_balance_minor, BENCH_LEDGER, BENCH_CODE)
            for i in range(start, stop)
        ]
        if any(ledger.create_transfers(opening)):
            raise RuntimeError("the benchmark's opening balances were refused")


def run_mix(
    mix: str,
    *,
    database_url: str,
    accounts: int,
    transfers: int,
    hot_fraction: float,
    in_flight: int,
    seed: int,
    progress: Callable[[int], None] | None = None,
    history: ArchivePolicy | None = None,
) -> MixResult:
    ledger = open_ledger(database_url, clock=SystemClock(), history=history)
    try:
        open_accounts(ledger, accounts)
        ledger.timings = WriteTimings()
        # Made in another process as they are sent, so the figures of memory and CPU are the
        # ledger's, not the workload's (that process's CPU is reported on its own).
        workload = packed_batches(accounts, transfers, hot_fraction, seed, first_id=1 << 64)
        # The first batch before the clock starts, so the clock starts after the process did.
        batches = itertools.chain([next(workload)], workload)
        sizes: list[int] = []
        latencies_s: list[float] = []
        acked_s: list[float] = []  # when each batch was acknowledged, in submission order
        failed = refused = 0
        pending: list[tuple[float, object]] = []
        # At each acknowledgement: the process's CPU so far and the write path's timings.
        marks: list[tuple[float, WriteTimings]] = []
        children_cpu_started = children_cpu_s()
        cpu_started = time.process_time()
        written_started = written_bytes()
        started = time.perf_counter()
        for body in batches:
            sizes.append(len(body) // codec.EVENT_SIZE_BYTES)
            submitted = time.perf_counter()
            pending.append((submitted, ledger.submit_packed_transfers(body)))
            if len(pending) >= in_flight:
                f, r = _settle(pending.pop(0), latencies_s, acked_s)
                marks.append((time.process_time(), copy.copy(ledger.timings)))
                failed, refused = failed + f, refused + r
                if progress:
                    progress(batch_events_max)
        while pending:
            f, r = _settle(pending.pop(0), latencies_s, acked_s)
            marks.append((time.process_time(), copy.copy(ledger.timings)))
            failed, refused = failed + f, refused + r
            if progress:
                progress(batch_events_max)
        elapsed = time.perf_counter() - started
        cpu_s = time.process_time() - cpu_started
        written_now = written_bytes()
        written = (
            None
            if written_now is None or written_started is None
            else written_now - written_started
        )
        workload_cpu_s = children_cpu_s() - children_cpu_started
        timings = ledger.timings
        limits_exact = verify(*ledger.verify_view()).ok
        in_memory = ledger.transfers_in_memory
        archive_runs = ledger.archive_runs
        merges_behind = ledger.archive_merges_behind
    finally:
        ledger.close()
    latencies_s.sort()
    per_batch_ms = 1000 / max(1, timings.batches)
    return MixResult(
        mix=mix,
        accounts=accounts,
        transfers=transfers,
        batches=len(latencies_s),
        seconds=round(elapsed, 3),
        transfers_per_second=round(transfers / elapsed),
        p50_batch_ms=round(statistics.median(latencies_s) * 1000, 2),
        p99_batch_ms=round(_percentile(latencies_s, 0.99) * 1000, 2),
        max_batch_ms=round(latencies_s[-1] * 1000, 2),
        failed_transfers=failed,
        refused_by_limit=refused,
        limits_exact=limits_exact,
        pack_ms_per_batch=round(timings.pack_s * per_batch_ms, 2),
        apply_ms_per_batch=round(timings.apply_s * per_batch_ms, 2),
        commit_ms_per_batch=round(timings.commit_s * per_batch_ms, 2),
        group_commits=timings.commits,
        first_tenth_per_second=tenth_rate(acked_s, sizes, started, first=True),
        last_tenth_per_second=tenth_rate(acked_s, sizes, started, first=False),
        cpu_ms_per_1000_transfers=round(cpu_s * 1e6 / transfers, 2),
        workload_cpu_ms_per_1000_transfers=round(workload_cpu_s * 1e6 / transfers, 2),
        peak_rss_mb=peak_rss_mb(),
        written_mb=None if written is None else round(written / 1e6, 1),
        transfers_in_memory=in_memory,
        archive_runs=archive_runs,
        archive_merges_behind=merges_behind,
        archive_merge_slices_first=timings.archive_merge_slices_first,
        archive_ms_per_batch=round(timings.archive_build_s * per_batch_ms, 2),
        archive_wait_ms_per_batch=round(timings.archive_wait_s * per_batch_ms, 2),
        archive_write_ms_per_batch=round(timings.archive_write_s * per_batch_ms, 2),
        archive_compact_ms_per_batch=round(timings.archive_compact_s * per_batch_ms, 2),
        tenths=tenths(acked_s, sizes, (started, cpu_started, WriteTimings()), marks),
    )


def tenth_rate(acked_s: list[float], sizes: list[int], started: float, *, first: bool) -> float:
    """Transfers/s over the first (or last) tenth of the batches, at least one batch.

    The window runs from the acknowledgement before its first batch (or the start) to the
    acknowledgement of its last batch, so consecutive windows add up to the whole run.
    """
    if len(acked_s) != len(sizes) or not sizes:
        raise ValueError("one acknowledgement time per batch is needed")
    n = max(1, len(sizes) // 10)
    lo, hi = (0, n) if first else (len(sizes) - n, len(sizes))
    window_start = started if lo == 0 else acked_s[lo - 1]
    seconds = acked_s[hi - 1] - window_start
    return round(sum(sizes[lo:hi]) / seconds) if seconds > 0 else 0.0


def tenths(
    acked_s: list[float],
    sizes: list[int],
    start: tuple[float, float, WriteTimings],
    marks: list[tuple[float, WriteTimings]],
) -> list[Tenth]:
    """The run in tenths of its batches (the last takes what ten does not divide), each from
    the acknowledgement before its first batch (or `start`: wall clock, CPU, timings) to its
    last batch's, as `tenth_rate` times them; `marks` holds the CPU and timings at each
    acknowledgement."""
    if not len(acked_s) == len(sizes) == len(marks) or not sizes:
        raise ValueError("one acknowledgement time, CPU and timings per batch are needed")
    n = max(1, len(sizes) // 10)
    bounds = [*range(0, min(len(sizes), n * 10), n), len(sizes)]
    found = []
    for lo, hi in itertools.pairwise(bounds):
        began_s, cpu_before, before = start if lo == 0 else (acked_s[lo - 1], *marks[lo - 1])
        cpu_after, after = marks[hi - 1]
        seconds = acked_s[hi - 1] - began_s
        transfers = sum(sizes[lo:hi])
        ms = functools.partial(_ms_per_batch, before, after)
        found.append(
            Tenth(
                per_second=round(transfers / seconds) if seconds > 0 else 0.0,
                cpu_ms_per_1000_transfers=round((cpu_after - cpu_before) * 1e6 / transfers, 2),
                pack_ms_per_batch=ms("pack_s"),
                apply_ms_per_batch=ms("apply_s"),
                commit_ms_per_batch=ms("commit_s"),
                archive_ms_per_batch=ms("archive_build_s"),
                archive_wait_ms_per_batch=ms("archive_wait_s"),
                archive_write_ms_per_batch=ms("archive_write_s"),
                archive_compact_ms_per_batch=ms("archive_compact_s"),
                archive_merge_slices_first=(
                    after.archive_merge_slices_first - before.archive_merge_slices_first
                ),
            )
        )
    return found


def _ms_per_batch(before: WriteTimings, after: WriteTimings, part: str) -> float:
    """Milliseconds a batch of `part` (a `WriteTimings` field) between two readings."""
    batches = max(1, after.batches - before.batches)
    spent_s = float(getattr(after, part)) - float(getattr(before, part))
    return round(spent_s * 1000 / batches, 2)


def _settle(
    item: tuple[float, object], latencies_s: list[float], acked_s: list[float]
) -> tuple[int, int]:
    """(refused for another reason, refused by a balance limit) in one batch's results."""
    submitted, future = item
    results = future.result()  # type: ignore[attr-defined]
    now = time.perf_counter()
    latencies_s.append(now - submitted)
    acked_s.append(now)
    by_limit = results.count(int(CreateTransferResult.exceeds_credits))
    return sum(1 for r in results if r) - by_limit, by_limit


def _percentile(sorted_values: list[float], q: float) -> float:
    index = min(len(sorted_values) - 1, max(0, round(q * len(sorted_values)) - 1))
    return sorted_values[index]


class Cleanup(Protocol):
    def cleanup(self) -> None: ...


class _TemporaryPostgresDatabase:
    def __init__(self, server_url: str, name: str) -> None:
        self.server_url = server_url
        self.name = name

    def cleanup(self) -> None:
        drop_database(self.server_url, self.name)


def fresh_database_url(database: str | None, mix: str) -> tuple[str, Cleanup | None]:
    """A database URL no one uses yet for one mix, and what to clean up after it.

    With no URL: a new SQLite file in a temporary folder. With a SQLite URL: a new file beside
    it named for the mix (bench.db gives bench-uniform.db); an existing file is refused, never
    overwritten, because a benchmark must not touch anyone's data. With a PostgreSQL URL: a
    new database on that server (colony_bench_uniform_<second>_<random hex>), dropped after; the
    database the URL names is only used to issue CREATE DATABASE.
    """
    if database is None:
        holder = tempfile.TemporaryDirectory(prefix="colony-bench-")
        return f"sqlite:///{holder.name}/bench-{mix}.db", holder
    if is_postgres_url(database):
        url, name = create_fresh_database(database, f"colony_bench_{mix}", now_s=time.time())
        return url, _TemporaryPostgresDatabase(database, name)
    path = sqlite_path(database)
    target = path.with_name(f"{path.stem}-{mix}{path.suffix or '.db'}").resolve()
    if target.exists():
        raise InvalidInput(f"{target} exists: the benchmark needs a fresh database")
    return f"sqlite:///{target}", None


def backend_description(database: str | None) -> dict[str, str]:
    """What the figures were measured on, for the JSON summary and the table title."""
    if database is not None and is_postgres_url(database):
        return {
            "backend": "postgresql",
            "synchronous": "synchronous_commit=on",
            "title": "PostgreSQL, synchronous_commit=on",
        }
    return {"backend": "sqlite", "synchronous": "FULL", "title": "SQLite, WAL, synchronous=FULL"}


def as_dict(result: MixResult) -> dict[str, object]:
    return asdict(result)

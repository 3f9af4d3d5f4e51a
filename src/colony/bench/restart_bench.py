"""The restart benchmark: how long a ledger holding N transfers takes to open, and its memory.

It builds a ledger of N transfers (the ledger benchmark's uniform mix, made one batch at a
time so that the builder holds only the ledger), closes it, and opens it again in a fresh
process. `restart_s` is the time `open_ledger` takes to return: the state is rebuilt (from
the newest checkpoint and the journal after it, or from the whole journal) and the writer
accepts transfers. The builder's clean close writes a checkpoint when its policy says so (the
default does past 100,000 events), so the figure is that of an open after a clean shutdown.
With `crash`, the builder is a process of its own that kills itself (SIGKILL) once its last
batch is acknowledged and the periodic checkpoints it took are written: no clean close, no
checkpoint on the way out, so the figure is that of an open after a crash, from the newest
periodic checkpoint (docs/adr/0117).
The probe then commits one transfer to show that the writer takes it. A fresh process makes
its peak resident memory that of the open alone (plus Python and Colony imported, reported as
`baseline_rss_mb`).
"""

from __future__ import annotations

import json
import os
import signal
import subprocess
import sys
import time
from dataclasses import asdict, dataclass

from colony.bench.ledger_bench import (
    BENCH_CODE,
    BENCH_LEDGER,
    iter_packed_batches,
    open_accounts,
    peak_rss_mb,
)
from colony.kernel.clock import SystemClock
from colony.ledger import Ledger, Transfer
from colony.ledger.store import Operation, read_all
from colony.storage.open import open_journal, open_ledger

# Batches queued at once while building, as in the ledger benchmark.
build_in_flight = 2
# How long the probe process may take to open the ledger and commit one transfer, in seconds.
probe_timeout_s = 3600.0
# The probe's transfer id: far above the benchmark's own ids (which start at 2**64).
probe_transfer_id_base = 1 << 120


@dataclass(frozen=True)
class RestartResult:
    transfers: int  # transfers the journal holds (ok results), the opening balances included
    journal_entries: int
    built: bool  # False: an existing ledger was reused as it was
    crashed: bool  # True: the builder was killed, not closed (no checkpoint on close)
    build_s: float
    restart_s: float
    first_transfer_ms: float  # one transfer, submitted to durable, right after the open
    first_transfer_result: str
    open_peak_rss_mb: float  # the probe process's peak: the open and that one transfer
    baseline_rss_mb: float  # the probe process before the open
    opened_from_checkpoint: int  # the checkpoint's journal seq, 0 for a replay of everything
    replayed_entries: int  # journal entries replayed after it


def journal_is_empty(url: str) -> bool:
    journal = open_journal(url)
    try:
        return not journal.read(0, 1)
    finally:
        journal.close()


def build(url: str, *, accounts: int, transfers: int, seed: int, crash: bool = False) -> float:
    """Fill the ledger behind `url` with `accounts` accounts and `transfers` transfers; with
    `crash`, in a process that is killed once the last batch is acknowledged."""
    started = time.perf_counter()
    if crash:
        args = [url, str(accounts), str(transfers), str(seed)]
        done = subprocess.run(
            [sys.executable, "-m", "colony.bench.restart_bench", "--build-and-crash", *args],
            capture_output=True,
            text=True,
            timeout=probe_timeout_s,
            check=False,
        )
        if done.returncode != -signal.SIGKILL:
            raise RuntimeError(f"the builder did not crash as asked: {done.stderr.strip()[-2000:]}")
        return time.perf_counter() - started
    ledger = open_ledger(url, clock=SystemClock())
    try:
        _fill(ledger, accounts, transfers, seed)
    finally:
        ledger.close()
    return time.perf_counter() - started


def _fill(ledger: Ledger, accounts: int, transfers: int, seed: int) -> None:
    open_accounts(ledger, accounts)
    pending = []
    for body in iter_packed_batches(accounts, transfers, 0.0, seed, first_id=1 << 64):
        pending.append(ledger.submit_packed_transfers(body))
        if len(pending) >= build_in_flight:
            pending.pop(0).result(timeout=probe_timeout_s)
    for future in pending:
        future.result(timeout=probe_timeout_s)


def _build_and_crash(url: str, accounts: int, transfers: int, seed: int) -> None:
    """The crashing builder's process: every batch acknowledged and every checkpoint it took
    written (so the figure does not depend on where a write was when the kill came: a crash
    in one opens from the one before), then SIGKILL, unclosed."""
    ledger = open_ledger(url, clock=SystemClock())
    _fill(ledger, accounts, transfers, seed)
    ledger.checkpoints_written(timeout_s=probe_timeout_s)
    os.kill(os.getpid(), signal.SIGKILL)


def held(url: str) -> tuple[int, int]:
    """(transfers the journal holds, journal entries): every entry read, none applied."""
    journal = open_journal(url)
    transfers = entries = 0
    try:
        for entry in read_all(journal):
            entries += 1
            if entry.operation is Operation.create_transfers:
                transfers += entry.results.count(0)
    finally:
        journal.close()
    return transfers, entries


def measure(
    url: str, *, funding_account: int, built: bool, build_s: float, crashed: bool = False
) -> RestartResult:
    """Open the ledger in a fresh process and time it; then count what it holds."""
    done = subprocess.run(
        [sys.executable, "-m", "colony.bench.restart_bench", url, str(funding_account)],
        capture_output=True,
        text=True,
        timeout=probe_timeout_s,
        check=False,
    )
    if done.returncode != 0:
        raise RuntimeError(f"the restart probe failed: {done.stderr.strip()[-2000:]}")
    probe = json.loads(done.stdout.strip().splitlines()[-1])
    transfers, entries = held(url)
    return RestartResult(
        transfers=transfers,
        journal_entries=entries,
        built=built,
        crashed=crashed,
        build_s=round(build_s, 3),
        **probe,
    )


def probe(url: str, funding_account: int) -> dict[str, object]:
    """What the probe process measures: the open, then one transfer made durable."""
    baseline = peak_rss_mb()
    started = time.perf_counter()
    ledger = open_ledger(url, clock=SystemClock())
    restart_s = time.perf_counter() - started
    opened_from, replayed = ledger.opened_from_checkpoint, ledger.replayed_entries
    try:
        transfer_id = probe_transfer_id_base + time.time_ns()
        started = time.perf_counter()
        (result,) = ledger.create_transfers(
            [Transfer(transfer_id, funding_account, 1, 1, BENCH_LEDGER, BENCH_CODE)]
        )
        first_transfer_ms = (time.perf_counter() - started) * 1000
    finally:
        ledger.close()
    return {
        "restart_s": round(restart_s, 3),
        "first_transfer_ms": round(first_transfer_ms, 2),
        "first_transfer_result": result.name,
        "open_peak_rss_mb": peak_rss_mb(),
        "baseline_rss_mb": baseline,
        "opened_from_checkpoint": opened_from,
        "replayed_entries": replayed,
    }


def as_dict(result: RestartResult) -> dict[str, object]:
    return asdict(result)


if __name__ == "__main__":
    if sys.argv[1] == "--build-and-crash":
        _build_and_crash(sys.argv[2], int(sys.argv[3]), int(sys.argv[4]), int(sys.argv[5]))
    else:
        print(json.dumps(probe(sys.argv[1], int(sys.argv[2]))))

"""Crash safety: a writer killed with SIGKILL at random moments loses nothing it acknowledged.

A child process commits batches and prints an acknowledgement after each one is durable. We
kill it at random points (often in the middle of a commit), reopen the database and check:
every acknowledged batch is there in full; beyond them at most the one batch that was in
flight, and then in full (its commit may have finished before the kill); no batch is partly
there; every balance equals what the batches present say; debits equal credits.
"""

from __future__ import annotations

import random
import signal
import subprocess
import sys
import time
from pathlib import Path

import pytest

from colony.ledger.verify import verify
from colony.storage.open import open_ledger
from tests.ledger import crash_child

# Among the suite's longest files: started first (tests/conftest.py)
pytestmark = pytest.mark.slow

KILL_ROUNDS = 8
SEED = 20261124


def _run_and_kill(url: str, rng: random.Random) -> int:
    """Start the child, let it acknowledge a few batches, SIGKILL it; the last batch acked."""
    child = subprocess.Popen(
        [sys.executable, "-m", "tests.ledger.crash_child", url],
        stdout=subprocess.PIPE,
        text=True,
        cwd=Path(__file__).resolve().parents[2],
    )
    assert child.stdout is not None
    start = child.stdout.readline()
    assert start.startswith("start "), start
    last_ack = int(start.split()[1]) - 1
    for _ in range(rng.randrange(1, 4)):
        line = child.stdout.readline()
        assert line.startswith("ack "), line
        last_ack = int(line.split()[1])
    # Kill somewhere in the next commit (a batch takes tens of milliseconds).
    time.sleep(rng.uniform(0, 0.05))
    child.send_signal(signal.SIGKILL)
    child.wait(timeout=30)
    with child.stdout:
        for line in child.stdout:  # acks printed before the kill still count
            if line.startswith("ack "):
                last_ack = int(line.split()[1])
    return last_ack


def _check(url: str, last_ack: int) -> int:
    ledger = open_ledger(url)
    try:
        present = []
        k = 1
        while True:
            ids = [t.id for t in crash_child.batch(k)]
            found = ledger.lookup_transfers(ids)
            if not found:
                break
            assert len(found) == len(ids), f"batch {k} is only partly there: {len(found)}"
            present.append(k)
            k += 1
        assert present == list(range(1, len(present) + 1))
        assert len(present) >= last_ack, f"acknowledged batch {last_ack} was lost"
        assert len(present) <= last_ack + 1, "a batch beyond the one in flight appeared"
        assert not ledger.lookup_transfers([(len(present) + 2) * 10_000 + 1])

        expected: dict[int, int] = {}
        for k in present:
            for t in crash_child.batch(k):
                expected[t.debit_account_id] = expected.get(t.debit_account_id, 0) - t.amount
                expected[t.credit_account_id] = expected.get(t.credit_account_id, 0) + t.amount
        for account in ledger.lookup_accounts(list(range(1, crash_child.ACCOUNTS + 1))):
            balance = account.credits_posted - account.debits_posted
            assert balance == expected.get(account.id, 0), account
        report = verify(*ledger.snapshot_for_verify())
        assert report.ok, report
        return len(present)
    finally:
        ledger.close()


def test_sigkill_loses_nothing_acknowledged(journal_url: str) -> None:
    url = journal_url
    rng = random.Random(SEED)
    committed = 0
    for _ in range(KILL_ROUNDS):
        last_ack = _run_and_kill(url, rng)
        assert last_ack >= committed
        committed = _check(url, last_ack)
    assert committed >= KILL_ROUNDS  # each round acknowledged at least one batch

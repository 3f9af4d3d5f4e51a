"""Concurrency: many callers at once share batches (group commit) and each gets its own results.

The interleaving is forced, not hoped for: the test holds the ledger's state lock while the
callers submit, so the writer cannot start; when it lets go, everything queued must go out
in a few group commits, each caller must get exactly the results of its own events, and the
money must add up.
"""

from __future__ import annotations

import threading
from concurrent.futures import Future
from pathlib import Path

from colony.kernel.clock import ManualClock
from colony.ledger import Account, AccountFlags, Transfer
from colony.ledger.results import CreateTransferResult as RT
from colony.ledger.service import commit_submissions_max
from colony.ledger.verify import verify
from colony.storage.open import open_ledger

CALLERS = 8
SUBMISSIONS_EACH = 20


def test_queued_submissions_share_commits_and_keep_their_own_results(tmp_path: Path) -> None:
    ledger = open_ledger(f"sqlite:///{tmp_path}/g.db", clock=ManualClock(), auto_pulse=False)
    try:
        wallet = int(AccountFlags.debits_must_not_exceed_credits)
        ledger.create_accounts([Account(1, 1, 1), Account(2, 1, 1, wallet)])
        commits_before = ledger.timings.commits
        futures: dict[tuple[int, int], Future[list[int]]] = {}
        lock = threading.Lock()

        def caller(c: int) -> None:
            for k in range(SUBMISSIONS_EACH):
                base = (c * 1000 + k) * 10
                # Each submission: a deposit into the wallet, then a withdrawal of one more
                # than it holds at most (refused) and one that fits.
                batch = [
                    Transfer(base + 1, 1, 2, 5, 1, 1),
                    Transfer(base + 2, 2, 1, 10**9, 1, 1),
                    Transfer(base + 3, 2, 1, 2, 1, 1),
                ]
                future = ledger.submit_transfers(batch)
                with lock:
                    futures[(c, k)] = future

        # Hold the writer still while every caller queues its submissions.
        with ledger._cond:
            threads = [threading.Thread(target=caller, args=(c,)) for c in range(CALLERS)]
            for t in threads:
                t.start()
            for t in threads:
                t.join()
        results = {key: f.result(timeout=60) for key, f in futures.items()}

        assert len(results) == CALLERS * SUBMISSIONS_EACH
        for r in results.values():
            assert r == [RT.ok, RT.exceeds_credits, RT.ok]
        commits = ledger.timings.commits - commits_before
        submissions = CALLERS * SUBMISSIONS_EACH
        assert commits <= submissions // commit_submissions_max + 2, commits
        wallet_now = ledger.lookup_accounts([2])[0]
        assert wallet_now.credits_posted == 5 * submissions
        assert wallet_now.debits_posted == 2 * submissions
        assert verify(*ledger.snapshot_for_verify()).ok
    finally:
        ledger.close()


def test_readers_never_see_an_unacknowledged_batch(tmp_path: Path) -> None:
    """While batches flow, every reader's view is one where each transfer it sees was part of a
    batch that is durable: balances always equal what the visible transfers say."""
    ledger = open_ledger(f"sqlite:///{tmp_path}/r.db", clock=ManualClock(), auto_pulse=False)
    try:
        ledger.create_accounts([Account(1, 1, 1), Account(2, 1, 1)])
        stop = threading.Event()
        problems: list[str] = []

        def read() -> None:
            while not stop.is_set():
                accounts, transfers, statuses = ledger.snapshot_for_verify()
                report = verify(accounts, transfers, statuses)
                if not report.ok:
                    problems.append(str(report))
                # Entry 1 records the ledger rules, entry 2 opened the accounts; each later one
                # holds 50 transfers. The watermark is read after the snapshot, so it can only
                # have moved on since.
                if len(transfers) > 50 * (ledger.journal_seq - 2):
                    problems.append(f"saw {len(transfers)} transfers, durable {ledger.journal_seq}")

        readers = [threading.Thread(target=read) for _ in range(2)]
        for r in readers:
            r.start()
        pending = [
            ledger.submit_transfers([Transfer(k * 50 + i + 1, 1, 2, 1, 1, 1) for i in range(50)])
            for k in range(200)
        ]
        for f in pending:
            assert f.result(timeout=60) == [0] * 50
        stop.set()
        for r in readers:
            r.join()
        assert not problems, problems[:3]
    finally:
        ledger.close()

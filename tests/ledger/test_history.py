"""Statements and balances at a past time, across many balance checkpoints.

The engine keeps a balance snapshot every 256 lines of an account's history and rebuilds
running balances from the nearest one. Here one busy account gets more than a thousand
changes of every kind (posted, pending, posted in part, voided, expired, and chains taken
back across a snapshot boundary), and every statement line is checked against balances
recomputed naively from the start.
"""

from __future__ import annotations

import random
from pathlib import Path

from colony.kernel.clock import ManualClock
from colony.ledger import AMOUNT_MAX, Account, Ledger, Transfer, TransferFlags
from colony.ledger.history import checkpoint_lines
from colony.storage.open import open_ledger

HOT = 1
OTHERS = range(2, 12)
PENDING = int(TransferFlags.pending)
POST = int(TransferFlags.post_pending_transfer)
VOID = int(TransferFlags.void_pending_transfer)
LINKED = int(TransferFlags.linked)


def _busy_ledger(url: str) -> tuple[Ledger, ManualClock]:
    clock = ManualClock()
    ledger = open_ledger(url, clock=clock, auto_pulse=False)
    ledger.create_accounts([Account(i, 1, 1) for i in (HOT, *OTHERS)])
    rng = random.Random(7)
    next_id = 1000
    holds: list[int] = []
    for _ in range(60):
        batch: list[Transfer] = []
        for _ in range(20):
            next_id += 1
            other = rng.choice(OTHERS)
            roll = rng.random()
            if roll < 0.4:
                batch.append(Transfer(next_id, other, HOT, rng.randrange(1, 500), 1, 1))
            elif roll < 0.6:
                batch.append(Transfer(next_id, HOT, other, rng.randrange(1, 300), 1, 1))
            elif roll < 0.8:
                timeout = rng.choice([0, 1])
                batch.append(
                    Transfer(
                        next_id, other, HOT, rng.randrange(1, 500), 1, 1, PENDING, timeout=timeout
                    )
                )
                holds.append(next_id)
            elif holds:
                pending_id = holds.pop(rng.randrange(len(holds)))
                flags = POST if rng.random() < 0.6 else VOID
                amount = rng.choice([AMOUNT_MAX, 0]) if flags == POST else 0
                if flags == POST and amount == 0:
                    amount = 1  # a partial post of one unit
                batch.append(Transfer(next_id, 0, 0, amount, 0, 0, flags, pending_id=pending_id))
        # A chain that succeeds twice, then fails on its third event: it is taken back.
        next_id += 3
        batch += [
            Transfer(next_id - 2, 2, HOT, 5, 1, 1, LINKED),
            Transfer(next_id - 1, HOT, 3, 5, 1, 1, LINKED),
            Transfer(next_id, HOT, HOT, 5, 1, 1),  # accounts_must_be_different
        ]
        ledger.create_transfers(batch)
        clock.advance(0.6)
    ledger.pulse()
    return ledger, clock


def _naive_running(ledger: Ledger) -> list[tuple[int, tuple[int, int, int, int]]]:
    """Balances after each change to HOT, recomputed from the transfers and expiries alone."""
    changes: list[tuple[int, int, int, int, int]] = []
    transfers = {t.id: t for t in ledger.all_transfers()}
    for t in transfers.values():
        if HOT not in (t.debit_account_id, t.credit_account_id):
            continue
        debit = t.debit_account_id == HOT
        if t.flags & PENDING:
            pending, posted = t.amount, 0
            expired_at = ledger.expired_at(t.id)
            if expired_at is not None:
                held = (-t.amount, 0, 0, 0) if debit else (0, 0, -t.amount, 0)
                changes.append((expired_at, *held))
        elif t.flags & (POST | VOID):
            pending = -transfers[t.pending_id].amount
            posted = t.amount if t.flags & POST else 0
        else:
            pending, posted = 0, t.amount
        delta = (pending, posted, 0, 0) if debit else (0, 0, pending, posted)
        changes.append((t.timestamp, *delta))
    changes.sort()
    running = [0, 0, 0, 0]
    out = []
    for timestamp, *delta in changes:
        running = [a + b for a, b in zip(running, delta, strict=True)]
        out.append((timestamp, (running[0], running[1], running[2], running[3])))
    return out


def test_statement_pages_match_naive_recomputation(tmp_path: Path) -> None:
    ledger, _ = _busy_ledger(f"sqlite:///{tmp_path}/h.db")
    try:
        expected = _naive_running(ledger)
        assert len(expected) > 4 * checkpoint_lines
        seen = []
        cursor = 0
        while True:
            page = ledger.statement(HOT, after_timestamp=cursor, limit=97)
            seen += [
                (
                    line.timestamp,
                    (
                        line.balance.debits_pending,
                        line.balance.debits_posted,
                        line.balance.credits_pending,
                        line.balance.credits_posted,
                    ),
                )
                for line in page.lines
            ]
            if page.next_cursor is None:
                break
            cursor = page.next_cursor
        assert seen == expected
        hot = ledger.lookup_accounts([HOT])[0]
        assert seen[-1][1] == (
            hot.debits_pending,
            hot.debits_posted,
            hot.credits_pending,
            hot.credits_posted,
        )
        newest = ledger.statement(HOT, limit=5, reverse=True)
        assert [line.timestamp for line in newest.lines] == [t for t, _ in expected[-5:]][::-1]
    finally:
        ledger.close()


def test_balance_at_past_times(tmp_path: Path) -> None:
    ledger, _ = _busy_ledger(f"sqlite:///{tmp_path}/h.db")
    try:
        expected = _naive_running(ledger)
        for index in (0, 1, 255, 256, 257, 511, 700, len(expected) - 1):
            timestamp, balances = expected[index]
            at = ledger.balance_at(HOT, timestamp)
            assert at is not None
            assert (
                at.debits_pending,
                at.debits_posted,
                at.credits_pending,
                at.credits_posted,
            ) == balances
            # Between two changes the balance is the earlier one's.
            if index + 1 < len(expected) and expected[index + 1][0] > timestamp + 1:
                later = ledger.balance_at(HOT, timestamp + 1)
                assert later is not None and later.debits_posted == balances[1]
        account = ledger.lookup_accounts([HOT])[0]
        assert ledger.balance_at(HOT, account.timestamp - 1) is None
        zero = ledger.balance_at(HOT, account.timestamp)
        assert zero is not None and zero.credits_posted == 0
    finally:
        ledger.close()


def test_history_survives_reopen(journal_url: str) -> None:
    ledger, clock = _busy_ledger(journal_url)
    before = ledger.statement(HOT, limit=8190)
    ledger.close()
    again = open_ledger(journal_url, clock=clock, auto_pulse=False)
    try:
        assert again.statement(HOT, limit=8190) == before
    finally:
        again.close()


def test_chain_taken_back_across_a_checkpoint(tmp_path: Path) -> None:
    """Lines 255-257 of an account come from a chain that fails: the snapshot taken at line
    256 (which counted line 255) must go with them, or later balances are wrong."""
    clock = ManualClock()
    ledger = open_ledger(f"sqlite:///{tmp_path}/c.db", clock=clock, auto_pulse=False)
    try:
        ledger.create_accounts([Account(i, 1, 1) for i in (HOT, 2, 3)])
        filler = [Transfer(10_000 + i, 2, HOT, 1, 1, 1) for i in range(checkpoint_lines - 1)]
        assert not any(ledger.create_transfers(filler))
        chain = [
            Transfer(20_001, 2, HOT, 1_000, 1, 1, LINKED),
            Transfer(20_002, 2, HOT, 1_000, 1, 1, LINKED),
            Transfer(20_003, 2, HOT, 1_000, 1, 1, LINKED),
            Transfer(20_004, 3, 3, 1, 1, 1),  # accounts_must_be_different: the chain fails
        ]
        assert [r.name for r in ledger.create_transfers(chain)][-1] == "accounts_must_be_different"
        after = [Transfer(30_000 + i, 2, HOT, 2, 1, 1) for i in range(checkpoint_lines + 10)]
        assert not any(ledger.create_transfers(after))
        expected = _naive_running(ledger)
        page = ledger.statement(HOT, limit=8190)
        assert [(line.timestamp, line.balance.credits_posted) for line in page.lines] == [
            (t, b[3]) for t, b in expected
        ]
        assert page.lines[-1].balance.credits_posted == (checkpoint_lines - 1) + 2 * (
            checkpoint_lines + 10
        )
    finally:
        ledger.close()

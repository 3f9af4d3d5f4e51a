"""A deterministic workload that leaves every kind of ledger state behind, for checkpoint tests.

Round k of `run` uses ids and amounts drawn from a generator seeded with k, so the tests and the
crash child (checkpoint_crash_child.py) make the same journal. Its batches hold plain transfers,
transfers refused by a balance limit (failed ids), pending transfers with and without a
timeout, posts and voids of earlier ones, linked chains that fail (rolled back), and pulses
after the clock moved past deadlines (expiries). Six accounts take hundreds of lines each, so
account histories carry balance snapshots too.
"""

from __future__ import annotations

import random
from dataclasses import asdict

from colony.kernel.clock import ManualClock
from colony.ledger import Account, Ledger, Transfer
from colony.ledger.history import Expiry
from colony.ledger.model import AccountFlags as AF
from colony.ledger.model import TransferFlags as TF

ACCOUNTS = 6
LEDGER = 1
TRANSFERS_PER_ROUND = 400


def start(ledger: Ledger) -> None:
    """The chart: a funding account, wallets with a limit, and accounts with history."""
    limited = int(AF.debits_must_not_exceed_credits | AF.history)
    chart = [Account(1, LEDGER, 1)] + [
        Account(i, LEDGER, 1, limited if i % 2 else int(AF.history)) for i in range(2, ACCOUNTS + 1)
    ]
    assert not any(ledger.create_accounts(chart))
    funding = [Transfer(10 + i, 1, i, 5_000, LEDGER, 1) for i in range(2, ACCOUNTS + 1)]
    assert not any(ledger.create_transfers(funding))


def run(ledger: Ledger, clock: ManualClock, rounds: range) -> None:
    for k in rounds:
        rng = random.Random(k)
        base = 1_000_000 * (k + 1)
        batch: list[Transfer] = []
        for i in range(TRANSFERS_PER_ROUND):
            debit = rng.randrange(1, ACCOUNTS + 1)
            credit = debit % ACCOUNTS + 1
            kind = rng.randrange(10)
            tid = base + i
            if kind < 6:  # plain, now and then past a payer's limit
                batch.append(Transfer(tid, debit, credit, rng.randrange(1, 400), LEDGER, 1))
            elif kind < 8:  # a hold, half of them timing out
                timeout = rng.choice([0, 1, 5])
                batch.append(
                    Transfer(tid, debit, credit, 3, LEDGER, 1, flags=TF.pending, timeout=timeout)
                )
            elif kind == 8 and k > 0:  # post or void a hold of the round before
                pending_id = 1_000_000 * k + rng.randrange(TRANSFERS_PER_ROUND)
                flag = TF.post_pending_transfer if rng.randrange(2) else TF.void_pending_transfer
                batch.append(Transfer(tid, 0, 0, 0, 0, 0, flags=flag, pending_id=pending_id))
            else:  # a linked chain whose second leg fails: both are taken back
                batch.append(Transfer(tid, debit, credit, 1, LEDGER, 1, flags=TF.linked))
                batch.append(Transfer(tid + 500, debit, 99, 1, LEDGER, 1))
        ledger.create_transfers(batch)
        clock.advance(2)
        ledger.pulse()


def fingerprint(ledger: Ledger) -> tuple[object, ...]:
    """Everything the ledger holds, histories and balance snapshots included, in order."""
    with ledger._durable_view():  # type: ignore[attr-defined]
        s = ledger._state  # type: ignore[attr-defined]
        histories = {
            a.id: (
                [
                    ("expiry", line.transfer.id, line.timestamp)
                    if isinstance(line, Expiry)
                    else ("transfer", line.id, line.timestamp)
                    for line in a.lines
                ],
                list(a.checkpoints),
            )
            for a in s.accounts.values()
        }
        return (
            [asdict(a) for a in s.accounts.values()],
            [asdict(t) for t in s.transfers.values()],
            list(s.pending_status.items()),
            list(s.expiries),
            list(s.failed_transfer_ids.items()),
            list(s.expired.items()),
            s.last_timestamp,
            s.last_transfer_timestamp,
            list(s.account_timestamps),
            s.rules,
            histories,
        )

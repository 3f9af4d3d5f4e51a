"""Concurrency: many payers at once can never push a wallet past its caps or below zero.

Eight threads send money out of the same wallet, and into the same nearly-full wallet, at
the same time. The caps hold because they are ledger rules inside each payment's chain, not
checks in the caller: whatever the interleaving, the money that left equals the successful
payments, never passes the daily cap, and the books balance.
"""

from __future__ import annotations

import threading
from pathlib import Path

from colony.ledger.verify import verify
from colony.wallets.model import DEFAULT_LIMITS, Tier
from colony.wallets.results import WalletResult as W
from tests.wallets.test_wallets import World

THREADS = 8
PAYMENTS_EACH = 15
AMOUNT = 1_000
CAP = DEFAULT_LIMITS[Tier.phone_only]
PAYER = "+6590000001"
RECEIVERS = [f"+659100000{i}" for i in range(THREADS)]


def test_concurrent_payments_never_break_a_cap(tmp_path: Path) -> None:
    w = World(f"sqlite:///{tmp_path}/colony.db")
    try:
        for phone in [PAYER, *RECEIVERS]:
            assert w.service.open_wallet(phone, "P", "SGD")[0] is W.ok
        assert w.service.cash_in(PAYER, "SGD", 150_000).result is W.ok
        outcomes: list[W] = []
        lock = threading.Lock()
        start = threading.Barrier(THREADS)

        def pay(receiver: str) -> None:
            start.wait()
            for _ in range(PAYMENTS_EACH):
                result = w.service.p2p(PAYER, receiver, "SGD", AMOUNT).result
                with lock:
                    outcomes.append(result)

        threads = [threading.Thread(target=pay, args=(r,)) for r in RECEIVERS]
        for t in threads:
            t.start()
        for t in threads:
            t.join()

        ok = outcomes.count(W.ok)
        assert ok == CAP.daily_outflow_cap_minor // AMOUNT  # exactly up to the cap, no further
        assert set(outcomes) == {W.ok, W.daily_outflow_cap_exceeded}
        assert w.balance(PAYER) == 150_001 - ok * AMOUNT
        assert sum(w.balance(r) for r in RECEIVERS) == len(RECEIVERS) + ok * AMOUNT
        assert verify(*w.ledger.snapshot_for_verify()).ok
    finally:
        w.close()

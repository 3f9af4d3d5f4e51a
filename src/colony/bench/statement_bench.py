"""The cost of one product-store statement: an indexed read through a store's `Tables` session.

Every product record read or written pays this overhead (a lock, a cursor, the row mapping)
on top of the database's own work, so it is measured apart from the ledger and the HTTP
layer: a wallet store holding `wallets` wallets answers `statements` one-wallet pages (`all`
after a random id, which the store's record cache never answers), in a tight loop on one
thread, and the figures are wall-clock and process-CPU microseconds per statement.
"""

from __future__ import annotations

import random
import time
from dataclasses import asdict, dataclass

from colony.wallets import Tier, Wallet, open_wallet_store

wallets_default = 1_000
statements_default = 20_000


@dataclass(frozen=True)
class StatementResult:
    backend: str
    wallets: int
    statements: int
    wall_us_per_statement: float
    cpu_us_per_statement: float


def run(url: str, backend: str, *, wallets: int, statements: int, seed: int) -> StatementResult:
    store = open_wallet_store(url)
    try:
        ids = [f"wal_{n:032x}" for n in range(1, wallets + 1)]
        for n, wallet_id in enumerate(ids, start=1):
            store.insert(
                Wallet(wallet_id, f"+6590{n:06d}", f"Bench {n}", "SGD", 702, Tier.phone_only, n, n)
            )
        # A page after any id but the last holds exactly one wallet.
        order = random.Random(seed).choices(ids[:-1], k=statements)
        store.all(order[0], 1)  # warm: the first statement prepares and caches the query
        wall_0, cpu_0 = time.perf_counter(), time.process_time()
        for wallet_id in order:
            if len(store.all(wallet_id, 1)) != 1:
                raise RuntimeError(f"the wallet after {wallet_id} vanished during the benchmark")
        wall_s, cpu_s = time.perf_counter() - wall_0, time.process_time() - cpu_0
    finally:
        store.close()
    return StatementResult(
        backend, wallets, statements, wall_s * 1e6 / statements, cpu_s * 1e6 / statements
    )


def as_dict(result: StatementResult) -> dict[str, object]:
    return asdict(result)

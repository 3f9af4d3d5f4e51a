"""Credit decisions on a market of real size (`colony bench credit`, docs/adr/0046): for
wallets chosen at random (seeded), the decision a person's request makes (their history read
from the ledger, the score with its reasons, the limit from its band), timed one at a time;
then what recording a score in the history costs, on a fresh SQLite file beside it.

The decisions are made as of the end of the market's history (the newest movement of the
wallets chosen), so each reads a full window. Figures, never a pass or fail.
"""

from __future__ import annotations

import random
import statistics
import time
from dataclasses import dataclass
from pathlib import Path

from colony.bench.api_load import percentile
from colony.credit import Model, ScoreRecord, Subject, decide_person, open_score_store
from colony.ledger import LedgerPort
from colony.wallets import Wallet, WalletStore

# Wallets read from the store a page at a time, and the most the sample is drawn from.
wallet_page = 1_000
wallets_read_max = 1_000_000


@dataclass(frozen=True)
class CreditFigures:
    decisions: int
    wallets: int  # the sample was drawn from these
    p50_ms: float
    p99_ms: float
    max_ms: float
    cpu_ms_per_decision: float
    lines_per_decision: float  # statement lines the characteristics were computed from
    record_p50_ms: float
    record_p99_ms: float

    def as_json(self) -> dict[str, object]:
        return {k: getattr(self, k) for k in self.__dataclass_fields__}


def _wallets(store: WalletStore) -> list[Wallet]:
    found: list[Wallet] = []
    after = ""
    while len(found) < wallets_read_max:
        page = store.all(after, wallet_page)
        if not page:
            break
        found.extend(page)
        after = page[-1].id
    return found


def measure(
    ledger: LedgerPort, store: WalletStore, model: Model, decisions: int, seed: int, folder: Path
) -> CreditFigures:
    every = _wallets(store)
    chosen = random.Random(seed).choices(every, k=decisions)
    newest = [ledger.statement(w.account_id, reverse=True, limit=1).lines for w in chosen]
    as_of = max((lines[0].timestamp for lines in newest if lines), default=0) + 1
    decide_person(model, ledger, chosen[0], as_of)  # warm: caches, the first import
    wall_ms = []
    cpu_started = time.process_time()
    for wallet in chosen:
        started = time.perf_counter()
        decide_person(model, ledger, wallet, as_of)
        wall_ms.append((time.perf_counter() - started) * 1_000)
    cpu_ms = (time.process_time() - cpu_started) * 1_000
    read = sum(
        len(ledger.statement(w.account_id, before_timestamp=as_of, reverse=True, limit=500).lines)
        for w in chosen[:100]
    )
    record_ms = _recording(folder, decisions)
    wall_ms.sort()
    record_ms.sort()
    return CreditFigures(
        decisions,
        len(every),
        round(statistics.median(wall_ms), 3),
        round(percentile(wall_ms, 0.99), 3),
        round(wall_ms[-1], 3),
        round(cpu_ms / decisions, 3),
        round(read / min(100, decisions), 1),
        round(statistics.median(record_ms), 3),
        round(percentile(record_ms, 0.99), 3),
    )


def _recording(folder: Path, count: int) -> list[float]:
    """Recording a score in a fresh history table (one durable commit each, SQLite FULL)."""
    store = open_score_store(f"sqlite:///{folder / 'scores.db'}")
    timed = []
    try:
        for i in range(count):
            record = ScoreRecord(
                f"csc_{i:032x}", Subject.person, f"wal_{i % 97:032x}", i, "sc-bench", 600,
                (), "C", 10_000, "SGD", None, "wallet",
            )  # fmt: skip
            started = time.perf_counter()
            store.add_score(record)
            timed.append((time.perf_counter() - started) * 1_000)
    finally:
        store.close()
    return timed

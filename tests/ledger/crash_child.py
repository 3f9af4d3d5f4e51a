"""The process the crash test kills: it commits batches and acknowledges each one on stdout.

Batch k holds transfers with ids k * 10_000 + i between accounts chosen by a generator seeded
with k, so the parent can recompute exactly what each batch did. On start it carries on after
the highest batch already in the ledger.
"""

from __future__ import annotations

import random
import sys

from colony.ledger import Account, Transfer
from colony.storage.open import open_ledger

ACCOUNTS = 50
TRANSFERS_PER_BATCH = 2_000
LEDGER = 1


def batch(k: int) -> list[Transfer]:
    rng = random.Random(k)
    out = []
    for i in range(TRANSFERS_PER_BATCH):
        debit = rng.randrange(ACCOUNTS) + 1
        credit = (debit + rng.randrange(ACCOUNTS - 1)) % ACCOUNTS + 1
        out.append(Transfer(k * 10_000 + i + 1, debit, credit, rng.randrange(1, 1000), LEDGER, 1))
    return out


def first_missing_batch(ledger: object) -> int:
    k = 1
    while ledger.lookup_transfers([k * 10_000 + 1]):  # type: ignore[attr-defined]
        k += 1
    return k


def main(url: str) -> None:
    ledger = open_ledger(url)
    results = ledger.create_accounts([Account(i, LEDGER, 1) for i in range(1, ACCOUNTS + 1)])
    assert all(r.name in ("ok", "exists") for r in results), results
    k = first_missing_batch(ledger)
    print(f"start {k}", flush=True)
    while True:
        results = ledger.create_transfers(batch(k))
        assert not any(results), set(results)
        print(f"ack {k}", flush=True)
        k += 1


if __name__ == "__main__":
    main(sys.argv[1])

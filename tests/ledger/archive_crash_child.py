"""The process the archive crash test kills: it dies with SIGKILL in the middle of writing a
job of posted history to disk, after batches were acknowledged and earlier jobs written.

It prints `acked SEQ` for the last durable journal entry before each round, and kills itself
inside the transaction of its `jobs_before_kill`-th archive write (rows written, not committed).
"""

from __future__ import annotations

import os
import signal
import sys

from colony.kernel.clock import ManualClock
from colony.ledger.archive import ArchivePolicy
from colony.storage import ledger_archive
from colony.storage.open import open_ledger
from colony.storage.tables import Session
from tests.ledger import checkpoint_workload
from tests.ledger.checkpoint_crash_child import ONLY_WHEN_ASKED

TINY = ArchivePolicy(window_transfers=50, chunk_transfers=100, filter_bits=1 << 12)


def main(url: str, jobs_before_kill: int) -> None:
    written = 0
    set_mark = ledger_archive._set_mark

    def mark_then_die(s: Session, timestamp: int) -> None:
        nonlocal written
        written += 1
        if written == jobs_before_kill:
            os.kill(os.getpid(), signal.SIGKILL)  # the job's rows are in, not committed
        set_mark(s, timestamp)

    ledger_archive._set_mark = mark_then_die  # type: ignore[assignment]
    clock = ManualClock()
    ledger = open_ledger(
        url, clock=clock, auto_pulse=False, checkpoints=ONLY_WHEN_ASKED, history=TINY
    )
    checkpoint_workload.start(ledger)
    checkpoint_workload.run(ledger, clock, range(2))
    print(f"checkpoint {ledger.checkpoint().seq}", flush=True)
    for k in range(2, 12):
        print(f"acked {ledger.journal_seq}", flush=True)
        checkpoint_workload.run(ledger, clock, range(k, k + 1))
    print("survived", flush=True)


if __name__ == "__main__":
    main(sys.argv[1], int(sys.argv[2]))

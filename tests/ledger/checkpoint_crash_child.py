"""The process the checkpoint crash test kills: it dies with SIGKILL in the middle of writing a
checkpoint, after a good one was written and more batches were acknowledged.

It prints `checkpoint SEQ` for the good checkpoint, `acked SEQ` for the last durable journal
entry, then `writing` and kills itself once `parts_before_kill` parts of the next checkpoint
have gone to storage (the store is mid-file on SQLite, mid-transaction on PostgreSQL).
"""

from __future__ import annotations

import os
import signal
import sys
from collections.abc import Iterator

from colony.kernel.clock import ManualClock
from colony.ledger import checkpoint
from colony.ledger.checkpoint import CheckpointPolicy
from colony.storage.open import open_ledger
from tests.ledger import checkpoint_workload

ONLY_WHEN_ASKED = CheckpointPolicy(every_events=0, every_s=0, on_close_events_min=0)


class _DiesMidWrite(list[checkpoint.Piece]):
    def __init__(self, parts: list[checkpoint.Piece], parts_before_kill: int) -> None:
        super().__init__(parts)
        self._before_kill = parts_before_kill

    def __iter__(self) -> Iterator[checkpoint.Piece]:
        for index, part in enumerate(super().__iter__()):
            if index == self._before_kill:
                os.kill(os.getpid(), signal.SIGKILL)
            yield part


def main(url: str, parts_before_kill: int) -> None:
    clock = ManualClock()
    ledger = open_ledger(url, clock=clock, auto_pulse=False, checkpoints=ONLY_WHEN_ASKED)
    checkpoint_workload.start(ledger)
    checkpoint_workload.run(ledger, clock, range(3))
    print(f"checkpoint {ledger.checkpoint().seq}", flush=True)
    checkpoint_workload.run(ledger, clock, range(3, 5))
    print(f"acked {ledger.journal_seq}", flush=True)
    finish = checkpoint.finish

    def finish_then_die(taken: checkpoint.Taken) -> list[checkpoint.Piece]:
        return _DiesMidWrite(finish(taken), parts_before_kill)

    checkpoint.finish = finish_then_die  # type: ignore[assignment]
    print("writing", flush=True)
    ledger.checkpoint()
    print("survived", flush=True)


if __name__ == "__main__":
    main(sys.argv[1], int(sys.argv[2]))

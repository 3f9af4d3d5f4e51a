"""Stored answers to Idempotency-Keys are kept for a while, not for ever (docs/adr/0080).

Every POST but a QR payment (whose record is its answer, docs/adr/0033) keeps its answer
under its key, so that a retry replays it. A retry comes within seconds or hours; a table
that keeps every answer of every transfer, top-up and refund for years only grows. The
ledger's writer forgets answers older than `answer_retention_s`, a bounded batch at a time.
Money is safe past that: a route that moves money takes its transfer id from the key, so a
retry after its answer is forgotten meets the ledger's own idempotency, never a second move.
"""

from __future__ import annotations

import logging
import threading
from collections.abc import Callable

from colony.api.records import ApiStore
from colony.kernel.clock import NS_PER_S, Clock

# How long a stored answer replays, in seconds: thirty days.
answer_retention_s = 30 * 86_400
# Seconds between two sweeps of the writer.
sweep_interval_s = 60
# Answers forgotten by one statement, and statements in one sweep: at most 100,000 a sweep,
# each statement a short write, so that payments never wait long behind one.
sweep_batch_rows_max = 1_000
sweep_batches_max = 100
# How long stopping waits for a sweep under way, in seconds: the sweep stops after the
# statement it is running, one short DELETE of an index's oldest rows (SQLite gives up waiting
# for its lock after 30 s).
sweep_stop_timeout_s = 40

_log = logging.getLogger(__name__)


def sweep(
    store: ApiStore,
    clock: Clock,
    retention_s: int = answer_retention_s,
    stop: threading.Event | None = None,
) -> int:
    """Forget the answers stored more than `retention_s` ago, in batches, up to
    `sweep_batches_max` of them, or until `stop` is set; how many were forgotten."""
    before_ns = clock.now_ns() - retention_s * NS_PER_S
    forgotten = 0
    for _ in range(sweep_batches_max):
        gone = store.forget_answers_before(before_ns, sweep_batch_rows_max)
        forgotten += gone
        if gone < sweep_batch_rows_max or (stop is not None and stop.is_set()):
            break
    return forgotten


def sweep_in_background(
    store: ApiStore, clock: Clock, interval_s: float = sweep_interval_s
) -> Callable[[], None]:
    """Sweep every `interval_s` seconds on a thread of its own (the first after one interval);
    returns how to stop it. A sweep that fails (a locked database) is tried at the next."""
    stop = threading.Event()

    def loop() -> None:
        while not stop.wait(interval_s):
            try:
                sweep(store, clock, stop=stop)
            except Exception:  # an answer kept a minute longer is no harm
                _log.exception("forgetting old Idempotency-Key answers failed; trying again")

    thread = threading.Thread(target=loop, name="colony-answer-retention", daemon=True)
    thread.start()

    def stop_sweeping() -> None:
        stop.set()
        thread.join(timeout=sweep_stop_timeout_s)
        if thread.is_alive():
            _log.warning(
                "a sweep of old answers outlived %s s of waiting for it", sweep_stop_timeout_s
            )

    return stop_sweeping

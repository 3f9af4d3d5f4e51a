"""Group commit: writes from many request threads share one SQLite transaction.

Every table store writes to the same database file as the ledger's journal, and SQLite lets
one writer in at a time, each commit paying an fsync (synchronous=FULL). A commit per write
would queue every request behind the journal's commits. Instead the first caller to find no
write in progress writes everything queued so far in one transaction, and again while more
arrived meanwhile; the others wait for the commit holding theirs. Each caller returns only
once its write is durable.
"""

from __future__ import annotations

import sqlite3
import threading
from collections.abc import Callable, Sequence
from concurrent.futures import Future
from typing import Generic, TypeVar

T = TypeVar("T")
R = TypeVar("R")


class GroupCommit(Generic[T, R]):
    def __init__(
        self,
        db: sqlite3.Connection,
        db_lock: threading.Lock,
        write: Callable[[sqlite3.Connection, Sequence[T]], Sequence[R]],
    ) -> None:
        """`write` runs inside the transaction and gives one result per item, in order;
        `db_lock` is the lock the store holds around every use of `db`."""
        self._db = db
        self._db_lock = db_lock
        self._write = write
        self._lock = threading.Lock()
        self._queued: list[tuple[T, Future[R]]] = []
        self._writing = False

    def submit(self, item: T) -> R:
        """Write `item` durably, with whatever else is queued; its result once committed."""
        done: Future[R] = Future()
        with self._lock:
            self._queued.append((item, done))
            lead = not self._writing
            self._writing = True
        if lead:
            self._drain()
        return done.result()

    def _drain(self) -> None:
        while True:
            with self._lock:
                batch, self._queued = self._queued, []
                if not batch:
                    self._writing = False
                    return
            try:
                with self._db_lock:
                    self._db.execute("BEGIN IMMEDIATE")
                    try:
                        results = self._write(self._db, [item for item, _ in batch])
                        self._db.execute("COMMIT")
                    except BaseException:
                        self._db.execute("ROLLBACK")
                        raise
            except BaseException as exc:
                for _, done in batch:
                    done.set_exception(exc)
            else:
                for (_, done), result in zip(batch, results, strict=True):
                    done.set_result(result)

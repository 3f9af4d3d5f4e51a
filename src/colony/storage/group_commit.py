"""Group commit: writes from many request threads share one transaction.

Every commit pays an fsync (SQLite's synchronous=FULL, PostgreSQL's synchronous_commit), and
on SQLite the table stores write to the same file as the ledger's journal, one writer at a
time. A commit per write would queue every request behind the others' commits. Instead the
first caller to find no write in progress writes everything queued so far in one transaction,
then hands the next commit to the first caller that queued meanwhile; the others wait for the
commit holding theirs. Each caller returns only once its write is durable.

A commit refused for one item's data (`UnstorableInput`: an integer past its column, a NUL
in PostgreSQL's text) is retried one item at a time, so the honest items commit and only
the bad one gets the error: one caller's bad input never fails its neighbours. A commit that
fails for any other reason (storage unavailable, a bug) fails every item in it, once: a
retry per item would only multiply the wait for an outage.

A caller that must not block (an event loop) submits with `submit_later` and gets a future;
a commit whose lead falls to such a caller is made on the group's own thread instead, so
blocking callers and awaiting ones share the same commits. That thread writes what is
queued when it wakes: an event loop's items come together, since payments are gathered at
the gate (api/gather.py); a wait for company there only held them back (ADR 0098).
"""

from __future__ import annotations

import queue
import threading
from collections.abc import Callable, Sequence
from concurrent.futures import Future
from dataclasses import dataclass
from typing import Generic, TypeVar, cast

from colony.kernel import lock_order
from colony.kernel.errors import UnstorableInput
from colony.kernel.promise import Promise

T = TypeVar("T")
R = TypeVar("R")


@dataclass(slots=True, eq=False)
class _Entry(Generic[T, R]):
    item: T
    # A blocking caller's: written, or its turn to lead. None for a `submit_later` caller,
    # which is never signalled (one promise fewer a payment).
    signal: Future[None] | None = None
    lead: bool = False
    result: R | None = None
    error: BaseException | None = None
    later: Future[R] | None = None  # a `submit_later` caller's: resolved, never signalled


class GroupCommit(Generic[T, R]):
    def __init__(self, commit: Callable[[Sequence[T]], Sequence[R]]) -> None:
        """`commit` writes the items in one durable transaction (everything or nothing) and
        gives one result per item, in order."""
        self._commit = commit
        self._lock = lock_order.lock("group commit queue")
        self._queued: list[_Entry[T, R]] = []
        self._writing = False
        # The group's own thread, started by the first commit no blocking caller can lead.
        self._leads: queue.SimpleQueue[None] | None = None

    def submit(self, item: T) -> R:
        """Write `item` durably, with whatever else is queued; its result once committed."""
        entry: _Entry[T, R] = _Entry(item, Promise())
        with self._lock:
            self._queued.append(entry)
            entry.lead = not self._writing
            self._writing = True
        if not entry.lead:
            assert entry.signal is not None
            entry.signal.result()
        if entry.lead:
            self._commit_queued(entry)
        if entry.error is not None:
            raise entry.error
        return cast(R, entry.result)

    def submit_later(self, item: T) -> Future[R]:
        """Queue `item` without waiting: the future gives its result once it is durable (or
        the error). The commit is made by a blocking caller leading one, or by the group's
        own thread, never by the caller of this method."""
        later: Promise[R] = Promise()
        entry: _Entry[T, R] = _Entry(item, later=later)
        with self._lock:
            self._queued.append(entry)
            lead = not self._writing
            self._writing = True
        if lead:
            self._lead_on_own_thread()
        return later

    def _lead_on_own_thread(self) -> None:
        if self._leads is None:
            self._leads = queue.SimpleQueue()
            leads = self._leads
            threading.Thread(
                target=self._run_leads, args=(leads,), name="group-commit", daemon=True
            ).start()
        self._leads.put(None)

    def _run_leads(self, leads: queue.SimpleQueue[None]) -> None:
        while True:
            leads.get()
            self._commit_queued(None)

    def _commit_queued(self, leader: _Entry[T, R] | None) -> None:
        """Commit everything queued (the leader's own item among it), then hand the lead to
        the first caller queued meanwhile: a leader that kept writing while others arrive
        would wait for its own answer as long as the stream lasts."""
        with self._lock:
            batch, self._queued = self._queued, []
        try:
            results = self._commit([entry.item for entry in batch])
        except UnstorableInput as exc:
            if len(batch) == 1:
                batch[0].error = exc
            else:
                self._commit_each(batch)
        except BaseException as exc:
            for entry in batch:
                entry.error = exc
        else:
            for entry, result in zip(batch, results, strict=True):
                entry.result = result
        for entry in batch:
            if entry.later is not None:
                if entry.error is not None:
                    entry.later.set_exception(entry.error)
                else:
                    entry.later.set_result(cast(R, entry.result))
        on_own_thread = False
        with self._lock:
            for entry in batch:
                if entry is not leader and entry.signal is not None:
                    entry.signal.set_result(None)
            if not self._queued:
                self._writing = False
            elif (following := self._queued[0]).signal is not None:
                following.lead = True
                following.signal.set_result(None)
            else:
                on_own_thread = True
        if on_own_thread:
            self._lead_on_own_thread()

    def _commit_each(self, batch: list[_Entry[T, R]]) -> None:
        """Commit each item of a batch refused for some item's data in its own transaction:
        each gets its own result or its own error."""
        for entry in batch:
            try:
                (entry.result,) = self._commit([entry.item])
            except BaseException as exc:
                entry.error = exc

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
blocking callers and awaiting ones share the same commits. That thread may wait a moment
(`linger_s`) for more items before it writes, unless a caller is blocked on its item; by
default it does not (`commit_linger_s`).
"""

from __future__ import annotations

import queue
import threading
from collections.abc import Callable, Sequence
from concurrent.futures import Future
from dataclasses import dataclass
from typing import Any, Generic, TypeVar, cast

from colony.kernel.errors import UnstorableInput
from colony.kernel.promise import Promise

T = TypeVar("T")
R = TypeVar("R")

# How long the group's own thread, woken to lead a commit, waits for more items to join it
# before writing, in seconds; not at all once `commit_linger_items_max` are queued, and it ends
# the wait as soon as a caller blocks on its item (`submit`, or a thread waiting
# on a `submit_later` promise). By default none: a wait of 2 ms (ADR 0071) paid when an event
# loop submitted each payment's record the moment the payment got there; since payments are
# gathered at the gate (api/gather.py), a gathering's records come in one turn of the loop,
# and the wait only held them back, 2-3 ms of every payment's median at 1,000-1,500
# payments/s for no CPU saved (ADR 0098). A group of many lone callers may still set one.
commit_linger_s = 0.0
commit_linger_items_max = 16


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
    def __init__(
        self, commit: Callable[[Sequence[T]], Sequence[R]], *, linger_s: float = commit_linger_s
    ) -> None:
        """`commit` writes the items in one durable transaction (everything or nothing) and
        gives one result per item, in order. `linger_s`: how long the group's own thread
        waits for company before it writes (`commit_linger_s`)."""
        self._commit = commit
        self._linger_s = linger_s
        self._lock = threading.Lock()
        self._queued: list[_Entry[T, R]] = []
        self._writing = False
        # The group's own thread, started by the first commit no blocking caller can lead.
        self._leads: queue.SimpleQueue[None] | None = None
        # Set by a caller that blocks on its item: the wait for company ends for it.
        self._hurry = threading.Event()

    def submit(self, item: T) -> R:
        """Write `item` durably, with whatever else is queued; its result once committed."""
        entry: _Entry[T, R] = _Entry(item, self._waited_for())
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
        later: Promise[R] = self._waited_for()
        entry: _Entry[T, R] = _Entry(item, later=later)
        with self._lock:
            self._queued.append(entry)
            lead = not self._writing
            self._writing = True
        if lead:
            self._lead_on_own_thread()
        return later

    def _waited_for(self) -> Promise[Any]:
        """A caller's promise: a thread that blocks on it ends the group's wait for company,
        so its commit is made at once."""
        promise: Promise[Any] = Promise()
        promise.on_block = self._hurry.set
        return promise

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
            # A read of the length without the lock: a guess is all the wait needs.
            if self._linger_s and len(self._queued) < commit_linger_items_max:
                self._hurry.wait(self._linger_s)
            # A caller that blocks from here on has its item in this commit, or in the next,
            # which then does not wait.
            self._hurry.clear()
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

"""State one process keeps in memory because it alone changes it (docs/adr/0088, 0099).

A store may answer from memory what only it ever changes: the frozen wallets' ids, the wallet
tokens it found valid. `colony serve` with one worker keeps them from the start. Under
`--workers` the ledger's writer keeps them while it is the writer (a writer duty), and every
change, whichever worker was asked, is made by the writer: the store hands it to a route
(`ElectedLedger.shared_call`) that runs it in the writer's process, its own included. Every
other process reads the database, which the writer's change reached before it was answered.

A change made where nobody keeps (a writer that stepped down, a follower asked directly) is
refused as the storage being unavailable: a process that stopped keeping could otherwise
commit a change after a new writer read the table, and the new writer would never learn of
it. The lock is held across each change's commit and while keeping starts or stops, so a
writer that steps down finishes the change it is making before it lets go.
"""

from __future__ import annotations

from collections.abc import Callable, Iterator, Mapping
from contextlib import contextmanager
from typing import Any, Protocol, TypeVar

from colony.kernel import lock_order
from colony.kernel.errors import StorageUnavailable

R = TypeVar("R")

# How a change reaches the keeper: (call name, *args) answered by the process that keeps.
Route = Callable[..., Any]


class KeptByOne(Protocol):
    """A store whose in-memory state one process keeps and alone changes."""

    def changes_made_here(self) -> Mapping[str, Callable[..., Any]]:
        """The store's changes by call name, as the keeping process makes them."""
        ...

    def make_changes_via(self, route: Route) -> None:
        """Make every change through `route` (name, *args) from now on."""

    def keep_in_memory(self) -> Callable[[], None]:
        """Start keeping (a writer duty); the function returned stops it."""
        ...


class OneKeeper:
    def __init__(self, *, keeping: bool) -> None:
        """`keeping`: this process keeps from the start (it serves the database alone)."""
        # Held by every change across its commit, and while keeping starts or stops.
        self.lock = lock_order.lock("one keeper")
        self.keeping = keeping
        self._route: Route | None = None

    def make_changes_via(self, route: Route) -> None:
        self._route = route

    def change(self, name: str, here: Callable[..., R], *args: Any) -> R:
        """`here(*args)`, made by the keeping process: through the route once one is set
        (it answers here when this process keeps), else here."""
        if self._route is None:
            return here(*args)
        answer: R = self._route(name, *args)
        return answer

    @contextmanager
    def changing(self) -> Iterator[None]:
        """Around each change made here: the lock held across it, and the change refused
        where a routed store does not keep (any more), since it must not change what a
        keeper holds in memory."""
        with self.lock:
            if self._route is not None and not self.keeping:
                raise StorageUnavailable("this worker is not the ledger's writer now: retry")
            yield

    def keep(self, start: Callable[[], None], stop: Callable[[], None]) -> Callable[[], None]:
        """Keep from now (`start` clears what memory held: it is read afresh), under the lock;
        the function returned stops keeping, after any change in progress (`stop`)."""
        with self.lock:
            self.keeping = True
            start()

        def stopped() -> None:
            with self.lock:
                self.keeping = False
                stop()

        return stopped

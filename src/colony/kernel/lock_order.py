"""The order in which Colony's locks may be taken, checked while the tests run (docs/adr/0107).

A SQLite database file has one write gate per process (storage/sqlite_connection.write_gate),
and each table store one lock on its connection. A store's write takes its own lock and then
the gate; the journal's append takes the gate alone. Should any thread ever take a store's
lock while it holds the gate, or two stores' locks in both orders, two threads could each
hold what the other waits for, and every payment would stop behind them. The same holds for
the locks that services keep around their stores' calls (the ledger's state, a credit line's,
the risk write-behind's, the webhook pass's, ...). Which orders occur is a property of the
whole program, not of one module, so it is checked as the program runs.

With `COLONY_LOCK_ORDER_CHECKS=1` in the environment (the test suite sets it, for its own
process and every process it starts) each such lock is an `OrderedLock`: it belongs to a
kind ("sqlite write gate", "store colony-wallets", ...), and the first time a thread takes
a lock of one kind while holding one of another, that order is recorded. A thread about to
take a lock in an order that closes a cycle of recorded orders, or a lock it already holds,
gets `LockOrderViolation` before it waits, and the refusal is kept in `violations` (and
logged): code that catches broad exceptions may swallow the error, but the test that made it
still fails (tests/conftest.py), naming the locks, instead of hanging once in a thousand
runs. Without the setting the locks are plain `threading.Lock`s, and nothing is checked or
paid for.

This is the kernel's lock dependency check, cut down: kinds, not instances, so an order seen
between two stores in one test is known for every pair of stores of those kinds.
"""

from __future__ import annotations

import atexit
import logging
import os
import sys
import threading
from types import TracebackType
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from typing import TypeAlias

    # A plain lock, or one whose order of taking is checked.
    AnyLock: TypeAlias = "threading.Lock | OrderedLock"

ENV = "COLONY_LOCK_ORDER_CHECKS"

log = logging.getLogger(__name__)

# Read once, at import: a lock made before the setting changes keeps its type.
checked = os.environ.get(ENV) == "1"


class LockOrderViolation(RuntimeError):
    """A lock about to be taken in an order that could deadlock (a bug, never an outcome)."""


# Ranks of the storage's locks: a thread takes ranked locks in rising rank only. Beyond the
# orders learned as the program runs, this says what is known before any run: no store's lock
# (of any name) while holding a file's write gate.
STORE_RANK = 10
GATE_RANK = 20


def lock(kind: str, rank: int | None = None) -> AnyLock:
    """A lock of `kind`: ordered while the checks are on, else a plain one. A `rank`, where
    given, must rise along any chain of ranked locks a thread holds."""
    return OrderedLock(kind, rank) if checked else threading.Lock()


# kind -> kinds taken while holding it, as seen so far in this process.
_after: dict[str, set[str]] = {}
_graph_lock = threading.Lock()
_local = threading.local()
# Every violation refused in this process, in order: a refusal that code catching broad
# exceptions swallowed is still seen here (tests/conftest.py fails the test that made one, and
# a process that made one says so on its way out).
violations: list[str] = []


def _held() -> list[OrderedLock]:
    held: list[OrderedLock] | None = getattr(_local, "held", None)
    if held is None:
        held = _local.held = []
    return held


def _path(start: str, goal: str) -> list[str] | None:
    """A chain of recorded orders from `start` to `goal`, if there is one."""
    came_from: dict[str, str | None] = {start: None}
    frontier = [start]
    while frontier:
        kind = frontier.pop()
        if kind == goal:
            chain = [kind]
            while (previous := came_from[chain[-1]]) is not None:
                chain.append(previous)
            return chain[::-1]
        for after in _after.get(kind, ()):
            if after not in came_from:
                came_from[after] = kind
                frontier.append(after)
    return None


def _problem(taking: OrderedLock, held: list[OrderedLock]) -> str | None:
    """What is wrong with taking `taking` while holding `held` (under `_graph_lock`)."""
    if any(h is taking for h in held):
        return f"a thread takes {taking.kind!r} again while it holds it: it would wait forever"
    for holding in held:
        if holding.kind == taking.kind:
            # Two locks of one kind (two stores' connections of one name): no order between
            # them is known, so no thread may hold one while it takes another.
            return f"a thread takes a second {taking.kind!r} lock while it holds one"
        if holding.rank is not None and taking.rank is not None and taking.rank < holding.rank:
            return (
                f"a thread holding {holding.kind!r} takes {taking.kind!r}: ranked locks are "
                "taken in rising rank only (kernel/lock_order.py)"
            )
        cycle = _path(taking.kind, holding.kind)
        if cycle is not None:
            return (
                f"a thread holding {holding.kind!r} takes {taking.kind!r}, but the order "
                f"{' -> '.join(cycle)} was seen before: two threads taking them in these two "
                "orders could each wait for the other forever"
            )
    return None


def _checked(taking: OrderedLock, held: list[OrderedLock], *, learn: bool) -> str | None:
    """The problem with taking `taking` while holding `held`, kept in `violations`; none:
    the orders learned (`learn`), every held lock's after the check, so a refused take
    leaves no order behind."""
    with _graph_lock:
        problem = _problem(taking, held)
        if problem is not None:
            violations.append(f"{problem} (thread {threading.current_thread().name})")
            log.error("lock order violation: %s", problem)
        elif learn:
            for holding in held:
                _after.setdefault(holding.kind, set()).add(taking.kind)
    return problem


def _before_acquire(taking: OrderedLock) -> None:
    """Refuse an order that could deadlock, before the thread waits."""
    held = _held()
    if held and (problem := _checked(taking, held, learn=True)) is not None:
        raise LockOrderViolation(problem)


class OrderedLock:
    """A `threading.Lock` that checks the order it is taken in (module docstring)."""

    __slots__ = ("_lock", "kind", "rank")

    def __init__(self, kind: str, rank: int | None = None) -> None:
        self.kind = kind
        self.rank = rank
        self._lock = threading.Lock()

    def acquire(self, blocking: bool = True, timeout: float = -1) -> bool:
        if blocking:
            _before_acquire(self)
        taken = self._lock.acquire(blocking, timeout)
        if taken:
            _held().append(self)
        return taken

    def release(self) -> None:
        held = _held()
        for i in range(len(held) - 1, -1, -1):
            if held[i] is self:
                del held[i]
                break
        self._lock.release()

    def locked(self) -> bool:
        return self._lock.locked()

    # threading.Condition's hooks, so a wait's release and re-take keep the thread's held
    # locks right and the re-take never raises half-way through a wait (it is checked, and a
    # problem recorded in `violations`, once the lock is held again).
    def _is_owned(self) -> bool:
        return any(h is self for h in _held())

    def _release_save(self) -> None:
        self.release()

    def _acquire_restore(self, _state: None) -> None:
        self._lock.acquire()
        held = _held()
        if held:
            _checked(self, held, learn=False)  # its orders were learned at the first take
        held.append(self)

    def __enter__(self) -> bool:
        return self.acquire()

    def __exit__(
        self,
        kind: type[BaseException] | None,
        exc: BaseException | None,
        trace: TracebackType | None,
    ) -> None:
        self.release()


def _said_on_exit() -> None:
    if violations:
        sys.stderr.write(
            "lock order violations in this process (kernel/lock_order.py):\n"
            + "".join(f"  {v}\n" for v in violations)
        )


if checked:
    atexit.register(_said_on_exit)

"""The lock order check (kernel/lock_order.py): orders are learned, a reversed one is refused
before the thread waits, and the storage's locks are ordered while the tests run."""

from __future__ import annotations

import contextlib
import threading
from collections.abc import Iterator
from pathlib import Path

import pytest

from colony.kernel import lock_order
from colony.kernel.lock_order import LockOrderViolation, OrderedLock
from colony.storage.open import open_tables
from colony.storage.sqlite_connection import write_gate


@pytest.fixture(autouse=True)
def _fresh_orders() -> Iterator[None]:
    """Each test starts from no orders seen, and the process's own (learned by the tests
    before) and its refusals are as they were after it."""
    with lock_order._graph_lock:
        saved = {kind: set(after) for kind, after in lock_order._after.items()}
        lock_order._after.clear()
        refused = len(lock_order.violations)
    yield
    with lock_order._graph_lock:
        lock_order._after.clear()
        lock_order._after.update(saved)
        del lock_order.violations[refused:]


def test_an_order_seen_then_reversed_is_refused_before_waiting() -> None:
    store, gate = OrderedLock("store a"), OrderedLock("gate")
    with store, gate:
        pass
    with gate, pytest.raises(LockOrderViolation, match=r"'gate' takes 'store a'.*store a -> gate"):
        store.acquire()
    # Refused before it waited: nobody holds it, and the refused thread does not either.
    assert not store.locked()
    with store, gate:  # the order seen first still goes
        pass


def test_a_reversal_through_a_third_lock_is_refused() -> None:
    a, b, c = OrderedLock("a"), OrderedLock("b"), OrderedLock("c")
    with a, b:
        pass
    with b, c:
        pass
    with c, pytest.raises(LockOrderViolation, match="a -> b -> c"):
        a.acquire()


def test_a_lock_taken_again_by_its_holder_is_refused() -> None:
    held = OrderedLock("store a")
    # With a timeout: were the check gone, the test would fail, not hang.
    with held, pytest.raises(LockOrderViolation, match="again while it holds it"):
        held.acquire(timeout=1)


def test_two_locks_of_one_kind_may_not_be_held_together() -> None:
    first, second = OrderedLock("store a"), OrderedLock("store a")
    with first, pytest.raises(LockOrderViolation, match="second 'store a'"):
        second.acquire()


def test_orders_are_shared_by_threads_and_held_locks_are_each_threads_own() -> None:
    store, gate = OrderedLock("store a"), OrderedLock("gate")

    def store_then_gate() -> None:
        with store, gate:
            pass

    worker = threading.Thread(target=store_then_gate)
    worker.start()
    worker.join()
    # This thread holds nothing of the other's, but knows the order it took.
    with gate, pytest.raises(LockOrderViolation):
        store.acquire()


def test_a_refusal_is_kept_though_the_error_is_caught() -> None:
    store, gate = OrderedLock("store a"), OrderedLock("gate")
    before = len(lock_order.violations)
    with store, gate:
        pass
    with gate, contextlib.suppress(Exception):  # as code that logs and carries on would
        store.acquire()
    assert len(lock_order.violations) == before + 1
    assert "'gate' takes 'store a'" in lock_order.violations[-1]


def test_a_refused_take_records_no_order() -> None:
    a, b, c = OrderedLock("a"), OrderedLock("b", 2), OrderedLock("c", 1)
    with b, a, pytest.raises(LockOrderViolation, match="rising rank"):
        c.acquire()  # refused for b's rank: no order a -> c is kept either
    with c, a:  # c then a: allowed, since a -> c was never recorded
        pass


def test_a_condition_wait_keeps_the_held_locks_right() -> None:
    state = OrderedLock("ledger state")
    cond = threading.Condition(state)  # type: ignore[arg-type]
    woken = threading.Event()

    def notify() -> None:
        woken.wait(5)
        with cond:
            cond.notify()

    notifier = threading.Thread(target=notify)
    notifier.start()
    with cond:
        woken.set()
        assert cond.wait(timeout=5)
        assert lock_order._held() == [state]
    notifier.join(5)
    assert lock_order._held() == []


def test_a_try_without_waiting_is_not_checked() -> None:
    store, gate = OrderedLock("store a"), OrderedLock("gate")
    with store, gate:
        pass
    # A try cannot wait, so it cannot deadlock: allowed in any order.
    with gate:
        assert store.acquire(blocking=False)
        store.release()


def test_ranked_locks_are_taken_in_rising_rank_before_any_order_is_seen() -> None:
    low, high, unranked = OrderedLock("low", 1), OrderedLock("high", 2), OrderedLock("free")
    with high, pytest.raises(LockOrderViolation, match="rising rank"):
        low.acquire()
    with low, high, unranked:
        pass
    other = OrderedLock("other")
    with other, low:  # an unranked lock is ordered by what is seen only
        pass


def test_plain_locks_without_the_setting(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(lock_order, "checked", False)
    assert not isinstance(lock_order.lock("store a"), OrderedLock)
    monkeypatch.setattr(lock_order, "checked", True)
    assert isinstance(lock_order.lock("store a"), OrderedLock)


def test_the_storage_locks_are_ordered_in_tests(tmp_path: Path) -> None:
    """A table store's lock, then the file's gate: a store's write. The journal's append
    takes the gate alone, so a thread inside a store's write transaction that appended to
    the journal would hold the gate and wait for it again; one that read another store
    while holding the gate would reverse the order every write takes."""
    url = f"sqlite:///{tmp_path / 'colony.db'}"
    wallets = open_tables(url, "colony-wallets")
    payments = open_tables(url, "colony-payments")
    try:
        gate = write_gate(tmp_path / "colony.db")
        assert isinstance(gate, OrderedLock)
        with wallets.write() as s:
            s.execute("SELECT 1")
        # A store's read inside its own write: the thread would wait for itself. (In a
        # thread of its own, so that without the check the test fails rather than hangs.)
        refused: list[BaseException] = []

        def read_inside_write() -> None:
            try:
                with wallets.write(), wallets.session():
                    pass
            except LockOrderViolation as exc:
                refused.append(exc)

        inside = threading.Thread(target=read_inside_write, daemon=True)
        inside.start()
        inside.join(10)
        assert not inside.is_alive() and "'store colony-wallets' again" in str(refused[0])
        # The gate taken inside a store's write (as a journal append there would).
        with pytest.raises(LockOrderViolation, match="'sqlite write gate' again"), wallets.write():
            gate.acquire(timeout=1)
        # No store has been seen taken after the gate, nor colony-payments before it: the
        # ranks refuse it all the same.
        with gate, pytest.raises(LockOrderViolation, match="in rising rank only"):
            payments.session().__enter__()
    finally:
        wallets.close()
        payments.close()

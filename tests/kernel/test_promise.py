"""A promise answers as `concurrent.futures.Future` does, for everything Colony asks of one."""

from __future__ import annotations

import asyncio
import logging
import threading
import time
from concurrent import futures
from concurrent.futures import Future, InvalidStateError

import pytest

from colony.kernel.promise import Promise, broken, settled


def test_a_promise_is_a_future_to_those_that_take_one() -> None:
    assert isinstance(Promise(), Future)


@pytest.mark.parametrize(
    ("settle", "expected"),
    [
        (lambda p: p.set_result(7), 7),
        (lambda p: p.set_result(None), None),
        (lambda p: p.set_exception(KeyError("gone")), KeyError),
    ],
)
def test_settled_once_then_read_any_number_of_times(settle, expected) -> None:
    promise: Promise[object] = Promise()
    assert not promise.done() and promise.running()
    settle(promise)
    assert promise.done() and not promise.running() and not promise.cancelled()
    for _ in range(2):
        if isinstance(expected, type):
            with pytest.raises(expected):
                promise.result()
            assert isinstance(promise.exception(), expected)
        else:
            assert promise.result() == expected
            assert promise.exception() is None


@pytest.mark.parametrize(
    "second",
    [lambda p: p.set_result(2), lambda p: p.set_exception(ValueError("late"))],
)
def test_a_second_settling_is_refused_and_changes_nothing(second) -> None:
    promise: Promise[int] = Promise()
    promise.set_result(1)
    with pytest.raises(InvalidStateError):
        second(promise)
    assert promise.result() == 1


def test_failing_with_none_is_a_bug() -> None:
    with pytest.raises(TypeError):
        Promise().set_exception(None)


def test_it_cannot_be_cancelled() -> None:
    promise: Promise[int] = Promise()
    assert promise.cancel() is False and promise.set_running_or_notify_cancel() is True
    promise.set_result(3)
    assert promise.result() == 3


def test_a_pending_promise_times_out_a_blocking_reader() -> None:
    promise: Promise[int] = Promise()
    with pytest.raises(TimeoutError):
        promise.result(timeout=0.01)
    with pytest.raises(TimeoutError):
        promise.exception(timeout=0.01)
    promise.set_result(4)  # still settles after a reader gave up
    assert promise.result(timeout=0) == 4


def test_callbacks_run_once_each_whether_added_before_or_after() -> None:
    promise: Promise[int] = Promise()
    seen: list[tuple[str, int]] = []
    promise.add_done_callback(lambda p: seen.append(("before", p.result())))
    promise.set_result(5)
    promise.add_done_callback(lambda p: seen.append(("after", p.result())))
    assert seen == [("before", 5), ("after", 5)]


def test_a_callback_that_raises_is_logged_and_the_others_still_run(caplog) -> None:
    promise: Promise[int] = Promise()
    seen: list[int] = []

    def bad(_: Future[int]) -> None:
        raise RuntimeError("a bug in a callback")

    promise.add_done_callback(bad)
    promise.add_done_callback(lambda p: seen.append(p.result()))
    with caplog.at_level(logging.ERROR, logger="colony.kernel.promise"):
        promise.set_result(6)
    assert seen == [6]
    assert "a bug in a callback" in caplog.text


def test_already_settled_promises() -> None:
    assert settled(8).result() == 8 and settled(8).done()
    with pytest.raises(LookupError):
        broken(LookupError("none")).result()


def test_blocked_readers_on_other_threads_wake_when_it_settles() -> None:
    promise: Promise[int] = Promise()
    got: list[int] = []
    blocking = threading.Semaphore(0)
    promise.on_block = blocking.release  # each reader, just before it blocks
    readers = [threading.Thread(target=lambda: got.append(promise.result(5))) for _ in range(8)]
    for reader in readers:
        reader.start()
    for _ in readers:
        assert blocking.acquire(timeout=5)
    deadline = time.monotonic() + 5
    while promise._waiter is None:  # made by the first reader into the wait itself
        assert time.monotonic() < deadline, "no reader reached the wait"
        time.sleep(0.001)
    assert got == []
    promise.set_result(9)
    for reader in readers:
        reader.join(5)
    assert got == [9] * 8


def test_callbacks_added_while_another_thread_settles_each_run_exactly_once() -> None:
    for _ in range(200):
        assert sorted(_callbacks_added_racing_the_settling()) == sorted(list(range(50)) * 2)


def _callbacks_added_racing_the_settling() -> list[int]:
    """Two threads add 50 callbacks each while a third settles the promise: the calls."""
    promise: Promise[int] = Promise()
    calls: list[int] = []
    start = threading.Barrier(3)

    def add() -> None:
        start.wait()
        for i in range(50):
            promise.add_done_callback(lambda _, i=i: calls.append(i))

    def settle() -> None:
        start.wait()
        promise.set_result(0)

    threads = [threading.Thread(target=add), threading.Thread(target=add)]
    threads.append(threading.Thread(target=settle))
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(5)
    return calls


def test_asyncio_awaits_it_as_a_concurrent_future() -> None:
    async def main() -> int:
        promise: Promise[int] = Promise()
        loop = asyncio.get_running_loop()
        loop.call_later(
            0.01, lambda: threading.Thread(target=promise.set_result, args=(10,)).start()
        )
        return await asyncio.wrap_future(promise)

    assert asyncio.run(main()) == 10


def test_waiting_through_concurrent_futures_is_refused_plainly() -> None:
    promise: Promise[int] = Promise()
    promise.set_result(1)
    with pytest.raises(TypeError, match="no condition"):
        futures.wait([promise], timeout=1)


def test_on_block_is_heard_only_by_a_reader_that_would_block() -> None:
    heard: list[str] = []
    promise: Promise[int] = Promise()
    promise.on_block = lambda: heard.append("blocking")
    with pytest.raises(TimeoutError):
        promise.result(timeout=0.01)
    promise.set_result(2)
    assert promise.result() == 2
    assert heard == ["blocking"]

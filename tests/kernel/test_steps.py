"""Steps (kernel/steps.py) run the same on a thread that blocks and on an event loop: each
future's result is sent in, its exception thrown in, and after `ON_THREAD` the rest runs on a
thread of the pool, not the loop."""

from __future__ import annotations

import asyncio
import threading
from concurrent.futures import Future

import pytest

from colony.api.steps import awaited
from colony.kernel.steps import ON_THREAD, Steps, done, wait

timeout_s = 5.0


def later(value: object, error: BaseException | None = None) -> Future[object]:
    """A future resolved by another thread, a moment from now."""
    future: Future[object] = Future()

    def resolve() -> None:
        if error is not None:
            future.set_exception(error)
        else:
            future.set_result(value)

    threading.Timer(0.01, resolve).start()
    return future


def payment_like() -> Steps[tuple[object, ...]]:
    record = yield later("record")
    ready = yield done("accounts")
    try:
        yield later(None, RuntimeError("journal failed"))
        failed = "no"
    except RuntimeError as exc:
        failed = str(exc)
    before = threading.current_thread()
    yield ON_THREAD
    moved = threading.current_thread() is not before
    results = yield later(["ok"])
    return record, ready, failed, moved, results


def test_steps_give_the_same_outcome_blocking_and_awaited() -> None:
    blocking = wait(payment_like(), timeout_s)
    assert blocking == ("record", "accounts", "journal failed", False, ["ok"])
    on_loop = asyncio.run(awaited(payment_like(), timeout_s))
    # On the loop, what follows ON_THREAD ran on a thread of the pool.
    assert on_loop == ("record", "accounts", "journal failed", True, ["ok"])


def test_a_future_past_its_timeout_is_thrown_into_the_steps() -> None:
    def stuck() -> Steps[str]:
        try:
            yield Future()
        except TimeoutError:
            return "timed out"
        return "answered"

    assert wait(stuck(), 0.01) == "timed out"
    assert asyncio.run(awaited(stuck(), 0.01)) == "timed out"


def test_an_exception_the_steps_do_not_catch_reaches_the_caller() -> None:
    def failing() -> Steps[str]:
        yield later(None, ValueError("bad input"))
        return "unreachable"

    with pytest.raises(ValueError, match="bad input"):
        wait(failing(), timeout_s)
    with pytest.raises(ValueError, match="bad input"):
        asyncio.run(awaited(failing(), timeout_s))

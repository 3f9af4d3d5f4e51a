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


def stuck() -> Steps[str]:
    """Steps waiting on a future no one finishes."""
    try:
        yield Future()
    except TimeoutError:
        return "timed out"
    return "answered"


def test_a_future_past_its_timeout_is_thrown_into_the_steps() -> None:
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


def test_many_waits_on_the_loop_share_its_wake_ups_and_its_timer() -> None:
    """A thousand steps waiting on futures one thread finishes together: the loop is woken
    for the lot, not once for each, and one timer stands for all their timeouts."""
    futures: list[Future[object]] = [Future() for _ in range(1_000)]

    def one(future: Future[object]) -> Steps[object]:
        first = yield future
        second = yield done("ready")  # a future already done: no wait at all
        return first, second

    async def main() -> tuple[list[object], int]:
        loop = asyncio.get_running_loop()
        woken = 0
        threadsafe = loop.call_soon_threadsafe

        def counted(*args: object, **kwargs: object) -> object:
            nonlocal woken
            woken += 1
            return threadsafe(*args, **kwargs)  # type: ignore[arg-type]

        loop.call_soon_threadsafe = counted  # type: ignore[method-assign]
        timers_before = len(loop._scheduled)  # type: ignore[attr-defined]
        waiting = [asyncio.ensure_future(awaited(one(f), timeout_s)) for f in futures]
        await asyncio.sleep(0)
        timers = len(loop._scheduled) - timers_before  # type: ignore[attr-defined]
        assert timers == 1

        def finish_all() -> None:
            for index, future in enumerate(futures):
                future.set_result(index)

        threading.Thread(target=finish_all).start()
        return list(await asyncio.gather(*waiting)), woken

    results, woken = asyncio.run(main())
    assert results == [(index, "ready") for index in range(1_000)]
    assert woken < 100  # once a batch the loop found queued, not once a future


def test_a_wait_timed_out_ignores_its_future_finishing_later() -> None:
    stuck: Future[object] = Future()

    def steps() -> Steps[object]:
        try:
            yield stuck
            first = "answered"
        except TimeoutError:
            first = "timed out"
        return first, (yield later("after"))

    async def main() -> object:
        # Long enough for `later` (0.01 s on a timer thread) even on a loaded machine: the
        # same timeout bounds both waits, and only the stuck one may run out.
        answer = await awaited(steps(), 0.5)
        stuck.set_result("too late")  # its steps moved on: nothing is resumed twice
        await asyncio.sleep(0.02)
        return answer

    assert asyncio.run(main()) == ("timed out", "after")


def test_a_shorter_timeout_after_a_longer_one_still_ends_on_time() -> None:
    async def main() -> str:
        slow = asyncio.ensure_future(awaited(stuck(), 60.0))
        quick = await asyncio.wait_for(awaited(stuck(), 0.01), 2.0)
        slow.cancel()
        return quick

    assert asyncio.run(main()) == "timed out"


def test_a_coroutine_cancelled_leaves_its_steps() -> None:
    resumed = []
    future: Future[object] = Future()

    def steps() -> Steps[object]:
        value = yield future
        resumed.append(value)
        return value

    async def main() -> None:
        task = asyncio.ensure_future(awaited(steps(), timeout_s))
        await asyncio.sleep(0)
        task.cancel()
        with pytest.raises(asyncio.CancelledError):
            await task
        future.set_result("late")
        await asyncio.sleep(0.02)

    asyncio.run(main())
    assert resumed == []

"""Running a product's `Steps` (kernel/steps.py) on the event loop: each future awaited,
no thread of the pool held while a commit is made, and the rest handed to a thread of the
pool once the steps say they may block (`ON_THREAD`).

The waiting is shared (`_Waits`, one per event loop). A future done on another thread (a
group commit's, the journal's) queues the steps waiting on it and wakes the loop once for
everything queued meanwhile; one timer, set for the earliest deadline, ends the waits that
outlast their `timeout_s`. Awaiting each future on its own (`asyncio.wrap_future` under
`asyncio.timeout`) cost, for every future of every payment, an asyncio future, its
callbacks, a wake-up of the loop through its self-pipe, and a timer made and cancelled.
"""

from __future__ import annotations

import asyncio
import heapq
import itertools
import threading
from concurrent.futures import Future
from typing import Any, TypeVar

from starlette.concurrency import run_in_threadpool

from colony.kernel.steps import Steps, _OnThread, advance, wait

T = TypeVar("T")


async def awaited(steps: Steps[T], timeout_s: float) -> T:
    """Run `steps` on this event loop; each future may take at most `timeout_s` seconds
    (`TimeoutError` is thrown into the steps, as `wait` does)."""
    finished, step = _until_waiting(steps, None, None)
    if not finished and not isinstance(step, _OnThread):
        finished, step = await _waits().resumed(steps, step, timeout_s)
    if finished:
        return step  # type: ignore[no-any-return]
    return await run_in_threadpool(wait, steps, timeout_s)


async def result_of(future: Future[Any], timeout_s: float) -> Any:
    """The future's result, awaited for at most `timeout_s` seconds; at once if it is done."""
    if future.done():
        return future.result()
    return await awaited(_result(future), timeout_s)


def _result(future: Future[T]) -> Steps[T]:
    result: T = yield future
    return result


def _until_waiting(
    steps: Steps[Any], value: object, error: BaseException | None
) -> tuple[bool, Any]:
    """Resume `steps` past every future already done: (True, what they returned), or
    (False, the first future not done or ON_THREAD)."""
    while True:
        finished, step = advance(steps, value, error)
        if finished or isinstance(step, _OnThread) or not step.done():
            return finished, step
        value, error = _outcome(step)


def _outcome(future: Future[Any]) -> tuple[object, Exception | None]:
    """A done future's (result, None), or (None, its exception) for the steps to handle."""
    try:
        return future.result(), None
    except Exception as exc:  # a cancellation is not the steps' to handle
        return None, exc


class _Wait:
    """Steps waiting on the loop: the future they wait for now, until when, and the asyncio
    future their coroutine awaits, (finished, result or ON_THREAD) once they stop waiting."""

    __slots__ = ("answer", "future", "steps", "timeout_s")

    def __init__(self, steps: Steps[Any], timeout_s: float, answer: asyncio.Future[Any]) -> None:
        self.steps, self.timeout_s, self.answer = steps, timeout_s, answer
        self.future: Future[Any] | None = None  # None once it no longer waits


class _Waits:
    """Every wait of one event loop: futures done elsewhere are queued and the loop woken
    once for the lot (`_drain`); one timer, at the earliest deadline, times waits out."""

    def __init__(self, loop: asyncio.AbstractEventLoop) -> None:
        self.loop = loop
        self._lock = threading.Lock()
        self._ready: list[tuple[_Wait, Future[Any]]] = []  # done on some thread, unresumed
        self._woken = False  # a `_drain` is scheduled on the loop
        # (deadline on the loop's clock, order, wait, future): the waits' timeouts, a heap.
        self._deadlines: list[tuple[float, int, _Wait, Future[Any]]] = []
        self._order = itertools.count()
        self._timer: asyncio.TimerHandle | None = None
        self._timer_at = 0.0

    def resumed(
        self, steps: Steps[Any], future: Future[Any], timeout_s: float
    ) -> asyncio.Future[tuple[bool, Any]]:
        """An asyncio future of `steps` run from waiting on `future` until they finish (True,
        what they returned) or must go to a thread (False, ON_THREAD); an exception they
        raise is its exception."""
        waiting = _Wait(steps, timeout_s, self.loop.create_future())
        self._watch(waiting, future)
        return waiting.answer

    def _watch(self, waiting: _Wait, future: Future[Any]) -> None:
        waiting.future = future
        deadline = self.loop.time() + waiting.timeout_s
        heapq.heappush(self._deadlines, (deadline, next(self._order), waiting, future))
        if self._timer is None or deadline < self._timer_at:
            self._arm(deadline)
        future.add_done_callback(lambda done: self._queue(waiting, done))

    def _queue(self, waiting: _Wait, future: Future[Any]) -> None:
        """On the thread that finished `future`: queue its steps, waking the loop only if
        no wake-up is on its way already."""
        with self._lock:
            self._ready.append((waiting, future))
            if self._woken:
                return
            self._woken = True
        if not self.loop.is_closed():
            self.loop.call_soon_threadsafe(self._drain)

    def _drain(self) -> None:
        with self._lock:
            ready, self._ready = self._ready, []
            self._woken = False
        for waiting, future in ready:
            if waiting.future is future:  # not timed out meanwhile
                self._resume(waiting, *_outcome(future))
        deadlines = self._deadlines
        while deadlines and deadlines[0][2].future is not deadlines[0][3]:
            heapq.heappop(deadlines)  # waits no longer waiting on that future

    def _expire(self) -> None:
        self._timer = None
        now = self.loop.time()
        deadlines = self._deadlines
        while deadlines and deadlines[0][0] <= now:
            _, _, waiting, future = heapq.heappop(deadlines)
            if waiting.future is future:
                self._resume(waiting, None, TimeoutError())
        while deadlines and deadlines[0][2].future is not deadlines[0][3]:
            heapq.heappop(deadlines)
        if deadlines:
            self._arm(deadlines[0][0])

    def _arm(self, deadline: float) -> None:
        if self._timer is not None:
            self._timer.cancel()
        self._timer, self._timer_at = self.loop.call_at(deadline, self._expire), deadline

    def _resume(self, waiting: _Wait, value: object, error: BaseException | None) -> None:
        """Resume the steps with `value` (or `error`) until they wait on a future again, or
        settle their coroutine's answer. A coroutine gone (cancelled) leaves its steps."""
        waiting.future = None
        answer = waiting.answer
        if answer.cancelled():
            return
        try:
            finished, step = _until_waiting(waiting.steps, value, error)
        except BaseException as exc:  # the steps' own, raised in their coroutine
            answer.set_exception(exc)
            return
        if finished or isinstance(step, _OnThread):
            answer.set_result((finished, step))
        else:
            self._watch(waiting, step)


_current: _Waits | None = None


def _waits() -> _Waits:
    """The running loop's waits (a server has one loop; a new loop gets new waits)."""
    global _current
    loop = asyncio.get_running_loop()
    waits = _current
    if waits is None or waits.loop is not loop:
        waits = _current = _Waits(loop)
    return waits

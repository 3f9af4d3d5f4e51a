"""A future for the hot path: settled once, by whichever thread finishes the work.

A payment makes about half a dozen futures (its record's commit, its ledger calls, its
counters, its claim) and `concurrent.futures.Future` builds a condition and a reentrant
lock for each, then takes that lock and notifies it on every `set_result`, `done` and
`result`: about 7% of the API's CPU a payment. A `Promise` keeps its state in plain
attributes behind one lock shared by all promises (held for a few instructions at a time),
and makes a wakeable event only for a thread that actually blocks on it, which the event
loop never does.

It is a `concurrent.futures.Future` to everything that takes one (`isinstance`, typing,
`asyncio.wrap_future`): every public method is its own. It cannot be cancelled: its work is
already queued when it is made (`cancel` answers False and `running` True until it is
settled, as a running future's do). `concurrent.futures.wait` and `as_completed`, which
reach into a future's condition, refuse it with a `TypeError` saying so; nor is it meant to
be the destination of `asyncio`'s future chaining.

Whoever makes a promise may ask to hear when a thread is about to block on it (`on_block`):
a follower's ledger link sends its event loop's open turn at once for a caller that
blocks on one of its calls there (workers/remote_ledger.py).
"""

from __future__ import annotations

import logging
import threading
from collections.abc import Callable
from concurrent.futures import Future, InvalidStateError
from typing import Any, TypeVar

T = TypeVar("T")

_LOGGER = logging.getLogger(__name__)
_lock = threading.Lock()  # every promise's: held only to read or change a state at once


class Promise(Future[T]):
    def __init__(self) -> None:  # no Future.__init__: its condition is what this saves
        self._settled = False
        self._value: Any = None
        self._error: BaseException | None = None
        self._callbacks: list[Callable[[Future[T]], object]] | None = None
        self._waiter: threading.Event | None = None  # made by the first thread that blocks
        # Called (on the blocking thread, before it blocks) when a thread waits for it.
        self.on_block: Callable[[], object] | None = None

    @property
    def _condition(self) -> threading.Condition:
        # What `concurrent.futures.wait` and `as_completed` reach for: a clear refusal.
        raise TypeError("a Promise has no condition: wait with result() or add_done_callback")

    @_condition.setter
    def _condition(self, _: threading.Condition) -> None:
        raise TypeError("a Promise has no condition")

    def __repr__(self) -> str:
        if not self._settled:
            return f"<Promise at {id(self):#x} pending>"
        if self._error is not None:
            return f"<Promise at {id(self):#x} raised {type(self._error).__name__}>"
        return f"<Promise at {id(self):#x} returned {type(self._value).__name__}>"

    # ------------------------------------------------------------------ settling

    def set_result(self, result: T) -> None:
        self._settle(result, None)

    def set_exception(self, exception: BaseException | None) -> None:
        if exception is None:
            raise TypeError("a promise fails with an exception, not None")
        self._settle(None, exception)

    def _settle(self, value: object, error: BaseException | None) -> None:
        with _lock:
            if self._settled:
                raise InvalidStateError(f"{self!r} is settled already")
            self._value, self._error = value, error
            self._settled = True
            callbacks, self._callbacks = self._callbacks, None
            waiter = self._waiter
        if waiter is not None:
            waiter.set()
        if callbacks:
            for callback in callbacks:
                self._call(callback)

    def _call(self, callback: Callable[[Future[T]], object]) -> None:
        try:
            callback(self)
        except Exception:  # as Future does: one callback's bug does not stop the others
            _LOGGER.exception("a callback of %r raised", self)

    def add_done_callback(self, fn: Callable[[Future[T]], object]) -> None:
        if not self._settled:
            with _lock:
                if not self._settled:
                    if self._callbacks is None:
                        self._callbacks = [fn]
                    else:
                        self._callbacks.append(fn)
                    return
        self._call(fn)

    # ------------------------------------------------------------------ reading

    def done(self) -> bool:
        return self._settled

    def running(self) -> bool:
        return not self._settled

    def cancelled(self) -> bool:
        return False

    def cancel(self) -> bool:
        return False

    def set_running_or_notify_cancel(self) -> bool:
        return True

    def result(self, timeout: float | None = None) -> T:
        self._wait(timeout)
        error = self._error
        if error is not None:
            try:
                raise error
            finally:
                del error  # as Future does: no cycle through this frame's traceback
        return self._value  # type: ignore[no-any-return]

    def exception(self, timeout: float | None = None) -> BaseException | None:
        self._wait(timeout)
        return self._error

    def _wait(self, timeout: float | None) -> None:
        if self._settled:
            return
        if self.on_block is not None:
            self.on_block()
        with _lock:
            if self._settled:
                return
            if self._waiter is None:
                self._waiter = threading.Event()
            waiter = self._waiter
        if not waiter.wait(timeout):
            raise TimeoutError()


def settled(value: T) -> Promise[T]:
    """A promise already holding `value`."""
    promise: Promise[T] = Promise()
    promise._value, promise._settled = value, True
    return promise


def broken(error: BaseException) -> Promise[Any]:
    """A promise already holding `error`."""
    promise: Promise[Any] = Promise()
    promise._error, promise._settled = error, True
    return promise

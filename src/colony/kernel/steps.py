"""Work that waits on futures, written once and run by a thread that blocks or by an event
loop that awaits.

A payment waits for durable commits made on other threads: its record's group commit, the
ledger's journal. Written as a generator of `Steps`, it yields each future it needs and is
sent the future's result (or has its exception thrown in); `wait` runs the steps on a thread
that blocks on each future, and the HTTP API runs the same steps on its event loop, awaiting
each future without holding a thread of the pool (`api/steps.py`). So the service is written
once, and the cheap path costs no thread hop.

A step that must block outside a future (a ledger call through a synchronous method, the
first of a wallet's day) first yields `ON_THREAD`: a thread that blocks ignores it; an event
loop hands the rest of the steps to a thread of its pool, since a loop that waited on a disk
would stop every other request meanwhile.
"""

from __future__ import annotations

import functools
from collections.abc import Callable, Generator
from concurrent.futures import Future
from typing import Any, Final, ParamSpec, TypeVar

from colony.kernel.promise import broken, settled

T = TypeVar("T")
P = ParamSpec("P")


class _OnThread:
    """The marker `ON_THREAD`: what follows may block outside a future."""

    __slots__ = ()

    def __repr__(self) -> str:
        return "ON_THREAD"


ON_THREAD: Final = _OnThread()

# A generator yielding futures (or ON_THREAD), sent each future's result, returning a T.
Steps = Generator["Future[Any] | _OnThread", Any, T]


def wait(steps: Steps[T], timeout_s: float, sent: object = None) -> T:
    """Run `steps` to the end on this thread, blocking on each future for at most
    `timeout_s` seconds (its `TimeoutError` is thrown into the steps). `sent` is what the
    steps are resumed with first: None for new steps."""
    value: object = sent
    error: BaseException | None = None
    while True:
        finished, step = advance(steps, value, error)
        if finished:
            return step  # type: ignore[no-any-return]
        value, error = None, None
        if isinstance(step, _OnThread):
            continue
        try:
            value = step.result(timeout=timeout_s)
        except Exception as exc:  # a cancellation is not the steps' to handle
            error = exc


def advance(steps: Steps[T], value: object, error: BaseException | None) -> tuple[bool, Any]:
    """Resume `steps` with `value` (or `error` thrown in): (True, what they returned) once
    they are done, else (False, the next step)."""
    try:
        return False, steps.send(value) if error is None else steps.throw(error)
    except StopIteration as stop:
        return True, stop.value


def blocking(timeout_s: float) -> Callable[[Callable[P, Steps[T]]], Callable[P, T]]:
    """Make a function of steps into one that `wait`s for them on the calling thread, each
    future for at most `timeout_s` seconds: a service writes its steps once and offers both."""

    def blocking_form(steps_of: Callable[P, Steps[T]]) -> Callable[P, T]:
        @functools.wraps(steps_of)
        def run(*args: P.args, **kwargs: P.kwargs) -> T:
            return wait(steps_of(*args, **kwargs), timeout_s)

        return run

    return blocking_form


def done(value: T) -> Future[T]:
    """A future already holding `value`: for a step that has nothing to wait for."""
    return settled(value)


# A future already done with nothing: the one a step waits on when there is nothing to wait
# for (an assessment not kept, a payment without risk control). Shared: it never changes.
DONE: Future[None] = done(None)


def failed(error: BaseException) -> Future[Any]:
    """A future already holding `error`: for work that failed before it could wait."""
    return broken(error)


def at_once(work: Callable[[], T]) -> Steps[T]:
    """`work` as steps that wait on nothing (it may block: it runs as a whole)."""
    yield ON_THREAD
    return work()

"""Running a product's `Steps` (kernel/steps.py) on the event loop: each future awaited,
no thread of the pool held while a commit is made, and the rest handed to a thread of the
pool once the steps say they may block (`ON_THREAD`)."""

from __future__ import annotations

import asyncio
from concurrent.futures import Future
from typing import Any, TypeVar

from starlette.concurrency import run_in_threadpool

from colony.kernel.steps import Steps, _OnThread, advance, wait

T = TypeVar("T")


async def awaited(steps: Steps[T], timeout_s: float) -> T:
    """Run `steps` on this event loop; each future may take at most `timeout_s` seconds
    (`TimeoutError` is thrown into the steps, as `wait` does)."""
    value: object = None
    error: BaseException | None = None
    while True:
        finished, step = advance(steps, value, error)
        if finished:
            return step  # type: ignore[no-any-return]
        value, error = None, None
        if isinstance(step, _OnThread):
            return await run_in_threadpool(wait, steps, timeout_s)
        try:
            value = await result_of(step, timeout_s)
        except Exception as exc:  # a cancellation is not the steps' to handle
            error = exc


async def result_of(future: Future[Any], timeout_s: float) -> Any:
    """The future's result, awaited for at most `timeout_s` seconds; at once if it is done."""
    if future.done():
        return future.result()
    async with asyncio.timeout(timeout_s):
        return await asyncio.wrap_future(future)

"""Payments that arrive within a moment of each other are served together (docs/adr/0089).

On the virtual machines Colony is measured on, a thread that sleeps and wakes runs its next
work up to twice as slowly, and every payment's commits and ledger calls wake the threads
that make them. The same payments cost 30-40% less CPU each arriving in bursts than evenly
spaced (docs/benchmarks.md). So the payment route holds a payment that comes within
`together_s` of the one before it for at most `gather_s`, then lets every payment that
arrived meanwhile run back to back on the event loop: their records share a group commit,
their transfers a ledger batch, and the loop wakes once for their answers instead of once
each. A payment that comes alone goes through at once. When a gathering opens, its
payments' stored answers can be looked up together first (`on_open`, docs/adr/0092).
"""

from __future__ import annotations

import asyncio
import logging
import math
import time
from collections.abc import Callable, Sequence
from typing import Any

_log = logging.getLogger(__name__)

# How long the first payment of a gathering waits for company, in seconds (`colony serve
# --payment-gather-ms`); 0 serves each at once. 8 ms: at 1,500 payments/s the gatherings
# (about twelve) then cost a payment what saturation does; longer saves little more and
# adds its whole length to every payment's latency (docs/adr/0090).
payment_gather_s = 0.008
# A payment that comes more than this after the one before it, with none waiting, comes
# alone and goes through at once, in seconds (at most the gathering's moment): below about
# 500 payments/s few would join it, and its wait would be latency for nothing.
payment_together_s = 0.002
# Payments let through at once, in a gathering: the one that fills it opens it.
payment_gather_max = 64
# The same, where the gathering's payments are served by another process (a follower of
# `--workers` sends them to the ledger's writer, which starts each message's payments
# together and gathers again in its commits and ledger batches): at 64 connections a
# follower's gathering of 64 never filled, every one waited its whole moment, and the
# writer idled between them; gatherings of 16 keep several at the writer at once
# (docs/adr/0104).
forwarded_gather_max = 16
# A look-ahead that fails, or a gate not told how many fill a gathering, is logged at most
# once in this many seconds.
look_ahead_failure_log_s = 60.0


class PaymentGate:
    """Holds payments until the first has waited `gather_s` or `gather_max` are waiting
    (or as many as `gather_max_now` says when the gathering begins); a payment that comes
    alone (more than `together_s` after the one before it, none waiting) goes through at
    once. Used on one event loop (the server's).

    `on_open`, if given, is called with what each payment of a gathering brought to `enter`
    just before they go on together (a look-ahead for them all, docs/adr/0092); a payment
    that comes alone goes on without it. Its failure is logged and the payments go on: it
    may only save them work, never change what they do."""

    def __init__(
        self,
        gather_s: float,
        gather_max: int = payment_gather_max,
        together_s: float = payment_together_s,
        on_open: Callable[[Sequence[Any]], None] | None = None,
        gather_max_now: Callable[[], int] | None = None,
    ) -> None:
        """`gather_max_now`, if given, says at the start of each gathering how many fill it
        (a worker's differs while it follows the writer and once it is the writer);
        otherwise, or should it fail or answer fewer than one, `gather_max` does (logged
        at most once every `look_ahead_failure_log_s`): like `on_open`, it may only change
        when payments go on, never fail them."""
        if gather_s < 0 or gather_max < 1 or together_s < 0:
            raise ValueError(
                f"a gathering of {gather_max} for {gather_s} s of payments {together_s} s"
                " apart cannot be"
            )
        self._gather_s = gather_s
        self._gather_max = gather_max
        self._gather_max_now = gather_max_now
        self._filled_at = gather_max  # how many fill the gathering waiting now
        self._fill_failures = _FailureLog()
        self._together_s = min(together_s, gather_s)
        self._look_ahead = None if on_open is None else GuardedLookAhead(on_open, "gathered")
        # The payments held: each one's future and what it brought to `enter`.
        self._waiting: list[tuple[asyncio.Future[None], Any]] = []
        self._timer: asyncio.TimerHandle | None = None
        self._last_arrival = -math.inf  # the loop's time of the last payment to arrive

    async def enter(self, arrival: Any = None) -> None:
        """Return once this payment's gathering opens: at once with the gate off, or for a
        payment that comes more than `together_s` after the one before it (at a light load
        nothing would join it, and its wait would cost the loop a wake of its own)."""
        if self._gather_s == 0:
            return
        loop = asyncio.get_running_loop()
        now = loop.time()
        alone = now - self._last_arrival > self._together_s
        self._last_arrival = now
        if alone and not self._waiting:
            return
        if not self._waiting and self._gather_max_now is not None:
            self._filled_at = self._fill_now()
        arrived: asyncio.Future[None] = loop.create_future()
        self._waiting.append((arrived, arrival))
        if len(self._waiting) >= self._filled_at:
            self._open()
        elif self._timer is None:
            self._timer = loop.call_later(self._gather_s, self._open)
        await arrived

    def _fill_now(self) -> int:
        """How many fill the gathering beginning now: `gather_max_now`'s answer, or
        `gather_max` should it fail or answer fewer than one."""
        assert self._gather_max_now is not None
        try:
            fill = self._gather_max_now()
            if fill < 1:
                raise ValueError(f"a gathering cannot fill at {fill}")
            return fill
        except Exception:
            self._fill_failures.exception(
                "not told how many fill a gathering: %d do", self._gather_max
            )
            return self._gather_max

    def _open(self) -> None:
        waiting, self._waiting = self._waiting, []
        if self._timer is not None:
            self._timer.cancel()
            self._timer = None
        # Not those cancelled meanwhile (their clients went away).
        going = [(arrived, arrival) for arrived, arrival in waiting if not arrived.done()]
        try:
            if self._look_ahead is not None and going:
                self._look_ahead([arrival for _, arrival in going])
        finally:  # whatever happened, none is left waiting
            for arrived, _ in going:
                arrived.set_result(None)


class GuardedLookAhead:
    """A look-ahead for payments about to go on together (docs/adr/0092, 0093), which may
    only save them work: one that fails is logged, at most once every
    `look_ahead_failure_log_s` (a database down fails every gathering), and the payments
    go on, each doing the work itself as if never looked ahead."""

    def __init__(self, look_ahead: Callable[[Sequence[Any]], None], what: str) -> None:
        self._look_ahead = look_ahead
        self._what = what  # which payments, for the log
        self._failures = _FailureLog()

    def __call__(self, arrivals: Sequence[Any]) -> bool:
        """Whether the look-ahead ran."""
        try:
            self._look_ahead(arrivals)
            return True
        except Exception:
            self._failures.exception(
                "a look-ahead for %d %s payments failed", len(arrivals), self._what
            )
            return False


class _FailureLog:
    """The exception being handled, logged at most once every `look_ahead_failure_log_s`:
    what fails for every gathering (a database down) is said once a minute, not each time."""

    def __init__(self) -> None:
        self._next_logged = -math.inf  # monotonic seconds from which one is logged

    def exception(self, message: str, *args: object) -> None:
        now = time.monotonic()
        if now >= self._next_logged:
            self._next_logged = now + look_ahead_failure_log_s
            _log.exception(message, *args)

"""Payments past a bound in flight are turned away at once (docs/adr/0108).

A server offered more payments than it can serve does not get faster by accepting them: each
one accepted waits behind the others, so under a festival's overload every payment is slow
(3,000 payments/s offered to a machine that served about 1,300: half waited 10 s, one in a
hundred 18 s), and a client that gives up and retries adds to the pile. So the edge counts
the payments it has let in and not yet answered, and once `payments_in_flight_max` are in
flight a new one is answered `503 server_busy` with `Retry-After` at once: nothing of it
begun (its Idempotency-Key not claimed, no record, no ledger call), so a retry with the same
key is served as if the first had never come. The payments let in are served as fast as the
server can, and the memory they hold is bounded whatever the number of connections.

The count is the process's own (each worker of `colony serve --workers N` bounds its own),
kept on its event loop: no lock.
"""

from __future__ import annotations

import logging
import math
import time
from collections.abc import Callable

from colony.api.errors import ApiError

_log = logging.getLogger(__name__)

# Payments a process serves at once at most, counted from a whole body to the answer. At the
# bar (1,500 payments/s, about 20 ms each) about 30 are in flight, and a gathering lets 64
# through together: 128 is twice that, and holds a queue of about 128 / 1,100 = 0.12 s on
# the slowest machine measured, overloaded (docs/adr/0108).
payments_in_flight_max = 128
# Seconds a payment turned away is asked to wait before it is sent again.
busy_retry_after_s = 1
# Payments turned away are logged at most once in this many seconds (with how many since),
# and those after the last line once a payment is let in after this long.
busy_log_every_s = 10.0


def server_busy() -> ApiError:
    """The answer to a payment turned away: a refusal for now, never kept as its key's."""
    return ApiError(
        503,
        "server_busy",
        "Colony is serving as many payments as it can; retry in "
        f"{busy_retry_after_s} s with the same Idempotency-Key",
        type_="api_error",
        retry_after_s=busy_retry_after_s,
    )


class PaymentsInFlight:
    """The payments a process has let in and not yet answered, at most `in_flight_max`.
    Used on one event loop (the server's): no lock. A payment is counted once its body is
    whole (`PaymentsFirst`), so a client that sends its body slowly holds no place."""

    def __init__(
        self,
        in_flight_max: int = payments_in_flight_max,
        monotonic_s: Callable[[], float] = time.monotonic,
    ) -> None:
        if in_flight_max < 1:
            raise ValueError(f"at least one payment must be let in at once, not {in_flight_max}")
        self.in_flight_max = in_flight_max
        self.in_flight = 0
        self.turned_away = 0  # since the process started
        self._monotonic_s = monotonic_s  # when to log again
        self._logged_at = -math.inf
        self._logged_count = 0

    def enter(self) -> bool:
        """Whether a payment may go on now (then `leave` once it is answered, however it
        ends); False counts it as turned away."""
        if self.in_flight >= self.in_flight_max:
            self.turned_away += 1
            self._log_now_and_then()
            return False
        self.in_flight += 1
        if self.turned_away != self._logged_count:
            self._log_now_and_then()  # those turned away since the last line, once it is due
        return True

    def leave(self) -> None:
        self.in_flight -= 1

    def _log_now_and_then(self) -> None:
        now = self._monotonic_s()
        if now - self._logged_at < busy_log_every_s:
            return
        _log.warning(
            "%d payments in flight: %d turned away (server_busy) since the last report",
            self.in_flight,
            self.turned_away - self._logged_count,
        )
        self._logged_at, self._logged_count = now, self.turned_away

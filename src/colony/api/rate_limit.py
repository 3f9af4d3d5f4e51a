"""Per-caller rate limits: a token bucket per API credential (or per address when anonymous).

Integers only: tokens are counted in thousandths, refilled from the clock's nanoseconds. The
table of buckets is bounded: past `rate_limit_callers_max` callers, the least recently seen
bucket is forgotten (it was full again anyway, or nearly).
"""

from __future__ import annotations

import threading
from collections import OrderedDict

from colony.kernel.clock import NS_PER_S, Clock

# Defaults: a steady 100 requests a second per caller, bursts of 200 (Stripe's live-mode
# figure). A merchant whose terminals share one key at a festival peak needs more: raising it
# per key is for the operator, and comes with per-key settings.
rate_limit_per_s = 100
rate_limit_burst = 200
# The highest rate an operator may give one key, in requests a second (its burst is twice it).
rate_limit_per_s_max = 1_000_000
rate_limit_callers_max = 100_000
# One address (a shop's terminals behind one router, a mobile carrier's NAT) may carry many
# callers: its own bucket allows this many times one caller's.
address_share = 10
_MILLI = 1000


class RateLimiter:
    def __init__(
        self,
        clock: Clock,
        per_s: int = rate_limit_per_s,
        burst: int = rate_limit_burst,
        *,
        processes: int = 1,
    ) -> None:
        """`processes`: how many worker processes share each limit. Each enforces its share,
        since a caller's requests spread over the workers (`colony serve --workers`)."""
        if per_s <= 0 or burst <= 0 or processes <= 0:
            raise ValueError("rate, burst and processes must be positive")
        self._processes = processes
        self._clock = clock
        self._per_s = per_s
        self._capacity_milli = burst * _MILLI
        self._buckets: OrderedDict[str, tuple[int, int]] = OrderedDict()  # key -> (milli, ns)
        self._lock = threading.Lock()

    def take(self, caller: str, per_s: int | None = None) -> int:
        """0 if the request may go ahead, else the seconds to wait before trying again.

        `per_s` is the caller's own rate when an operator set one (its burst scales with it);
        None is the limiter's default."""
        rate = self._per_s if per_s is None else per_s
        capacity = (
            self._capacity_milli if per_s is None else self._capacity_milli * rate // self._per_s
        )
        # Never below one request each, or a low limit shared by many workers would refuse all.
        capacity = max(_MILLI, capacity // self._processes)
        refill_milli_per_s = max(1, rate * _MILLI // self._processes)
        now = self._clock.now_ns()
        with self._lock:
            milli, since = self._buckets.pop(caller, (capacity, now))
            milli = min(capacity, milli + (now - since) * refill_milli_per_s // NS_PER_S)
            if milli >= _MILLI:
                self._buckets[caller] = (milli - _MILLI, now)
                wait_s = 0
            else:
                self._buckets[caller] = (milli, now)
                wait_s = max(1, -(-(_MILLI - milli) // refill_milli_per_s))
            while len(self._buckets) > rate_limit_callers_max:
                self._buckets.popitem(last=False)
        return wait_s

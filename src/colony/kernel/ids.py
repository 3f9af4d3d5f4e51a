"""Identifier generation: 128-bit, time-ordered ids in the style TigerBeetle recommends.

The high 48 bits are milliseconds since the epoch and the low 80 bits are random, so ids
created close in time sort close together (index-friendly) and never collide in practice.
The clock and the random source are passed in, so a simulation replays from its seed.
"""

from __future__ import annotations

import random

from colony.kernel.clock import Clock

_RANDOM_BITS = 80


class IdGenerator:
    def __init__(self, clock: Clock, rng: random.Random) -> None:
        self._clock = clock
        self._rng = rng
        self._last_ms = 0
        self._last_random = 0

    def new_id(self) -> int:
        now_ms = self._clock.now_ns() // 1_000_000
        if now_ms <= self._last_ms:
            # Same millisecond (or a clock step back): stay monotonic by incrementing the
            # random part, as ULIDs do.
            now_ms = self._last_ms
            self._last_random += 1
        else:
            self._last_random = self._rng.getrandbits(_RANDOM_BITS - 1)
        self._last_ms = now_ms
        return (now_ms << _RANDOM_BITS) | self._last_random

"""Seeded random streams, one per name, all from one seed.

Each behaviour (and each part of the set-up) draws from its own stream, so adding a behaviour
never changes what the others draw. A stream is seeded from a stable hash of (seed, name):
SHA-256, never Python's `hash()`, which is salted per process.
"""

from __future__ import annotations

import hashlib
import random


def stream_seed(seed: int, name: str) -> int:
    digest = hashlib.sha256(f"{seed}:{name}".encode()).digest()
    return int.from_bytes(digest[:16], "big")


def stream(seed: int, name: str) -> random.Random:
    """The random stream of `name` under `seed`: the same numbers on every run and machine."""
    return random.Random(stream_seed(seed, name))

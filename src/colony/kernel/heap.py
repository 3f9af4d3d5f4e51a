"""The garbage collector of a long-lived server, or of a batch run over millions of records:
the heap it starts with set aside, and the youngest generation collected less often.

By the time `colony serve` (or one of its workers) has built its app, most of what its heap
will ever hold is there and stays: modules, the app and its routes, pydantic's validators,
the stores' caches. CPython's cyclic collector would walk those objects again at every
older generation's collection, though none of them will ever be garbage. `gc.freeze()` moves
them to a permanent generation that collections skip.

A payment allocates many short-lived container objects (dicts, the request's scope,
futures, generator frames) and frees nearly all of them by reference counting as it ends;
the collector is needed only for the rare cycle. At the default threshold (700 allocations)
the youngest generation was collected many times a second under load; at 20,000 it is
collected a thirtieth as often, and the memory a cycle holds still comes back within a
fraction of a second at that rate (at most 20,000 objects, a few MiB, wait for it).

A day's run of a million loans is the same shape: the ledger's accounts stay, and each loan's
records are freed as its page ends. Settled before the run, the collector spent about a third
of the time it did (0.15 s against 0.5 s at 100,000 loans, docs/benchmarks.md).
"""

from __future__ import annotations

import contextlib
import gc
from collections.abc import Iterator

# Container allocations (net of frees) between two collections of the youngest generation.
gen0_allocations_max = 20_000


def settle() -> None:
    """Call once start-up is done, before serving or a batch run: collect the garbage of
    start-up (so it is not frozen with the rest), freeze what remains, and raise the gen-0
    threshold."""
    gc.collect()
    gc.freeze()
    _, gen1, gen2 = gc.get_threshold()
    gc.set_threshold(gen0_allocations_max, gen1, gen2)


@contextlib.contextmanager
def settled() -> Iterator[None]:
    """`settle` for the span of a batch run, then the collector as it was: a command run
    inside another process (a test's, a shell's) leaves that process's heap as it found it."""
    threshold, frozen_before = gc.get_threshold(), gc.get_freeze_count()
    settle()
    try:
        yield
    finally:
        if not frozen_before:  # a server settled before keeps its frozen heap
            gc.unfreeze()
        gc.set_threshold(*threshold)

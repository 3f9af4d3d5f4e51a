"""A server's heap after start-up: frozen, and gen-0 collected less often."""

from __future__ import annotations

import gc

from colony.cli import serving_heap


def test_settle_freezes_the_start_up_heap_and_raises_the_gen0_threshold() -> None:
    threshold = gc.get_threshold()
    try:
        serving_heap.settle()
        assert gc.get_freeze_count() > 0
        assert gc.get_threshold() == (20_000, threshold[1], threshold[2])
        assert serving_heap.gen0_allocations_max == 20_000
    finally:
        gc.unfreeze()
        gc.set_threshold(*threshold)

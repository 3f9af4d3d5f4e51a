"""A server's heap after start-up: frozen, and gen-0 collected less often."""

from __future__ import annotations

import gc

from colony.kernel import heap


def test_settle_freezes_the_start_up_heap_and_raises_the_gen0_threshold() -> None:
    threshold = gc.get_threshold()
    try:
        heap.settle()
        assert gc.get_freeze_count() > 0
        assert gc.get_threshold() == (20_000, threshold[1], threshold[2])
        assert heap.gen0_allocations_max == 20_000
    finally:
        gc.unfreeze()
        gc.set_threshold(*threshold)


def test_settled_gives_the_collector_back_as_it_was() -> None:
    gc.unfreeze()
    threshold = gc.get_threshold()
    with heap.settled():
        assert gc.get_freeze_count() > 0
        assert gc.get_threshold()[0] == heap.gen0_allocations_max
    assert (gc.get_threshold(), gc.get_freeze_count()) == (threshold, 0)

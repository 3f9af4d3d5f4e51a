"""The counters' shared windows against a reference model: one list of events read as the
last minute, hour and day (`_Windows`) counts and sums what three windows kept apart
(`Window`, one list each) would, whatever the order of the events' times, with the cap
reached or not; and a wallet's usual place, kept as its cells change, is the cell paid in
most, as looking for it at every payment finds it."""

from __future__ import annotations

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from colony.kernel.clock import NS_PER_S
from colony.risk import Place
from colony.risk import features as features_module
from colony.risk.features import (
    WINDOW_1H_NS,
    WINDOW_1M_NS,
    WINDOW_24H_NS,
    Window,
    _Wallet,
    _Windows,
)

# Steps: ("add", seconds from the start, attempts, amount) or ("advance", seconds).
_STEP = st.one_of(
    st.tuples(st.just("add"), st.integers(0, 200_000), st.integers(0, 1), st.integers(0, 10**15)),
    st.tuples(st.just("advance"), st.integers(0, 200_000)),
)


@settings(max_examples=300, deadline=None)
@given(st.lists(_STEP, max_size=120), st.sampled_from([3, 7, 4_096]))
def test_the_shared_windows_count_as_three_windows_apart(
    steps: list[tuple[object, ...]], cap: int
) -> None:
    with pytest.MonkeyPatch.context() as patch:
        patch.setattr(features_module, "window_events_max", cap)
        shared = _Windows()
        apart = [Window(WINDOW_1M_NS), Window(WINDOW_1H_NS), Window(WINDOW_24H_NS)]
        time_ns = 0
        for step in steps:
            if step[0] == "add":
                _, at_s, attempts, amount = step
                time_ns = int(at_s) * NS_PER_S  # type: ignore[call-overload]
                shared.add(time_ns, attempts, amount)  # type: ignore[arg-type]
                for window in apart:
                    window.add(time_ns, attempts, amount)  # type: ignore[arg-type]
            else:
                time_ns = int(step[1]) * NS_PER_S  # type: ignore[call-overload]
                shared.advance(time_ns)
                for window in apart:
                    window.advance(time_ns)
            held = (shared.m1.held, shared.h1.held, len(shared._events))
            for span, window, n in zip(
                (shared.m1, shared.h1, shared.h24), apart, held, strict=True
            ):
                assert (span.count, span.sum_minor) == (window.count, window.sum_minor)
                assert n == len(window._events)


def test_a_full_list_gives_its_oldest_up_from_each_window_holding_it(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    monkeypatch.setattr(features_module, "window_events_max", 3)
    windows = _Windows()
    windows.add(0, 1, 10)  # a day ago and more, by the end
    windows.add(WINDOW_24H_NS - 10 * NS_PER_S, 1, 20)
    windows.add(WINDOW_24H_NS - 5 * NS_PER_S, 1, 40)
    windows.advance(WINDOW_24H_NS - 5 * NS_PER_S)
    assert (windows.m1.count, windows.m1.sum_minor) == (2, 60)
    assert (windows.h24.count, windows.h24.sum_minor) == (3, 70)
    windows.add(WINDOW_24H_NS, 0, 80)  # the list is full: the first event leaves the day
    assert (windows.m1.count, windows.m1.sum_minor, windows.m1.held) == (2, 140, 3)
    assert (windows.h24.count, windows.h24.sum_minor, len(windows._events)) == (2, 140, 3)


_PLACE = st.builds(
    Place,
    st.integers(-3, 3).map(lambda d: d * 1_000_000 + 500_000),
    st.integers(-3, 3).map(lambda d: d * 1_000_000 + 250_000),
)


@settings(max_examples=200, deadline=None)
@given(st.lists(_PLACE, max_size=80), st.sampled_from([2, 3, 16]))
def test_the_usual_place_is_the_cell_paid_in_most(places: list[Place], cells_max: int) -> None:
    with pytest.MonkeyPatch.context() as patch:
        patch.setattr(features_module, "home_cells_max", cells_max)
        wallet = _Wallet(0)
        for place in places:
            wallet.paid_at(place)
            count, lat, lon = max(wallet.cells.values())
            assert wallet.usual_place() == Place(lat // count, lon // count)
        if not places:
            assert wallet.usual_place() is None

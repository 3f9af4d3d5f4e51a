"""The packaged gazetteer reads whole and real, and a seed's streams never change."""

from __future__ import annotations

import zoneinfo

from colony.kernel.countries import iso_3166_alpha_2
from colony.kernel.money import ledger_of
from colony.simulator import cities, stream
from colony.simulator.streams import stream_seed


def test_the_gazetteer_holds_real_places() -> None:
    found = cities()
    assert len(found) >= 30
    names = [c.name for c in found]
    assert len(set(names)) == len(names)
    for c in found:
        assert iso_3166_alpha_2(c.country), c
        assert ledger_of(c.currency) > 0
        zoneinfo.ZoneInfo(c.timezone)
        assert -90 <= c.lat <= 90 and -180 <= c.lon <= 180
        assert len(c.name) <= 15 and c.dial.isdigit() and c.minor_per_usd > 0
    singapore = next(c for c in found if c.name == "Singapore")
    assert (singapore.country, singapore.currency, singapore.timezone) == (
        "SG", "SGD", "Asia/Singapore"
    )  # fmt: skip
    assert {c.name for c in found if c.tourists_from} >= {"Shanghai", "Manila"}
    assert {c.name for c in found if c.tourists_to} >= {"Singapore", "Rovaniemi"}


def test_streams_are_stable_across_runs_and_independent_by_name() -> None:
    # SHA-256 of "1:spending", not Python's salted hash(): the same on every run and machine.
    assert stream_seed(1, "spending") == 0xAB806D4B272734C71AA892520D980563
    assert stream(1, "spending").random() == stream(1, "spending").random()
    assert stream(1, "spending").random() != stream(1, "p2p").random()
    assert stream(1, "spending").random() != stream(2, "spending").random()

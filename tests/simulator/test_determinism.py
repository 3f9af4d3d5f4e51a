"""Same seed and arguments, the same ledger; another seed, another ledger (property tests)."""

from __future__ import annotations

import itertools
import random
from collections.abc import Iterable
from pathlib import Path

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from colony.simulator import Action, Day, Person, default_behaviours
from tests.simulator.market_helpers import run_market

_runs = itertools.count()


def _fresh(tmp_path: Path) -> Path:
    return tmp_path / f"market-{next(_runs)}.db"


@settings(max_examples=3, deadline=None)
@given(
    seed=st.integers(min_value=0, max_value=2**32),
    people=st.integers(min_value=6, max_value=14),
    days=st.integers(min_value=1, max_value=2),
)
def test_the_same_seed_builds_the_same_ledger(
    tmp_path_factory: pytest.TempPathFactory, seed: int, people: int, days: int
) -> None:
    tmp = tmp_path_factory.mktemp("same")
    first, digest = run_market(_fresh(tmp), people=people, merchants=24, days=days, seed=seed)
    again, digest_again = run_market(_fresh(tmp), people=people, merchants=24, days=days, seed=seed)
    assert digest == digest_again
    assert first.stats == again.stats and first.payments == again.payments


@settings(max_examples=3, deadline=None)
@given(seed=st.integers(min_value=0, max_value=2**32))
def test_another_seed_builds_another_ledger(
    tmp_path_factory: pytest.TempPathFactory, seed: int
) -> None:
    tmp = tmp_path_factory.mktemp("other")
    _, digest = run_market(_fresh(tmp), people=8, merchants=24, days=1, seed=seed)
    _, other = run_market(_fresh(tmp), people=8, merchants=24, days=1, seed=seed + 1)
    assert digest != other


class WalkingSteps:
    """A later product's behaviour: it draws from its own stream and, here, moves no money."""

    name = "walking steps"

    def __init__(self) -> None:
        self.steps = 0

    def plan(self, day: Day, person: Person, rng: random.Random) -> Iterable[Action]:
        self.steps += rng.randint(0, 20_000)
        return ()


def test_a_new_behaviour_changes_nothing_the_others_draw(tmp_path: Path) -> None:
    _, alone = run_market(tmp_path / "alone.db", people=10, merchants=24, days=2, seed=9)
    walking = WalkingSteps()
    with_it = [*default_behaviours(), walking]
    _, beside = run_market(
        tmp_path / "beside.db", people=10, merchants=24, days=2, seed=9, behaviours=with_it
    )
    assert alone == beside and walking.steps > 0

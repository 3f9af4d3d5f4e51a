"""Same seed and arguments, the same ledger; another seed, another ledger (property tests)."""

from __future__ import annotations

import itertools
from pathlib import Path

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

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

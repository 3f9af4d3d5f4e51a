"""A fresh world per test (tests/loans/world.py), and the loopback server on each backend."""

from collections.abc import Iterator
from pathlib import Path

import pytest

from tests.api.test_funding_api import served_at, served_at_each_backend
from tests.loans.world import World, make_world

__all__ = ["served_at", "served_at_each_backend"]


@pytest.fixture
def world(tmp_path: Path) -> Iterator[World]:
    made = make_world(f"sqlite:///{tmp_path}/colony.db")
    yield made
    made.close()

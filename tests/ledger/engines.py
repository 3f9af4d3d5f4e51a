"""Both of the ledger's paths (docs/adr/0069): the C hot path and the Python it shadows.

Tests that must hold on both run under `running_on(engine)` for each of `ENGINES`. Where the
C path was not built (no C compiler), its runs skip loudly, and fail under CI, which builds it.
"""

from __future__ import annotations

import contextlib
import os
from collections.abc import Iterator

import pytest

from colony.ledger import native

ENGINES = ("c", "python")


@contextlib.contextmanager
def running_on(engine: str) -> Iterator[None]:
    built = native.engine
    if engine == "c" and built is None:
        if os.environ.get("CI") == "true":
            pytest.fail("the ledger's C hot path is not built: CI builds it (scripts/bootstrap)")
        pytest.skip("the ledger's C hot path is not built here: run scripts/bootstrap")
    native.engine = built if engine == "c" else None
    try:
        yield
    finally:
        native.engine = built


def _on_each(request: pytest.FixtureRequest) -> Iterator[str]:
    with running_on(request.param):
        yield request.param


# A module that imports it runs each of its tests once on each path.
each_engine = pytest.fixture(params=ENGINES, autouse=True, name="each_engine")(_on_each)

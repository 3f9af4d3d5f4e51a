"""The loopback server (a clock the test moves, a bank registered), as the API's tests use
it, for the screens; and the visitors a test opened, closed after it."""

from collections.abc import Iterator

import pytest

from tests.api.test_funding_api import served_at, served_at_each_backend
from tests.web.visitor import opened

__all__ = ["served_at", "served_at_each_backend"]


@pytest.fixture(autouse=True)
def _close_visitors() -> Iterator[None]:
    yield
    while opened:
        opened.pop().close()

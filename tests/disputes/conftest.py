"""The loopback server on each backend, as the API's tests use it, and the screens' visitors
closed after each test."""

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

"""The loopback server on each backend, as the API's tests use it, and the screens' visitors
closed after each test (the web tests' own fixture)."""

from tests.api.test_funding_api import served_at, served_at_each_backend
from tests.web.conftest import _close_visitors

__all__ = ["_close_visitors", "served_at", "served_at_each_backend"]

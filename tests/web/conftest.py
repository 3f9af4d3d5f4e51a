"""The loopback server (a clock the test moves, a bank registered), as the API's tests use
it, for the screens."""

from tests.api.test_funding_api import served_at, served_at_each_backend

__all__ = ["served_at", "served_at_each_backend"]

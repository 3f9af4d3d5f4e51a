"""The loopback server on a clock the test moves, as the API's tests use it."""

from tests.api.test_funding_api import served_at

__all__ = ["served_at"]

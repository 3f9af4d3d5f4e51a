"""The loopback server on each backend, as the API's tests use it."""

from tests.api.test_funding_api import served_at_each_backend

__all__ = ["served_at_each_backend"]

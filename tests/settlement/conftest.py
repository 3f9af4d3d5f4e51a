"""The loopback server fixtures of the API tests, for settlement over HTTP."""

from tests.api.test_funding_api import served_at, served_at_each_backend

__all__ = ["served_at", "served_at_each_backend"]

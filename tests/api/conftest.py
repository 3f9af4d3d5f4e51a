"""The loopback server fixture, shared by every API test module."""

from tests.api.test_wallet_api import served

__all__ = ["served"]

"""The loopback server on a clock the test moves, for the wallets' HTTP tests."""

from tests.api.test_funding_api import served_at

__all__ = ["served_at"]

"""The loopback server fixture (and a merchant with a paying customer), shared by every API
test module."""

from tests.api.test_funding_api import served_at, served_at_each_backend
from tests.api.test_payment_api import shop
from tests.api.test_wallet_api import served

__all__ = ["served", "served_at", "served_at_each_backend", "shop"]

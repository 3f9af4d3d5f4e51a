"""The loopback API server and the payments fixture, shared with the API and payments tests."""

from tests.api.test_wallet_api import served
from tests.payments.test_qr_payment import shop

__all__ = ["served", "shop"]

from __future__ import annotations

from colony.merchants.model import (
    ACCOUNT_MERCHANT,
    ACCOUNT_REVENUE,
    QR_SCHEME_GUI,
    TRANSFER_DISCOUNT_FEE,
    Merchant,
)
from colony.merchants.service import MerchantService, revenue_account_id
from colony.merchants.sql_store import open_merchant_store
from colony.merchants.webhook_signature import HEADER, sign

__all__ = [
    "ACCOUNT_MERCHANT",
    "ACCOUNT_REVENUE",
    "HEADER",
    "QR_SCHEME_GUI",
    "TRANSFER_DISCOUNT_FEE",
    "Merchant",
    "MerchantService",
    "open_merchant_store",
    "revenue_account_id",
    "sign",
]

from __future__ import annotations

from colony.merchants.model import (
    ACCOUNT_MERCHANT,
    ACCOUNT_REVENUE,
    QR_SCHEME_GUI,
    TRANSFER_DISCOUNT_FEE,
    Merchant,
    MerchantSuspension,
    suspension_reason_chars_max,
)
from colony.merchants.payouts import (
    PaidOut,
    Payout,
    PayoutResult,
    PayoutService,
    day_named,
    every_merchant,
    paid_out,
    payout_days_back_max,
    payout_id,
    payout_reference,
)
from colony.merchants.places import MerchantPlace, place_of
from colony.merchants.poster import poster_pdf, poster_png, poster_svg
from colony.merchants.service import (
    MerchantService,
    OnboardResult,
    SuspensionResult,
    discount_bps_max,
    revenue_account_id,
)
from colony.merchants.sql_store import open_merchant_store
from colony.merchants.sql_user_store import open_merchant_user_store
from colony.merchants.suspension_notices import SuspensionNotices
from colony.merchants.takings import DAY_NS, Takings, TakingsBook, day_of
from colony.merchants.user_service import MerchantUserService, credential_subject
from colony.merchants.users import (
    MerchantUser,
    RefundReason,
    Role,
    UserResult,
    email_chars_max,
    refund_reason_chars_max,
    user_name_chars_max,
)
from colony.merchants.webhook_signature import HEADER, sign

__all__ = [
    "ACCOUNT_MERCHANT",
    "ACCOUNT_REVENUE",
    "DAY_NS",
    "HEADER",
    "QR_SCHEME_GUI",
    "TRANSFER_DISCOUNT_FEE",
    "Merchant",
    "MerchantPlace",
    "MerchantService",
    "MerchantSuspension",
    "MerchantUser",
    "MerchantUserService",
    "OnboardResult",
    "PaidOut",
    "Payout",
    "PayoutResult",
    "PayoutService",
    "RefundReason",
    "Role",
    "SuspensionNotices",
    "SuspensionResult",
    "Takings",
    "TakingsBook",
    "UserResult",
    "credential_subject",
    "day_named",
    "day_of",
    "discount_bps_max",
    "email_chars_max",
    "every_merchant",
    "open_merchant_store",
    "open_merchant_user_store",
    "paid_out",
    "payout_days_back_max",
    "payout_id",
    "payout_reference",
    "place_of",
    "poster_pdf",
    "poster_png",
    "poster_svg",
    "refund_reason_chars_max",
    "revenue_account_id",
    "sign",
    "suspension_reason_chars_max",
    "user_name_chars_max",
]

"""A merchant: who they are, what they sell, where, in which currency, at what discount rate."""

from __future__ import annotations

from dataclasses import dataclass

from colony.chart import AccountCode, TransferCode

# Ledger codes: the chart's (docs/chart-of-accounts.md), under the names this package uses.
ACCOUNT_MERCHANT: int = AccountCode.merchant
ACCOUNT_REVENUE: int = AccountCode.fee_revenue
TRANSFER_DISCOUNT_FEE: int = TransferCode.discount_fee
# The scheme id Colony prints in template 26 of its merchants' QR codes.
QR_SCHEME_GUI = "org.colony"


@dataclass(frozen=True)
class Merchant:
    id: str  # "mer_" + hex; also the merchant id inside its QR codes
    legal_name: str
    display_name: str  # printed on QR codes: 25 characters at most
    mcc: str  # ISO 18245 merchant category code, 4 digits
    country: str  # ISO 3166 alpha-2
    city: str
    currency: str
    ledger: int
    discount_bps: int  # the fee the merchant pays per payment, in basis points
    account_id: int
    created_at_ns: int


# A suspension's reason, in characters: the audit log keeps it.
suspension_reason_chars_max = 500


@dataclass(frozen=True)
class MerchantSuspension:
    """The operator stopped a merchant taking payments (fraud, a closed business, a court
    order): until it is reinstated, every payment to it is refused; refunds and voids of its
    payments still give payers their money back, and it keeps its balance and payouts."""

    merchant_id: str
    reason: str
    suspended_at_ns: int

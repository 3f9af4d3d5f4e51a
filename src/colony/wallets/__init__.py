"""Wallets: accounts people open for one coin, with KYC tiers and limits, and P2P transfers."""

from __future__ import annotations

from colony.wallets.funding import FundingMovement, FundingPartner, MovementKind
from colony.wallets.funding_service import FundingService
from colony.wallets.model import (
    ACCOUNT_WALLET,
    Tier,
    Wallet,
    WalletFreeze,
    freeze_reason_chars_max,
)
from colony.wallets.requests import MoneyRequest, MoneyRequests, RequestStatus
from colony.wallets.results import WalletResult
from colony.wallets.service import WalletService
from colony.wallets.sql_funding_store import open_funding_store
from colony.wallets.sql_request_store import open_request_store
from colony.wallets.sql_store import open_wallet_store
from colony.wallets.store import WalletStore

__all__ = [
    "ACCOUNT_WALLET",
    "FundingMovement",
    "FundingPartner",
    "FundingService",
    "MoneyRequest",
    "MoneyRequests",
    "MovementKind",
    "RequestStatus",
    "Tier",
    "Wallet",
    "WalletFreeze",
    "WalletResult",
    "WalletService",
    "WalletStore",
    "freeze_reason_chars_max",
    "open_funding_store",
    "open_request_store",
    "open_wallet_store",
]

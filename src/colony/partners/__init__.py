"""Partner wallets as tenants: who they are, which wallets and merchants are theirs, and what
they owe each other for payments across them."""

from __future__ import annotations

from colony.partners.clearing import (
    TRANSFER_PARTNER_CLEARING,
    TRANSFER_PARTNER_FX,
    Clearing,
    clearing_account_ids,
)
from colony.partners.model import HOUSE_PARTNER_ID, MemberKind, Partner
from colony.partners.service import PartnerResult, PartnerService, partner_name_chars_max
from colony.partners.sql_store import open_partner_store
from colony.partners.store import PartnerStore

__all__ = [
    "HOUSE_PARTNER_ID",
    "TRANSFER_PARTNER_CLEARING",
    "TRANSFER_PARTNER_FX",
    "Clearing",
    "MemberKind",
    "Partner",
    "PartnerResult",
    "PartnerService",
    "PartnerStore",
    "clearing_account_ids",
    "open_partner_store",
    "partner_name_chars_max",
]

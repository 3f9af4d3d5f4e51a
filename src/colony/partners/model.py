"""A partner: a wallet operator running on this Colony as a tenant, with its own country,
currency, brand, users and merchants."""

from __future__ import annotations

import enum
from dataclasses import dataclass

# The platform itself: every wallet and merchant no partner opened belongs to it.
HOUSE_PARTNER_ID = "colony"


class MemberKind(enum.StrEnum):
    wallet = "wallet"
    merchant = "merchant"


@dataclass(frozen=True)
class Partner:
    id: str  # "ptn_" + 32 hex digits
    name: str  # the legal or trading name, e.g. "GCash-like Inc"
    brand: str  # what its users see, e.g. "GPay"
    country: str  # ISO 3166-1 alpha-2, where it is licensed
    currency: str  # ISO 4217, its home currency
    created_at_ns: int

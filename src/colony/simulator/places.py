"""Kinds of merchant, with their category code, opening hours, prices and who visits them.

Prices are in US cents and scaled to each city's price level and currency when a merchant is
placed (`Shop.price_minor`), so a hawker meal in Singapore and a taxi in Rovaniemi cost what
they would there, in integers of minor units.
"""

from __future__ import annotations

from dataclasses import dataclass


@dataclass(frozen=True, slots=True)
class MerchantKind:
    key: str
    label: str  # the start of a display name
    mcc: str  # ISO 18245
    opens_h: int  # local time, inclusive
    closes_h: int  # local time, exclusive (24: midnight)
    price_usd_cents_min: int
    price_usd_cents_max: int
    discount_bps: int
    share: int  # of a city's merchants, relative
    resident_weight: int  # how often a resident picks it, relative
    tourist_weight: int  # how often a tourist picks it, relative

    def open_at(self, hour: int) -> bool:
        return self.opens_h <= hour < self.closes_h


KINDS = (
    MerchantKind("hawker", "Hawker Stall", "5812", 7, 22, 300, 900, 150, 25, 30, 12),
    MerchantKind("cafe", "Kopi Corner", "5814", 6, 19, 250, 800, 120, 14, 16, 8),
    MerchantKind("restaurant", "Bistro", "5812", 11, 23, 1_500, 6_000, 180, 12, 8, 12),
    MerchantKind("grocery", "Grocer", "5411", 8, 22, 1_000, 8_000, 100, 12, 12, 2),
    MerchantKind("convenience", "Mini Mart", "5499", 0, 24, 200, 1_500, 120, 9, 10, 6),
    MerchantKind("taxi", "Taxi", "4121", 0, 24, 600, 4_000, 200, 10, 8, 14),
    MerchantKind("pharmacy", "Pharmacy", "5912", 9, 21, 500, 4_000, 120, 5, 3, 1),
    MerchantKind("luxury", "Maison", "5944", 10, 21, 30_000, 300_000, 250, 2, 1, 4),
    MerchantKind("gifts", "Gift Shop", "5947", 9, 20, 800, 6_000, 200, 4, 1, 10),
    MerchantKind("hotel", "Hotel", "7011", 0, 24, 8_000, 40_000, 250, 4, 0, 5),
    MerchantKind("attraction", "Sights", "7991", 9, 18, 1_500, 9_000, 200, 3, 1, 8),
)

KIND_BY_KEY = {k.key: k for k in KINDS}

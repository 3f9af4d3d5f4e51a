"""How loans' figures read on the screens: a share in basis points as a percentage."""

from __future__ import annotations

from decimal import Decimal


def percent(bps: int) -> str:
    """Basis points as a percentage, without trailing zeros (1800: "18")."""
    return f"{Decimal(bps) / 100:f}".rstrip("0").rstrip(".") if bps % 100 else str(bps // 100)

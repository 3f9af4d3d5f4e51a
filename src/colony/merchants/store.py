"""What the merchants context keeps outside the ledger."""

from __future__ import annotations

from typing import Protocol

from colony.merchants.model import Merchant


class MerchantStore(Protocol):
    def insert(self, merchant: Merchant) -> None: ...

    def by_id(self, merchant_id: str) -> Merchant | None: ...

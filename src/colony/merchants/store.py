"""What the merchants context keeps outside the ledger."""

from __future__ import annotations

from typing import Protocol

from colony.merchants.model import Merchant, MerchantSuspension


class MerchantStore(Protocol):
    def insert(self, merchant: Merchant) -> None: ...

    def by_id(self, merchant_id: str) -> Merchant | None: ...

    def page(self, starting_after: str | None, limit: int) -> list[Merchant]:
        """Merchants by id, after `starting_after`."""
        ...

    def named(self, text: str, limit: int) -> list[Merchant]:
        """Up to `limit` merchants whose legal or display name holds `text`, any case."""
        ...

    def suspend(self, suspension: MerchantSuspension) -> bool:
        """Keep the suspension; False (and nothing changed) when it is suspended already."""
        ...

    def reinstate(self, merchant_id: str) -> bool:
        """Lift the merchant's suspension; False when it had none."""
        ...

    def is_suspended(self, merchant_id: str) -> bool: ...

    def suspension_of(self, merchant_id: str) -> MerchantSuspension | None: ...

    def suspensions(
        self, limit: int, after: tuple[int, str] | None = None
    ) -> list[MerchantSuspension]:
        """Up to `limit` suspensions in force, the newest first; `after` (when, merchant id)
        of the last one of the page before: the next page."""
        ...

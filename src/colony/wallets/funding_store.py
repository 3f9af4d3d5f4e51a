"""What the funding records keep outside the ledger: partners, and who asked for which movement."""

from __future__ import annotations

from typing import Protocol

from colony.wallets.funding import FundingMovement, FundingPartner


class FundingStore(Protocol):
    def add_partner(self, partner: FundingPartner) -> bool:
        """Store a new partner; False if that name already has one in that currency."""
        ...

    def partner(self, name: str, currency: str) -> FundingPartner | None: ...

    def partners(self, currency: str | None = None) -> list[FundingPartner]:
        """Every partner (in one currency if given), by name."""
        ...

    def add_movement(self, movement: FundingMovement) -> bool:
        """Store a new top-up or withdrawal; False if its id is already stored."""
        ...

    def movement(self, movement_id: str) -> FundingMovement | None: ...

    def remove_movement(self, movement_id: str) -> None:
        """Forget a movement the ledger refused: nothing moved, and the answer was given."""
        ...

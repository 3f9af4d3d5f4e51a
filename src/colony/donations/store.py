"""What the donations context keeps outside the ledger: its causes."""

from __future__ import annotations

from typing import Protocol

from colony.donations.model import Cause


class CauseStore(Protocol):
    def insert(self, cause: Cause) -> None: ...

    def by_id(self, cause_id: str) -> Cause | None: ...

    def all(self) -> list[Cause]:
        """Every cause, oldest first."""
        ...

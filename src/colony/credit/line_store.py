"""What the credit line keeps outside the ledger (docs/adr/0052): the lines and the plans
asked for. Its money, and so what is owed and available, is read from the ledger."""

from __future__ import annotations

from typing import Protocol

from colony.credit.line_records import CreditLine, PlanRequest, PlanStatus


class LineStore(Protocol):
    def insert(self, line: CreditLine) -> CreditLine:
        """The line as stored: this one, or the wallet's line in that currency already."""
        ...

    def by_id(self, line_id: str) -> CreditLine | None: ...

    def by_wallet(self, wallet_id: str, currency: str) -> CreditLine | None: ...

    def by_principal(self, account_id: int) -> CreditLine | None: ...

    def page(self, after_id: str, limit: int) -> list[CreditLine]:
        """Lines in id order after `after_id` (at most `limit`)."""
        ...

    def save(self, line: CreditLine) -> None:
        """The line's model and limit changes as they are now."""
        ...

    def add_plan(self, plan: PlanRequest) -> PlanRequest:
        """The plan as stored: this one, or the one asked before with the same id."""
        ...

    def plans(self, line_id: str, limit: int, *, newest_first: bool = False) -> list[PlanRequest]:
        """The line's plans asked for, oldest first (or `newest_first`), at most `limit`."""
        ...

    def mark_plan(self, plan_id: str, status: PlanStatus) -> None: ...

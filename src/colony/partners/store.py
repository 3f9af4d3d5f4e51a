"""What the partners context keeps: partners, and which partner each wallet and merchant
belongs to (a member's partner never changes once recorded)."""

from __future__ import annotations

from typing import Protocol

from colony.partners.model import MemberKind, Partner


class PartnerStore(Protocol):
    def add(self, partner: Partner) -> None:
        """Store a new partner (ids are drawn at random, never reused)."""
        ...

    def by_id(self, partner_id: str) -> Partner | None: ...

    def page(self, starting_after: str | None, limit: int) -> list[Partner]:
        """Partners by id (so by creation), after `starting_after`."""
        ...

    def add_member(self, kind: MemberKind, member_id: str, partner_id: str) -> None: ...

    def partner_of(self, kind: MemberKind, member_id: str) -> str | None:
        """The partner a wallet or merchant belongs to; None: the house's."""
        ...

    def members(
        self, partner_id: str, kind: MemberKind, starting_after: str | None, limit: int
    ) -> list[str]:
        """A partner's wallet or merchant ids, by id, after `starting_after`."""
        ...

    def payment_ids(self, partner_id: str, starting_after: int | None, limit: int) -> list[int]:
        """The payments a partner's wallets made or its merchants received, newest first,
        after the payment `starting_after` (read from the payment records' table)."""
        ...

    def close(self) -> None: ...

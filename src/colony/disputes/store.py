"""What complaints and disputes keep outside the ledger."""

from __future__ import annotations

from typing import Protocol

from colony.disputes.model import Attachment, Complaint, Dispute, Event, Review


class ComplaintStore(Protocol):
    def insert(self, complaint: Complaint, first: Event) -> None:
        """A new complaint and its first event, together."""

    def change(self, before: Complaint, after: Complaint, event: Event) -> bool:
        """Move a complaint on and append the event, together, only if it is still as
        `before` left it (its status and update time): False when someone moved it first."""

    def by_id(self, complaint_id: str) -> Complaint | None: ...

    def of_wallet(self, wallet_id: str, limit: int) -> list[Complaint]:
        """Newest first."""

    def of_merchant(self, merchant_id: str, limit: int) -> list[Complaint]:
        """Newest first."""

    def count_received(
        self,
        merchant_id: str,
        from_ns: int,
        until_ns: int | None = None,
        category: str | None = None,
    ) -> int:
        """How many complaints about the merchant (of `category` only, when given) arrived
        at or after `from_ns` and before `until_ns` (None: up to now). The repeat rule
        counts one kind; a credit score counts all of its window (docs/adr/0065)."""

    def unresolved(self, limit: int) -> list[Complaint]:
        """Complaints not yet resolved or rejected, soonest (or longest overdue) first."""

    def overdue_count(self, now_ns: int) -> int: ...

    def since(self, from_ns: int, limit: int) -> list[Complaint]:
        """Complaints received at or after `from_ns`, oldest first."""

    def events_of(self, subject_id: str) -> list[Event]:
        """A complaint's or dispute's events, in order."""

    def add_attachment(self, attachment: Attachment, data: bytes, most: int) -> bool:
        """Store a photo as the complaint's `attachment.number`-th, unless it already has
        `most`: False then."""

    def attachments_of(self, complaint_id: str) -> list[Attachment]: ...

    def attachment_data(self, complaint_id: str, number: int) -> bytes | None: ...

    def record_outcome(
        self,
        transfer_id: int,
        subject_id: str,
        kind: str,
        amount_minor: int,
        currency: str,
        reason: str,
        actor_id: str,
        at_ns: int,
    ) -> tuple[str, int]:
        """An outcome's intent before its money moves (ADR 0003); if the transfer id was
        recorded already, what it was recorded for (subject and amount)."""  # fmt: skip

    def outcomes_of(self, subject_id: str) -> list[tuple[str, int, int, str, str]]:
        """(kind, transfer id, amount, currency, reason) of each outcome, in order."""

    def insert_dispute(self, dispute: Dispute, first: Event) -> bool:
        """False when the payment has a dispute already."""

    def change_dispute(self, before: Dispute, after: Dispute, event: Event) -> bool: ...

    def dispute(self, dispute_id: str) -> Dispute | None: ...

    def disputes_of_merchant(self, merchant_id: str, limit: int) -> list[Dispute]: ...

    def open_disputes(self, limit: int) -> list[Dispute]:
        """Disputes not yet decided, soonest deadline first."""

    def add_review(self, review: Review) -> None: ...

    def reviews(self, limit: int) -> list[Review]:
        """Newest first."""

    def last_review(self, merchant_id: str, category: str) -> Review | None: ...

"""What proving numbers and addresses keeps outside the ledger: verifications, and the SMS
and email outboxes."""

from __future__ import annotations

from typing import Protocol

from colony.phones.model import EmailMessage, PhoneVerification, SmsMessage


class VerificationStore(Protocol):
    def add_verification(self, verification: PhoneVerification) -> None:
        """Raises on an id already stored: ids are drawn at random, never reused."""

    def verification(self, verification_id: str) -> PhoneVerification | None: ...

    def codes_sent_since(self, address: str, since_ns: int) -> int:
        """How many verifications for `address` were started after `since_ns`."""

    def take_attempt(self, verification_id: str, attempts_max: int) -> bool:
        """Count one try at the code, atomically; False (and nothing counted) when
        `attempts_max` tries were already made. Concurrent tries, from any process, can never
        make more than `attempts_max` between them."""

    def mark_proved(self, verification_id: str, now_ns: int) -> None:
        """Record the first time the right code was given (later ones keep that time)."""


class OutboxStore(Protocol):
    def add_message(self, message: SmsMessage) -> None: ...

    def messages(
        self, before_id: str | None, limit: int, phone: str | None = None
    ) -> list[SmsMessage]:
        """Newest first: up to `limit` messages older than `before_id` (None: the newest),
        only those to `phone` when it is given."""


class EmailOutboxStore(Protocol):
    def add_email(self, message: EmailMessage) -> None: ...

    def emails(
        self, before_id: str | None, limit: int, address: str | None = None
    ) -> list[EmailMessage]:
        """Newest first, as `OutboxStore.messages`; only those to `address` when given."""


class PhoneStore(VerificationStore, OutboxStore, EmailOutboxStore, Protocol):
    """All three, as one SQL store keeps them."""

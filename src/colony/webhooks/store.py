"""What the webhooks context keeps: endpoints with their feed watermark, events, attempts."""

from __future__ import annotations

from collections.abc import Sequence
from typing import Protocol

from colony.webhooks.model import Attempt, Endpoint, Event, EventStatus


class WebhookStore(Protocol):
    def set_endpoint(self, endpoint: Endpoint) -> None:
        """Create or replace a merchant's endpoint (one per merchant)."""

    def endpoint(self, merchant_id: str) -> Endpoint | None: ...

    def endpoints(self) -> list[Endpoint]: ...

    def add_events(self, merchant_id: str, events: Sequence[Event], after_timestamp: int) -> None:
        """Record events and move the endpoint's watermark in one transaction: a crash leaves
        both or neither, so no change is lost and none is announced twice."""

    def due_events(self, now_ns: int, limit: int) -> list[Event]:
        """Pending events whose next attempt is due, oldest first."""

    def record_attempt(
        self, attempt: Attempt, status: EventStatus, next_attempt_at_ns: int
    ) -> None: ...

    def requeue(self, event_id: str, now_ns: int) -> bool:
        """A failed event made pending again, due now: the relay tries it once more (its
        attempts go on counting, so a further failure marks it failed again). False when the
        event is not failed: one delivered or still pending needs no retry."""

    def events(
        self, merchant_id: str, limit: int, starting_after: str | None
    ) -> tuple[list[Event], bool]:
        """A merchant's events, newest first, one page; True when there are more."""

    def event(self, event_id: str) -> Event | None: ...

    def attempts_of(self, event_ids: Sequence[str]) -> dict[str, list[Attempt]]:
        """Each event's attempts in order, read together (a page of the delivery log in one
        query, not one per event); an event with none, or none stored, maps to []."""

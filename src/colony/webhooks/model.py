"""What the webhooks context records: endpoints, events and delivery attempts."""

from __future__ import annotations

import enum
from dataclasses import dataclass


class EventStatus(enum.StrEnum):
    pending = "pending"  # not yet delivered; `next_attempt_at_ns` says when it is tried
    delivered = "delivered"  # the endpoint answered 2xx
    failed = "failed"  # every attempt failed: kept in the log, never tried again by itself


@dataclass(frozen=True)
class Endpoint:
    merchant_id: str
    url: str
    secret: str  # "whsec_" + hex; kept as is because signing needs the secret itself
    created_at_ns: int
    # Ledger timestamp of the last change to the merchant's account already turned into
    # events: the durable watermark of the feed.
    after_timestamp: int


@dataclass(frozen=True)
class Event:
    id: str  # "evt_" + hex, derived from the ledger change so it is made once only
    merchant_id: str
    type: str  # "payment.succeeded", "payment.refunded", ...
    body: str  # the JSON delivered, exactly as signed
    created_at_ns: int  # the ledger timestamp of the change
    status: EventStatus = EventStatus.pending
    attempts: int = 0
    next_attempt_at_ns: int = 0


@dataclass(frozen=True)
class Attempt:
    """One delivery attempt: the delivery log."""

    event_id: str
    number: int  # 1 for the first attempt
    at_ns: int
    status_code: int | None  # None when no HTTP answer came (refused, timed out)
    error: str  # "" on success
    duration_ms: int

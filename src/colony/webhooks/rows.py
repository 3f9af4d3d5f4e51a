"""How webhook records map to table rows, the same on every backend."""

from __future__ import annotations

from colony.webhooks.model import Attempt, Endpoint, Event, EventStatus

ENDPOINT_COLUMNS = "merchant_id, url, secret, created_at_ns, after_timestamp"
EVENT_COLUMNS = "id, merchant_id, type, body, created_at_ns, status, attempts, next_attempt_at_ns"
ATTEMPT_COLUMNS = "event_id, number, at_ns, status_code, error, duration_ms"


def endpoint_of(row: tuple[object, ...]) -> Endpoint:
    merchant, url, secret, created, after = row
    return Endpoint(str(merchant), str(url), str(secret), int(str(created)), int(str(after)))


def event_row(e: Event) -> tuple[object, ...]:
    return (
        e.id,
        e.merchant_id,
        e.type,
        e.body,
        e.created_at_ns,
        e.status.value,
        e.attempts,
        e.next_attempt_at_ns,
    )


def event_of(row: tuple[object, ...]) -> Event:
    eid, merchant, kind, body, created, status, attempts, next_at = row
    return Event(
        str(eid),
        str(merchant),
        str(kind),
        str(body),
        int(str(created)),
        EventStatus(str(status)),
        int(str(attempts)),
        int(str(next_at)),
    )


def attempt_row(a: Attempt) -> tuple[object, ...]:
    return (a.event_id, a.number, a.at_ns, a.status_code, a.error, a.duration_ms)


def attempt_of(row: tuple[object, ...]) -> Attempt:
    event_id, number, at_ns, status_code, error, duration_ms = row
    return Attempt(
        str(event_id),
        int(str(number)),
        int(str(at_ns)),
        None if status_code is None else int(str(status_code)),
        str(error),
        int(str(duration_ms)),
    )

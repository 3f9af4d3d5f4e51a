"""Webhook endpoints, events and the delivery log in PostgreSQL (twin of sqlite_webhooks)."""

from __future__ import annotations

from collections.abc import Sequence

from colony.storage.postgres_connection import PostgresTables
from colony.webhooks.model import Attempt, Endpoint, Event, EventStatus

_SCHEMA = """
CREATE TABLE IF NOT EXISTS webhook_endpoints (
    merchant_id text PRIMARY KEY,
    url text NOT NULL,
    secret text NOT NULL,
    created_at_ns bigint NOT NULL,
    after_timestamp bigint NOT NULL
);
CREATE TABLE IF NOT EXISTS webhook_events (
    seq bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
    id text NOT NULL UNIQUE,
    merchant_id text NOT NULL,
    type text NOT NULL,
    body text NOT NULL,
    created_at_ns bigint NOT NULL,
    status text NOT NULL,
    attempts integer NOT NULL,
    next_attempt_at_ns bigint NOT NULL
);
CREATE INDEX IF NOT EXISTS webhook_events_due
    ON webhook_events (status, next_attempt_at_ns);
CREATE INDEX IF NOT EXISTS webhook_events_by_merchant ON webhook_events (merchant_id, seq);
CREATE TABLE IF NOT EXISTS webhook_attempts (
    event_id text NOT NULL,
    number integer NOT NULL,
    at_ns bigint NOT NULL,
    status_code integer,
    error text NOT NULL,
    duration_ms bigint NOT NULL,
    PRIMARY KEY (event_id, number)
);
"""
_ENDPOINT_COLUMNS = "merchant_id, url, secret, created_at_ns, after_timestamp"
_EVENT_COLUMNS = "id, merchant_id, type, body, created_at_ns, status, attempts, next_attempt_at_ns"
_ATTEMPT_COLUMNS = "event_id, number, at_ns, status_code, error, duration_ms"


def _endpoint(row: tuple[object, ...]) -> Endpoint:
    merchant, url, secret, created, after = row
    return Endpoint(str(merchant), str(url), str(secret), int(str(created)), int(str(after)))


def _event(row: tuple[object, ...]) -> Event:
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


def _attempt(row: tuple[object, ...]) -> Attempt:
    event_id, number, at_ns, status_code, error, duration_ms = row
    return Attempt(
        str(event_id),
        int(str(number)),
        int(str(at_ns)),
        None if status_code is None else int(str(status_code)),
        str(error),
        int(str(duration_ms)),
    )


class PostgresWebhookStore:
    def __init__(self, url: str) -> None:
        self._tables = PostgresTables(url, _SCHEMA, "colony-webhooks")

    def set_endpoint(self, e: Endpoint) -> None:
        with self._tables.session() as conn:
            conn.execute(
                f"INSERT INTO webhook_endpoints ({_ENDPOINT_COLUMNS}) VALUES (%s, %s, %s, %s, %s)"
                " ON CONFLICT (merchant_id) DO UPDATE SET url = excluded.url,"
                " secret = excluded.secret",
                (e.merchant_id, e.url, e.secret, e.created_at_ns, e.after_timestamp),
            )

    def endpoint(self, merchant_id: str) -> Endpoint | None:
        with self._tables.session() as conn:
            row = conn.execute(
                f"SELECT {_ENDPOINT_COLUMNS} FROM webhook_endpoints WHERE merchant_id = %s",
                (merchant_id,),
            ).fetchone()
        return _endpoint(row) if row else None

    def endpoints(self) -> list[Endpoint]:
        with self._tables.session() as conn:
            rows = conn.execute(f"SELECT {_ENDPOINT_COLUMNS} FROM webhook_endpoints").fetchall()
        return [_endpoint(row) for row in rows]

    def add_events(self, merchant_id: str, events: Sequence[Event], after_timestamp: int) -> None:
        rows = [
            (
                e.id,
                e.merchant_id,
                e.type,
                e.body,
                e.created_at_ns,
                e.status.value,
                e.attempts,
                e.next_attempt_at_ns,
            )
            for e in events
        ]
        with self._tables.session() as conn, conn.transaction(), conn.cursor() as cur:
            if rows:
                cur.executemany(
                    f"INSERT INTO webhook_events ({_EVENT_COLUMNS})"
                    " VALUES (%s, %s, %s, %s, %s, %s, %s, %s) ON CONFLICT (id) DO NOTHING",
                    rows,
                )
            cur.execute(
                "UPDATE webhook_endpoints SET after_timestamp = %s"
                " WHERE merchant_id = %s AND after_timestamp < %s",
                (after_timestamp, merchant_id, after_timestamp),
            )

    def due_events(self, now_ns: int, limit: int) -> list[Event]:
        with self._tables.session() as conn:
            rows = conn.execute(
                f"SELECT {_EVENT_COLUMNS} FROM webhook_events"
                " WHERE status = 'pending' AND next_attempt_at_ns <= %s ORDER BY seq LIMIT %s",
                (now_ns, limit),
            ).fetchall()
        return [_event(row) for row in rows]

    def record_attempt(self, a: Attempt, status: EventStatus, next_attempt_at_ns: int) -> None:
        with self._tables.session() as conn, conn.transaction():
            conn.execute(
                f"INSERT INTO webhook_attempts ({_ATTEMPT_COLUMNS})"
                " VALUES (%s, %s, %s, %s, %s, %s)",
                (a.event_id, a.number, a.at_ns, a.status_code, a.error, a.duration_ms),
            )
            conn.execute(
                "UPDATE webhook_events SET status = %s, attempts = %s, next_attempt_at_ns = %s"
                " WHERE id = %s",
                (status.value, a.number, next_attempt_at_ns, a.event_id),
            )

    def events(
        self, merchant_id: str, limit: int, starting_after: str | None
    ) -> tuple[list[Event], bool]:
        with self._tables.session() as conn:
            before: object = 2**62
            if starting_after is not None:
                found = conn.execute(
                    "SELECT seq FROM webhook_events WHERE id = %s AND merchant_id = %s",
                    (starting_after, merchant_id),
                ).fetchone()
                if found is None:
                    return [], False
                before = found[0]
            rows = conn.execute(
                f"SELECT {_EVENT_COLUMNS} FROM webhook_events WHERE merchant_id = %s"
                " AND seq < %s ORDER BY seq DESC LIMIT %s",
                (merchant_id, before, limit + 1),
            ).fetchall()
        return [_event(row) for row in rows[:limit]], len(rows) > limit

    def event(self, event_id: str) -> Event | None:
        with self._tables.session() as conn:
            row = conn.execute(
                f"SELECT {_EVENT_COLUMNS} FROM webhook_events WHERE id = %s", (event_id,)
            ).fetchone()
        return _event(row) if row else None

    def attempts(self, event_id: str) -> list[Attempt]:
        with self._tables.session() as conn:
            rows = conn.execute(
                f"SELECT {_ATTEMPT_COLUMNS} FROM webhook_attempts WHERE event_id = %s"
                " ORDER BY number",
                (event_id,),
            ).fetchall()
        return [_attempt(row) for row in rows]

    def close(self) -> None:
        self._tables.close()

"""Webhook endpoints, events and the delivery log in PostgreSQL (twin of sqlite_webhooks)."""

from __future__ import annotations

from collections.abc import Sequence

from colony.storage.postgres_connection import PostgresTables
from colony.storage.webhook_rows import (
    ATTEMPT_COLUMNS,
    ENDPOINT_COLUMNS,
    EVENT_COLUMNS,
    attempt_of,
    attempt_row,
    endpoint_of,
    event_of,
    event_row,
)
from colony.webhooks.model import Attempt, Endpoint, Event, EventStatus


class PostgresWebhookStore:
    def __init__(self, url: str) -> None:
        self._tables = PostgresTables(url, "colony-webhooks")

    def set_endpoint(self, e: Endpoint) -> None:
        with self._tables.session() as conn:
            conn.execute(
                f"INSERT INTO webhook_endpoints ({ENDPOINT_COLUMNS}) VALUES (%s, %s, %s, %s, %s)"
                " ON CONFLICT (merchant_id) DO UPDATE SET url = excluded.url,"
                " secret = excluded.secret",
                (e.merchant_id, e.url, e.secret, e.created_at_ns, e.after_timestamp),
            )

    def endpoint(self, merchant_id: str) -> Endpoint | None:
        with self._tables.session() as conn:
            row = conn.execute(
                f"SELECT {ENDPOINT_COLUMNS} FROM webhook_endpoints WHERE merchant_id = %s",
                (merchant_id,),
            ).fetchone()
        return endpoint_of(row) if row else None

    def endpoints(self) -> list[Endpoint]:
        with self._tables.session() as conn:
            rows = conn.execute(f"SELECT {ENDPOINT_COLUMNS} FROM webhook_endpoints").fetchall()
        return [endpoint_of(row) for row in rows]

    def add_events(self, merchant_id: str, events: Sequence[Event], after_timestamp: int) -> None:
        rows = [event_row(e) for e in events]
        with self._tables.session() as conn, conn.transaction(), conn.cursor() as cur:
            if rows:
                cur.executemany(
                    f"INSERT INTO webhook_events ({EVENT_COLUMNS})"
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
                f"SELECT {EVENT_COLUMNS} FROM webhook_events"
                " WHERE status = 'pending' AND next_attempt_at_ns <= %s ORDER BY seq LIMIT %s",
                (now_ns, limit),
            ).fetchall()
        return [event_of(row) for row in rows]

    def record_attempt(self, a: Attempt, status: EventStatus, next_attempt_at_ns: int) -> None:
        with self._tables.session() as conn, conn.transaction():
            conn.execute(
                f"INSERT INTO webhook_attempts ({ATTEMPT_COLUMNS}) VALUES (%s, %s, %s, %s, %s, %s)",
                attempt_row(a),
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
                f"SELECT {EVENT_COLUMNS} FROM webhook_events WHERE merchant_id = %s"
                " AND seq < %s ORDER BY seq DESC LIMIT %s",
                (merchant_id, before, limit + 1),
            ).fetchall()
        return [event_of(row) for row in rows[:limit]], len(rows) > limit

    def event(self, event_id: str) -> Event | None:
        with self._tables.session() as conn:
            row = conn.execute(
                f"SELECT {EVENT_COLUMNS} FROM webhook_events WHERE id = %s", (event_id,)
            ).fetchone()
        return event_of(row) if row else None

    def attempts(self, event_id: str) -> list[Attempt]:
        with self._tables.session() as conn:
            rows = conn.execute(
                f"SELECT {ATTEMPT_COLUMNS} FROM webhook_attempts WHERE event_id = %s"
                " ORDER BY number",
                (event_id,),
            ).fetchall()
        return [attempt_of(row) for row in rows]

    def close(self) -> None:
        self._tables.close()

"""Webhook endpoints, events and the delivery log, on either backend (tables.py), beside the
ledger journal."""

from __future__ import annotations

from collections.abc import Sequence

from colony.storage.open import open_tables
from colony.storage.tables import Tables
from colony.webhooks.model import Attempt, Endpoint, Event, EventStatus
from colony.webhooks.rows import (
    ATTEMPT_COLUMNS,
    ENDPOINT_COLUMNS,
    EVENT_COLUMNS,
    attempt_of,
    attempt_row,
    endpoint_of,
    event_of,
    event_row,
)

# The `seq` a first page of `events` reads below: above any the table will ever hand out.
_NO_CURSOR_SEQ = 2**62


# Event ids per query when reading the attempts of many events.
attempt_ids_per_query = 500


class SqlWebhookStore:
    def __init__(self, tables: Tables) -> None:
        self._tables = tables

    def set_endpoint(self, e: Endpoint) -> None:
        with self._tables.session() as db:
            db.execute(
                f"INSERT INTO webhook_endpoints ({ENDPOINT_COLUMNS}) VALUES (?, ?, ?, ?, ?)"
                " ON CONFLICT (merchant_id) DO UPDATE SET url = excluded.url,"
                " secret = excluded.secret",
                (e.merchant_id, e.url, e.secret, e.created_at_ns, e.after_timestamp),
            )

    def endpoint(self, merchant_id: str) -> Endpoint | None:
        with self._tables.session() as db:
            row = db.execute(
                f"SELECT {ENDPOINT_COLUMNS} FROM webhook_endpoints WHERE merchant_id = ?",
                (merchant_id,),
            ).fetchone()
        return endpoint_of(row) if row else None

    def endpoints(self) -> list[Endpoint]:
        with self._tables.session() as db:
            rows = db.execute(f"SELECT {ENDPOINT_COLUMNS} FROM webhook_endpoints").fetchall()
        return [endpoint_of(row) for row in rows]

    def add_events(self, merchant_id: str, events: Sequence[Event], after_timestamp: int) -> None:
        rows = [event_row(e) for e in events]
        with self._tables.transaction() as db:
            if rows:  # nothing to insert; the watermark below moves all the same
                db.executemany(
                    f"INSERT INTO webhook_events ({EVENT_COLUMNS})"
                    " VALUES (?, ?, ?, ?, ?, ?, ?, ?) ON CONFLICT (id) DO NOTHING",
                    rows,
                )
            db.execute(
                "UPDATE webhook_endpoints SET after_timestamp = ?"
                " WHERE merchant_id = ? AND after_timestamp < ?",
                (after_timestamp, merchant_id, after_timestamp),
            )

    def due_events(self, now_ns: int, limit: int) -> list[Event]:
        with self._tables.session() as db:
            rows = db.execute(
                f"SELECT {EVENT_COLUMNS} FROM webhook_events"
                " WHERE status = 'pending' AND next_attempt_at_ns <= ? ORDER BY seq LIMIT ?",
                (now_ns, limit),
            ).fetchall()
        return [event_of(row) for row in rows]

    def record_attempt(self, a: Attempt, status: EventStatus, next_attempt_at_ns: int) -> None:
        with self._tables.transaction() as db:
            db.execute(
                f"INSERT INTO webhook_attempts ({ATTEMPT_COLUMNS}) VALUES (?, ?, ?, ?, ?, ?)",
                attempt_row(a),
            )
            db.execute(
                "UPDATE webhook_events SET status = ?, attempts = ?, next_attempt_at_ns = ?"
                " WHERE id = ?",
                (status.value, a.number, next_attempt_at_ns, a.event_id),
            )

    def events(
        self, merchant_id: str, limit: int, starting_after: str | None
    ) -> tuple[list[Event], bool]:
        with self._tables.session() as db:
            before: object = _NO_CURSOR_SEQ
            if starting_after is not None:
                found = db.execute(
                    "SELECT seq FROM webhook_events WHERE id = ? AND merchant_id = ?",
                    (starting_after, merchant_id),
                ).fetchone()
                if found is None:
                    return [], False
                before = found[0]
            rows = db.execute(
                f"SELECT {EVENT_COLUMNS} FROM webhook_events WHERE merchant_id = ?"
                " AND seq < ? ORDER BY seq DESC LIMIT ?",
                (merchant_id, before, limit + 1),
            ).fetchall()
        return [event_of(row) for row in rows[:limit]], len(rows) > limit

    def event(self, event_id: str) -> Event | None:
        with self._tables.session() as db:
            row = db.execute(
                f"SELECT {EVENT_COLUMNS} FROM webhook_events WHERE id = ?", (event_id,)
            ).fetchone()
        return event_of(row) if row else None

    def attempts_of(self, event_ids: Sequence[str]) -> dict[str, list[Attempt]]:
        # One placeholder per id (`IN (?, ...)` reads the same on both backends), at most
        # `attempt_ids_per_query` of them, well inside either backend's limit on parameters.
        found: dict[str, list[Attempt]] = {event_id: [] for event_id in event_ids}
        ids = list(found)
        for start in range(0, len(ids), attempt_ids_per_query):
            chunk = ids[start : start + attempt_ids_per_query]
            with self._tables.session() as db:
                rows = db.execute(
                    f"SELECT {ATTEMPT_COLUMNS} FROM webhook_attempts"
                    f" WHERE event_id IN ({', '.join('?' * len(chunk))}) ORDER BY event_id, number",
                    chunk,
                ).fetchall()
            for row in rows:
                attempt = attempt_of(row)
                found[attempt.event_id].append(attempt)
        return found

    def close(self) -> None:
        self._tables.close()


def open_webhook_store(url: str) -> SqlWebhookStore:
    """Webhook endpoints, events and attempts behind a `sqlite:///PATH` or `postgresql://` URL."""
    return SqlWebhookStore(open_tables(url, "colony-webhooks"))

"""Webhook endpoints, events and the delivery log in SQLite (beside the ledger journal)."""

from __future__ import annotations

import threading
from collections.abc import Sequence
from pathlib import Path

from colony.storage.sqlite_connection import connect
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


class SqliteWebhookStore:
    def __init__(self, path: Path) -> None:
        self._db = connect(path)
        self._lock = threading.Lock()

    def set_endpoint(self, e: Endpoint) -> None:
        with self._lock:
            self._db.execute(
                "INSERT INTO webhook_endpoints VALUES (?, ?, ?, ?, ?)"
                " ON CONFLICT (merchant_id) DO UPDATE SET url = excluded.url,"
                " secret = excluded.secret",
                (e.merchant_id, e.url, e.secret, e.created_at_ns, e.after_timestamp),
            )

    def endpoint(self, merchant_id: str) -> Endpoint | None:
        with self._lock:
            row = self._db.execute(
                f"SELECT {ENDPOINT_COLUMNS} FROM webhook_endpoints WHERE merchant_id = ?",
                (merchant_id,),
            ).fetchone()
        return endpoint_of(row) if row else None

    def endpoints(self) -> list[Endpoint]:
        with self._lock:
            rows = self._db.execute(f"SELECT {ENDPOINT_COLUMNS} FROM webhook_endpoints").fetchall()
        return [endpoint_of(row) for row in rows]

    def add_events(self, merchant_id: str, events: Sequence[Event], after_timestamp: int) -> None:
        with self._lock:
            self._db.execute("BEGIN IMMEDIATE")
            try:
                self._db.executemany(
                    f"INSERT OR IGNORE INTO webhook_events ({EVENT_COLUMNS})"
                    " VALUES (?, ?, ?, ?, ?, ?, ?, ?)",
                    [event_row(e) for e in events],
                )
                self._db.execute(
                    "UPDATE webhook_endpoints SET after_timestamp = ?"
                    " WHERE merchant_id = ? AND after_timestamp < ?",
                    (after_timestamp, merchant_id, after_timestamp),
                )
                self._db.execute("COMMIT")
            except BaseException:
                self._db.execute("ROLLBACK")
                raise

    def due_events(self, now_ns: int, limit: int) -> list[Event]:
        with self._lock:
            rows = self._db.execute(
                f"SELECT {EVENT_COLUMNS} FROM webhook_events"
                " WHERE status = 'pending' AND next_attempt_at_ns <= ? ORDER BY seq LIMIT ?",
                (now_ns, limit),
            ).fetchall()
        return [event_of(row) for row in rows]

    def record_attempt(self, a: Attempt, status: EventStatus, next_attempt_at_ns: int) -> None:
        with self._lock:
            self._db.execute("BEGIN IMMEDIATE")
            try:
                self._db.execute(
                    "INSERT INTO webhook_attempts VALUES (?, ?, ?, ?, ?, ?)",
                    attempt_row(a),
                )
                self._db.execute(
                    "UPDATE webhook_events SET status = ?, attempts = ?, next_attempt_at_ns = ?"
                    " WHERE id = ?",
                    (status.value, a.number, next_attempt_at_ns, a.event_id),
                )
                self._db.execute("COMMIT")
            except BaseException:
                self._db.execute("ROLLBACK")
                raise

    def events(
        self, merchant_id: str, limit: int, starting_after: str | None
    ) -> tuple[list[Event], bool]:
        with self._lock:
            before = None
            if starting_after is not None:
                found = self._db.execute(
                    "SELECT seq FROM webhook_events WHERE id = ? AND merchant_id = ?",
                    (starting_after, merchant_id),
                ).fetchone()
                if found is None:
                    return [], False
                before = found[0]
            rows = self._db.execute(
                f"SELECT {EVENT_COLUMNS} FROM webhook_events WHERE merchant_id = ?"
                " AND seq < ? ORDER BY seq DESC LIMIT ?",
                (merchant_id, before if before is not None else 2**62, limit + 1),
            ).fetchall()
        return [event_of(row) for row in rows[:limit]], len(rows) > limit

    def event(self, event_id: str) -> Event | None:
        with self._lock:
            row = self._db.execute(
                f"SELECT {EVENT_COLUMNS} FROM webhook_events WHERE id = ?", (event_id,)
            ).fetchone()
        return event_of(row) if row else None

    def attempts(self, event_id: str) -> list[Attempt]:
        with self._lock:
            rows = self._db.execute(
                f"SELECT {ATTEMPT_COLUMNS} FROM webhook_attempts WHERE event_id = ?"
                " ORDER BY number",
                (event_id,),
            ).fetchall()
        return [attempt_of(row) for row in rows]

    def close(self) -> None:
        self._db.close()

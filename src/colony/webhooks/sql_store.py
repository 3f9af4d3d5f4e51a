"""Webhook endpoints, events and the delivery log, on either backend (tables.py), beside the
ledger journal.

An endpoint's signing secret is sealed at rest (kernel/secret_box.py, docs/adr/0032), bound
to its merchant, so a copy of the database cannot sign deliveries and a secret moved to
another merchant's row does not open. Secrets an earlier version stored in clear are sealed
when the store opens; a clear one found later is refused, never used.
"""

from __future__ import annotations

import dataclasses
from collections.abc import Sequence

from colony.kernel.secret_box import SealedSecretInvalid, SecretBox, is_sealed
from colony.storage.open import open_tables
from colony.storage.secrets_key import check_sealed_column, secret_box_for
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


# Clear secrets sealed per statement when the store opens.
clear_secrets_per_batch = 500


def _bound_to(merchant_id: str) -> str:
    """What an endpoint's sealed secret is bound to: the row's identity."""
    return f"webhook_endpoints/{merchant_id}"


class SqlWebhookStore:
    def __init__(self, tables: Tables, box: SecretBox) -> None:
        self._tables = tables
        self._box = box
        try:
            self.seal_clear_secrets()
            check_sealed_column(tables, box, "webhook_endpoints", "a webhook endpoint's secret")
        except BaseException:
            tables.close()
            raise

    def seal_clear_secrets(self) -> int:
        """Seal every secret an earlier version stored in clear; how many (each row rewritten
        only if it still holds the clear secret read, so processes opening at once agree)."""
        sealed = 0
        while True:
            with self._tables.write() as db:
                rows = db.execute(
                    "SELECT merchant_id, secret FROM webhook_endpoints"
                    " WHERE secret NOT LIKE 'cs1.%' LIMIT ?",
                    (clear_secrets_per_batch,),
                ).fetchall()
                for merchant_id, clear in rows:
                    box = self._box.seal(str(clear).encode(), _bound_to(str(merchant_id)))
                    db.execute(
                        "UPDATE webhook_endpoints SET secret = ?"
                        " WHERE merchant_id = ? AND secret = ?",
                        (box, merchant_id, clear),
                    )
            sealed += len(rows)
            if len(rows) < clear_secrets_per_batch:
                return sealed

    def set_endpoint(self, e: Endpoint) -> None:
        sealed = self._box.seal(e.secret.encode(), _bound_to(e.merchant_id))
        with self._tables.write() as db:
            db.execute(
                f"INSERT INTO webhook_endpoints ({ENDPOINT_COLUMNS}) VALUES (?, ?, ?, ?, ?)"
                " ON CONFLICT (merchant_id) DO UPDATE SET url = excluded.url,"
                " secret = excluded.secret",
                (e.merchant_id, e.url, sealed, e.created_at_ns, e.after_timestamp),
            )

    def endpoint(self, merchant_id: str) -> Endpoint | None:
        with self._tables.session() as db:
            row = db.execute(
                f"SELECT {ENDPOINT_COLUMNS} FROM webhook_endpoints WHERE merchant_id = ?",
                (merchant_id,),
            ).fetchone()
        return self._opened(endpoint_of(row)) if row else None

    def endpoints(self) -> list[Endpoint]:
        with self._tables.session() as db:
            rows = db.execute(f"SELECT {ENDPOINT_COLUMNS} FROM webhook_endpoints").fetchall()
        return [self._opened(endpoint_of(row)) for row in rows]

    def _opened(self, stored: Endpoint) -> Endpoint:
        """The endpoint with its secret opened (as stored, the secret is sealed)."""
        if not is_sealed(stored.secret):
            raise SealedSecretInvalid(f"the webhook secret of {stored.merchant_id} is in clear")
        secret = self._box.open(stored.secret, _bound_to(stored.merchant_id)).decode()
        return dataclasses.replace(stored, secret=secret)

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

    def requeue(self, event_id: str, now_ns: int) -> bool:
        with self._tables.transaction() as db:
            changed = db.execute(
                "UPDATE webhook_events SET status = 'pending', next_attempt_at_ns = ?"
                " WHERE id = ? AND status = 'failed'",
                (now_ns, event_id),
            ).rowcount
        return changed == 1

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
    return SqlWebhookStore(open_tables(url, "colony-webhooks"), secret_box_for(url))

"""The HTTP API's own records in SQLite: hashed wallet tokens and idempotency keys."""

from __future__ import annotations

import sqlite3
import threading
from pathlib import Path

from colony.storage.sqlite_connection import connect

_SCHEMA = """
CREATE TABLE IF NOT EXISTS api_tokens (
    token_sha256 TEXT PRIMARY KEY,
    wallet_id TEXT NOT NULL,
    created_at_ns INTEGER NOT NULL
);
CREATE TABLE IF NOT EXISTS api_keys (
    key_sha256 TEXT PRIMARY KEY,
    kind TEXT NOT NULL,       -- "operator" or "merchant"
    owner_id TEXT NOT NULL,   -- "operator", or the merchant's id
    created_at_ns INTEGER NOT NULL,
    rate_limit_per_s INTEGER  -- this key's own request rate; NULL: the default
);
CREATE TABLE IF NOT EXISTS api_idempotency (
    scope TEXT NOT NULL,
    key TEXT NOT NULL,
    request_sha256 TEXT NOT NULL,
    status INTEGER,          -- NULL while the first request is still being served
    body TEXT,
    created_at_ns INTEGER NOT NULL,
    PRIMARY KEY (scope, key)
);
"""


class SqliteApiStore:
    def __init__(self, path: Path) -> None:
        self._db = connect(path, _SCHEMA)
        self._lock = threading.Lock()
        columns = {row[1] for row in self._db.execute("PRAGMA table_info(api_keys)")}
        if "rate_limit_per_s" not in columns:  # a database made before per-key rates
            self._db.execute("ALTER TABLE api_keys ADD COLUMN rate_limit_per_s INTEGER")

    def add_token(self, token_sha256: str, wallet_id: str, now_ns: int) -> None:
        with self._lock:
            self._db.execute(
                "INSERT INTO api_tokens VALUES (?, ?, ?)", (token_sha256, wallet_id, now_ns)
            )

    def wallet_for_token(self, token_sha256: str) -> str | None:
        with self._lock:
            row = self._db.execute(
                "SELECT wallet_id FROM api_tokens WHERE token_sha256 = ?", (token_sha256,)
            ).fetchone()
        return str(row[0]) if row else None

    def add_key(
        self,
        key_sha256: str,
        kind: str,
        owner_id: str,
        now_ns: int,
        rate_limit_per_s: int | None = None,
    ) -> None:
        with self._lock:
            self._db.execute(
                "INSERT INTO api_keys VALUES (?, ?, ?, ?, ?)",
                (key_sha256, kind, owner_id, now_ns, rate_limit_per_s),
            )

    def key_rate_limit(self, key_sha256: str) -> int | None:
        """The key's own rate limit in requests a second, or None (unknown key, or default)."""
        with self._lock:
            row = self._db.execute(
                "SELECT rate_limit_per_s FROM api_keys WHERE key_sha256 = ?", (key_sha256,)
            ).fetchone()
        return int(row[0]) if row and row[0] is not None else None

    def key_owner(self, key_sha256: str) -> tuple[str, str] | None:
        """(kind, owner id) of an API key, or None."""
        with self._lock:
            row = self._db.execute(
                "SELECT kind, owner_id FROM api_keys WHERE key_sha256 = ?", (key_sha256,)
            ).fetchone()
        return (str(row[0]), str(row[1])) if row else None

    def begin(
        self, scope: str, key: str, request_sha256: str, now_ns: int
    ) -> tuple[str, int | None, str | None]:
        """Claim a key. Returns ("new", None, None) for a first request, ("same", status, body)
        when this key already has a request with the same hash (status None: still running),
        or ("different", None, None) when the key was used for another request."""
        with self._lock:
            try:
                self._db.execute(
                    "INSERT INTO api_idempotency VALUES (?, ?, ?, NULL, NULL, ?)",
                    (scope, key, request_sha256, now_ns),
                )
                return "new", None, None
            except sqlite3.IntegrityError:
                row = self._db.execute(
                    "SELECT request_sha256, status, body FROM api_idempotency"
                    " WHERE scope = ? AND key = ?",
                    (scope, key),
                ).fetchone()
        if row[0] != request_sha256:
            return "different", None, None
        return "same", row[1], row[2]

    def finish(self, scope: str, key: str, status: int, body: str) -> None:
        with self._lock:
            self._db.execute(
                "UPDATE api_idempotency SET status = ?, body = ? WHERE scope = ? AND key = ?",
                (status, body, scope, key),
            )

    def release(self, scope: str, key: str) -> None:
        """Forget a claim whose request failed for a reason that must not be replayed."""
        with self._lock:
            self._db.execute(
                "DELETE FROM api_idempotency WHERE scope = ? AND key = ? AND status IS NULL",
                (scope, key),
            )

    def close(self) -> None:
        self._db.close()

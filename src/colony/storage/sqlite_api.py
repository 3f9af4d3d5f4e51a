"""The HTTP API's own records in SQLite: hashed wallet tokens, API keys, idempotency keys.

Every request reads here (its credential, its Idempotency-Key), so reads go through one
connection per thread, never waiting behind a write: in WAL mode a reader sees the last
commit without taking the write lock. Claims on Idempotency-Keys are held in memory
(api_records.py).
"""

from __future__ import annotations

import sqlite3
import threading
from collections.abc import Sequence
from pathlib import Path

from colony.storage.api_records import (
    IDEMPOTENCY_COLUMNS,
    KEY_COLUMNS,
    KEY_INSERT_COLUMNS,
    Answer,
    Begun,
    IdempotencyClaims,
    KeyRecord,
    SharedClaims,
    key_record,
    key_row,
    token_cache_entries_max,
)
from colony.storage.group_commit import GroupCommit
from colony.storage.record_cache import RecordCache
from colony.storage.sqlite_connection import (
    busy_timeout_s,
    connect,
    immediate_transaction,
    write_gate,
)

# Columns added to api_keys after its first version, each NULL in rows made before it.
_ADDED_KEY_COLUMNS = {
    "rate_limit_per_s": "INTEGER",
    "scopes": "TEXT",
    "name": "TEXT",
    "revoked_at_ns": "INTEGER",
}


class SqliteApiStore:
    def __init__(self, path: Path, *, shared_claims: bool = False) -> None:
        """`shared_claims`: several processes serve this database (`colony serve --workers`),
        so a claim on an Idempotency-Key is written to it, not only held in memory."""
        self._path = path
        self._db = connect(path)
        self._lock = threading.Lock()
        self._gate = write_gate(path)
        self._local = threading.local()
        self._readers: list[sqlite3.Connection] = []
        shared = SharedClaims(self._run, "?") if shared_claims else None
        self._claims = IdempotencyClaims(self._stored_answer, shared)
        self._token_wallets: RecordCache[str, str] = RecordCache(token_cache_entries_max)
        self._answers = GroupCommit(
            immediate_transaction(self._db, self._lock, write_gate(path), _write_answers)
        )
        columns = {row[1] for row in self._db.execute("PRAGMA table_info(api_keys)")}
        for column, sql_type in _ADDED_KEY_COLUMNS.items():
            if column not in columns:  # a database made before this column: NULL in old rows
                self._db.execute(f"ALTER TABLE api_keys ADD COLUMN {column} {sql_type}")
        # Claims written by earlier versions, whose requests a crash interrupted: no request is
        # answered by them now, and a retry must be able to run again.
        self._db.execute("DELETE FROM api_idempotency WHERE status IS NULL")

    def _run(self, sql: str, args: tuple[object, ...]) -> list[tuple[object, ...]]:
        with self._lock, self._gate:
            rows: list[tuple[object, ...]] = self._db.execute(sql, args).fetchall()
            return rows

    def add_token(self, token_sha256: str, wallet_id: str, now_ns: int) -> None:
        with self._lock:
            self._db.execute(
                "INSERT INTO api_tokens VALUES (?, ?, ?)", (token_sha256, wallet_id, now_ns)
            )

    def _reader(self) -> sqlite3.Connection:
        """This thread's connection for reads."""
        db: sqlite3.Connection | None = getattr(self._local, "db", None)
        if db is None:
            db = sqlite3.connect(self._path, isolation_level=None, check_same_thread=False)
            db.execute(f"PRAGMA busy_timeout = {busy_timeout_s * 1000}")
            self._local.db = db
            with self._lock:
                self._readers.append(db)
        return db

    def wallet_for_token(self, token_sha256: str) -> str | None:
        known = self._token_wallets.get(token_sha256)
        if known is not None:
            return known
        row = (
            self._reader()
            .execute("SELECT wallet_id FROM api_tokens WHERE token_sha256 = ?", (token_sha256,))
            .fetchone()
        )
        if row is None:
            return None
        self._token_wallets.keep(token_sha256, str(row[0]))
        return str(row[0])

    def add_key(
        self,
        key_sha256: str,
        kind: str,
        owner_id: str,
        now_ns: int,
        rate_limit_per_s: int | None = None,
        scopes: tuple[str, ...] | None = None,
        name: str | None = None,
    ) -> None:
        """Store a key's hash. `scopes` None makes a standard key (every scope of its kind)."""
        row = key_row(key_sha256, kind, owner_id, now_ns, rate_limit_per_s, scopes, name)
        with self._lock:
            self._db.execute(
                f"INSERT INTO api_keys ({KEY_INSERT_COLUMNS}) VALUES (?, ?, ?, ?, ?, ?, ?)", row
            )

    def key(self, key_sha256: str) -> KeyRecord | None:
        """The key with this hash, revoked or not, or None."""
        row = (
            self._reader()
            .execute(f"SELECT {KEY_COLUMNS} FROM api_keys WHERE key_sha256 = ?", (key_sha256,))
            .fetchone()
        )
        return key_record(row) if row else None

    def keys_of(self, kind: str, owner_id: str) -> list[KeyRecord]:
        """Every key of this owner, revoked too, oldest first."""
        rows = (
            self._reader()
            .execute(
                f"SELECT {KEY_COLUMNS} FROM api_keys WHERE kind = ? AND owner_id = ?"
                " ORDER BY created_at_ns, key_sha256",
                (kind, owner_id),
            )
            .fetchall()
        )
        return [key_record(row) for row in rows]

    def revoke_key(self, key_sha256: str, now_ns: int) -> None:
        """From now on the key authenticates nothing (revoking twice keeps the first time)."""
        with self._lock:
            self._db.execute(
                "UPDATE api_keys SET revoked_at_ns = ?"
                " WHERE key_sha256 = ? AND revoked_at_ns IS NULL",
                (now_ns, key_sha256),
            )

    def key_rate_limit(self, key_sha256: str) -> int | None:
        """The key's own rate limit in requests a second, or None (unknown key, or default)."""
        row = (
            self._reader()
            .execute(
                "SELECT rate_limit_per_s FROM api_keys"
                " WHERE key_sha256 = ? AND revoked_at_ns IS NULL",
                (key_sha256,),
            )
            .fetchone()
        )
        return int(row[0]) if row and row[0] is not None else None

    def key_owner(self, key_sha256: str) -> tuple[str, str] | None:
        """(kind, owner id) of an API key that is not revoked, or None."""
        row = (
            self._reader()
            .execute(
                "SELECT kind, owner_id FROM api_keys"
                " WHERE key_sha256 = ? AND revoked_at_ns IS NULL",
                (key_sha256,),
            )
            .fetchone()
        )
        return (str(row[0]), str(row[1])) if row else None

    def begin(self, scope: str, key: str, request_sha256: str, now_ns: int) -> Begun:
        """Claim a key. Returns ("new", None, None) for a first request, ("same", status, body)
        when this key already has a request with the same hash (status None: still running),
        or ("different", None, None) when the key was used for another request."""
        return self._claims.begin(scope, key, request_sha256, now_ns)

    def _stored_answer(self, scope: str, key: str) -> tuple[object, ...] | None:
        row: tuple[object, ...] | None = (
            self._reader()
            .execute(
                "SELECT request_sha256, status, body FROM api_idempotency"
                " WHERE scope = ? AND key = ?",
                (scope, key),
            )
            .fetchone()
        )
        return row

    def finish(self, scope: str, key: str, status: int, body: str) -> None:
        """Record the answer to a claimed key (it replays from now on) and drop the claim.

        Answers finished at the same moment share one commit (group_commit.py): one write a
        request would otherwise queue every request behind the ledger's journal, which takes
        the same database's write lock."""
        self._claims.finish(scope, key, status, body, self._answers.submit)

    def release(self, scope: str, key: str) -> None:
        """Forget a claim whose request failed for a reason that must not be replayed."""
        self._claims.release(scope, key)

    def close(self) -> None:
        with self._lock:
            for reader in self._readers:
                reader.close()
            self._readers.clear()
        self._db.close()


def _write_answers(db: sqlite3.Connection, answers: Sequence[Answer]) -> list[None]:
    db.executemany(
        f"INSERT OR REPLACE INTO api_idempotency ({IDEMPOTENCY_COLUMNS}) VALUES (?, ?, ?, ?, ?, ?)",
        answers,
    )
    return [None] * len(answers)

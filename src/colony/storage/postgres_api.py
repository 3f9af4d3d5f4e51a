"""The HTTP API's own records in PostgreSQL (twin of sqlite_api): hashed wallet tokens, API
keys, idempotency keys.

Every request reads here (its credential, its Idempotency-Key), so reads have a connection
of their own and never wait behind a commit of answers. Claims on Idempotency-Keys are held
in memory (api_records.py); answers finished at the same moment share one commit.
"""

from __future__ import annotations

from collections.abc import Sequence

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
from colony.storage.postgres_connection import Connection, PostgresTables
from colony.storage.record_cache import RecordCache

# Key hashes are hex and compared byte by byte (COLLATE "C"), as SQLite does, so a merchant's
# keys list in the same order on both backends.
# A batch of answers as one array per column, written in one statement.
_WRITE_ANSWERS = f"""
INSERT INTO api_idempotency ({IDEMPOTENCY_COLUMNS})
SELECT * FROM unnest(%s::text[], %s::text[], %s::text[], %s::integer[], %s::text[], %s::bigint[])
ON CONFLICT (scope, key) DO UPDATE SET request_sha256 = excluded.request_sha256,
    status = excluded.status, body = excluded.body, created_at_ns = excluded.created_at_ns
"""


class PostgresApiStore:
    def __init__(self, url: str, *, shared_claims: bool = False) -> None:
        """`shared_claims`: as `SqliteApiStore`'s."""
        self._tables = PostgresTables(url, "colony-api")
        self._reads = PostgresTables(url, "colony-api-reads")
        shared = SharedClaims(self._run, "%s") if shared_claims else None
        self._claims = IdempotencyClaims(self._stored_answer, shared)
        self._token_wallets: RecordCache[str, str] = RecordCache(token_cache_entries_max)
        self._answers = GroupCommit(self._tables.in_transaction(_write_answers))

    def _run(self, sql: str, args: tuple[object, ...]) -> list[tuple[object, ...]]:
        with self._tables.session() as conn:
            cursor = conn.execute(sql.encode(), args)
            return cursor.fetchall() if cursor.description is not None else []

    def add_token(self, token_sha256: str, wallet_id: str, now_ns: int) -> None:
        with self._tables.session() as conn:
            conn.execute(
                "INSERT INTO api_tokens VALUES (%s, %s, %s)", (token_sha256, wallet_id, now_ns)
            )

    def wallet_for_token(self, token_sha256: str) -> str | None:
        known = self._token_wallets.get(token_sha256)
        if known is not None:
            return known
        row = self._read_one(
            "SELECT wallet_id FROM api_tokens WHERE token_sha256 = %s", (token_sha256,)
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
        with self._tables.session() as conn:
            conn.execute(
                f"INSERT INTO api_keys ({KEY_INSERT_COLUMNS}) VALUES (%s, %s, %s, %s, %s, %s, %s)",
                row,
            )

    def key(self, key_sha256: str) -> KeyRecord | None:
        """The key with this hash, revoked or not, or None."""
        row = self._read_one(
            f"SELECT {KEY_COLUMNS} FROM api_keys WHERE key_sha256 = %s", (key_sha256,)
        )
        return key_record(row) if row else None

    def keys_of(self, kind: str, owner_id: str) -> list[KeyRecord]:
        """Every key of this owner, revoked too, oldest first."""
        with self._reads.session() as conn:
            rows = conn.execute(
                f"SELECT {KEY_COLUMNS} FROM api_keys WHERE kind = %s AND owner_id = %s"
                " ORDER BY created_at_ns, key_sha256",
                (kind, owner_id),
            ).fetchall()
        return [key_record(row) for row in rows]

    def revoke_key(self, key_sha256: str, now_ns: int) -> None:
        """From now on the key authenticates nothing (revoking twice keeps the first time)."""
        with self._tables.session() as conn:
            conn.execute(
                "UPDATE api_keys SET revoked_at_ns = %s"
                " WHERE key_sha256 = %s AND revoked_at_ns IS NULL",
                (now_ns, key_sha256),
            )

    def key_rate_limit(self, key_sha256: str) -> int | None:
        """The key's own rate limit in requests a second, or None (unknown key, or default)."""
        row = self._read_one(
            "SELECT rate_limit_per_s FROM api_keys WHERE key_sha256 = %s AND revoked_at_ns IS NULL",
            (key_sha256,),
        )
        return int(str(row[0])) if row and row[0] is not None else None

    def key_owner(self, key_sha256: str) -> tuple[str, str] | None:
        """(kind, owner id) of an API key that is not revoked, or None."""
        row = self._read_one(
            "SELECT kind, owner_id FROM api_keys WHERE key_sha256 = %s AND revoked_at_ns IS NULL",
            (key_sha256,),
        )
        return (str(row[0]), str(row[1])) if row else None

    def begin(self, scope: str, key: str, request_sha256: str, now_ns: int) -> Begun:
        """Claim a key: as `SqliteApiStore.begin`."""
        return self._claims.begin(scope, key, request_sha256, now_ns)

    def finish(self, scope: str, key: str, status: int, body: str) -> None:
        """Record the answer to a claimed key (it replays from now on) and drop the claim."""
        self._claims.finish(scope, key, status, body, self._answers.submit)

    def release(self, scope: str, key: str) -> None:
        """Forget a claim whose request failed for a reason that must not be replayed."""
        self._claims.release(scope, key)

    def close(self) -> None:
        self._reads.close()
        self._tables.close()

    def _stored_answer(self, scope: str, key: str) -> tuple[object, ...] | None:
        return self._read_one(
            "SELECT request_sha256, status, body FROM api_idempotency"
            " WHERE scope = %s AND key = %s",
            (scope, key),
        )

    def _read_one(self, sql: str, args: tuple[object, ...]) -> tuple[object, ...] | None:
        with self._reads.session() as conn:
            return conn.execute(sql.encode(), args).fetchone()


def _write_answers(conn: Connection, answers: Sequence[Answer]) -> list[None]:
    conn.execute(_WRITE_ANSWERS, [list(column) for column in zip(*answers, strict=True)])
    return [None] * len(answers)

"""The HTTP API's own records, on either backend (tables.py): hashed wallet tokens, API keys,
idempotency keys.

Every request reads here (its credential, its Idempotency-Key), so reads go through
connections of their own and never wait behind a write: a commit of answers holds the store's
connection while it waits for the database's write lock and its flush to disk. On SQLite each
thread reads on its own connection (`SqliteReads`): in WAL mode a reader sees the last commit
without taking the write lock. On PostgreSQL the reads share one more connection, since each
costs a server process. Claims on Idempotency-Keys are held in memory (api_records.py);
answers finished at the same moment share one commit.
"""

from __future__ import annotations

import sqlite3
import threading
from collections.abc import Callable, Mapping, Sequence
from concurrent.futures import Future
from contextlib import AbstractContextManager
from pathlib import Path
from typing import Any, Protocol

from colony.api.records import (
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
from colony.kernel.key_claims import ClaimsAcrossProcesses
from colony.kernel.one_keeper import OneKeeper, Route
from colony.storage.group_commit import GroupCommit
from colony.storage.open import is_postgres, open_tables, sqlite_path_or_refuse
from colony.storage.record_cache import RecordCache
from colony.storage.sqlite_connection import busy_timeout_s
from colony.storage.tables import Cursor, Session, Tables

# SQLite: columns added to api_keys after its first version, each NULL in rows made before it.
_ADDED_KEY_COLUMNS = {
    "rate_limit_per_s": "INTEGER",
    "scopes": "TEXT",
    "name": "TEXT",
    "revoked_at_ns": "INTEGER",
}

_ANSWER_CONFLICT = """
ON CONFLICT (scope, key) DO UPDATE SET request_sha256 = excluded.request_sha256,
    status = excluded.status, body = excluded.body, created_at_ns = excluded.created_at_ns
"""
_WRITE_ANSWER = (
    f"INSERT INTO api_idempotency ({IDEMPOTENCY_COLUMNS}) VALUES (?, ?, ?, ?, ?, ?)"
    f"{_ANSWER_CONFLICT}"
)
# PostgreSQL: a batch of answers as one array per column, written in one statement.
_WRITE_ANSWERS_UNNEST = f"""
INSERT INTO api_idempotency ({IDEMPOTENCY_COLUMNS})
SELECT * FROM unnest(?::text[], ?::text[], ?::text[], ?::integer[], ?::text[], ?::bigint[])
{_ANSWER_CONFLICT}"""


# The oldest answers first, a batch at a time (api/answer_retention.py).
_FORGET_ANSWERS = """
DELETE FROM api_idempotency WHERE (scope, key) IN (
    SELECT scope, key FROM api_idempotency WHERE created_at_ns < ?
    ORDER BY created_at_ns LIMIT ?
)"""


# The change the keeping process makes for every worker (OneKeeper).
REVOKE_CALL = "api_tokens_revoke"

# Keys one look-ahead reads at most (two parameters each, far below SQLite's limit of
# 32,766): a gathering of payments is at most 64 (api/gather.py).
look_ahead_keys_max = 256


class Reads(Protocol):
    """The store's connections for reads, apart from its writes' (a `Tables` is one)."""

    def session(self) -> AbstractContextManager[Session]: ...

    def close(self) -> None: ...


class SqlApiStore:
    def __init__(
        self,
        tables: Tables,
        reads: Reads,
        *,
        shared_claims: bool = False,
        claims: ClaimsAcrossProcesses | None = None,
    ) -> None:
        """`reads` on the same database as `tables` (the module says why they are apart).
        `shared_claims`: several processes serve this database (`colony serve --workers`),
        so a claim on an Idempotency-Key is made where they all see it: in `claims` (the
        ledger writer's memory), or else written to the database."""
        self._tables = tables
        self._reads = reads
        shared = (claims or SharedClaims(tables)) if shared_claims else None
        self._claims = IdempotencyClaims(self._stored_answer, shared)
        self._token_wallets: RecordCache[str, str] = RecordCache(token_cache_entries_max)
        # A token is cached only by the process every revocation goes through: one serving
        # the database alone, or the ledger's writer among workers (`keep_in_memory`, with
        # `make_changes_via`; docs/adr/0099). A revocation made there forgets it at once.
        self._keeper = OneKeeper(keeping=not shared_claims)
        # Revocations made by this store: a token read before one and kept after it could
        # outlive it in the cache, so a read is kept only if none happened meanwhile (both
        # under the keeper's lock).
        self._revocations = 0
        # Where the backends differ. PostgreSQL writes a batch of answers in one set-based
        # statement, a round trip to the server saved per answer on the API's hot path;
        # SQLite, in-process, runs the statement once per answer. And only a SQLite database
        # can come from before the numbered migrations.
        postgres = tables.backend == "postgresql"
        self._sqlite = not postgres
        write = _write_answers_unnest if postgres else _write_answers_each
        self._answers = GroupCommit(tables.in_transaction(write))
        if not postgres:
            _upgrade_old_sqlite(tables)

    def add_token(self, token_sha256: str, wallet_id: str, now_ns: int) -> None:
        with self._tables.write() as db:
            db.execute(
                "INSERT INTO api_tokens (token_sha256, wallet_id, created_at_ns) VALUES (?, ?, ?)",
                (token_sha256, wallet_id, now_ns),
            )

    def wallet_for_token(self, token_sha256: str) -> str | None:
        known = self._token_wallets.get(token_sha256)
        if known is not None:
            return known
        revocations = self._revocations
        row = self._read_one(
            "SELECT wallet_id FROM api_tokens WHERE token_sha256 = ? AND revoked_at_ns IS NULL",
            (token_sha256,),
        )
        if row is None:
            return None
        if self._keeper.keeping:
            with self._keeper.lock:
                if self._keeper.keeping and revocations == self._revocations:
                    self._token_wallets.keep(token_sha256, str(row[0]))
        return str(row[0])

    def revoke_tokens(self, wallet_id: str, now_ns: int, only: str | None = None) -> int:
        """Revoke the wallet's tokens, or only the one with hash `only`; how many were."""
        return int(self._keeper.change(REVOKE_CALL, self.revoke_here, wallet_id, now_ns, only))

    def revoke_here(self, wallet_id: str, now_ns: int, only: str | None = None) -> int:
        where = "wallet_id = ? AND revoked_at_ns IS NULL"
        args: tuple[object, ...] = (wallet_id,)
        if only is not None:
            where, args = where + " AND token_sha256 = ?", (*args, only)
        with self._keeper.changing():
            with self._tables.write() as db:
                found = db.execute(f"SELECT token_sha256 FROM api_tokens WHERE {where}", args)
                hashes = [str(row[0]) for row in found.fetchall()]
                db.execute(
                    f"UPDATE api_tokens SET revoked_at_ns = ? WHERE {where}", (now_ns, *args)
                )
            self._revocations += 1
            for token_sha256 in hashes:
                self._token_wallets.forget(token_sha256)
        return len(hashes)

    def changes_made_here(self) -> Mapping[str, Callable[..., Any]]:
        return {REVOKE_CALL: self.revoke_here}

    def make_changes_via(self, route: Route) -> None:
        self._keeper.make_changes_via(route)

    def keep_in_memory(self) -> Callable[[], None]:
        """Cache the tokens found valid from now until the function returned is called; the
        writer's duty among workers, every revocation being made there (docs/adr/0099)."""
        return self._keeper.keep(self._forget_tokens, self._forget_tokens)

    def _forget_tokens(self) -> None:
        """As keeping starts or stops (under the keeper's lock): a token read before, whose
        revocation this process did not make, is not kept after."""
        self._revocations += 1
        self._token_wallets.clear()

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
        with self._tables.write() as db:
            db.execute(
                f"INSERT INTO api_keys ({KEY_INSERT_COLUMNS}) VALUES (?, ?, ?, ?, ?, ?, ?)", row
            )

    def key(self, key_sha256: str) -> KeyRecord | None:
        """The key with this hash, revoked or not, or None."""
        row = self._read_one(
            f"SELECT {KEY_COLUMNS} FROM api_keys WHERE key_sha256 = ?", (key_sha256,)
        )
        return key_record(row) if row else None

    def keys_of(self, kind: str, owner_id: str) -> list[KeyRecord]:
        """Every key of this owner, revoked too, oldest first."""
        # Key hashes are hex and compared byte by byte (COLLATE "C" on PostgreSQL), as SQLite
        # does, so a merchant's keys list in the same order on both backends.
        with self._reads.session() as db:
            rows = db.execute(
                f"SELECT {KEY_COLUMNS} FROM api_keys WHERE kind = ? AND owner_id = ?"
                " ORDER BY created_at_ns, key_sha256",
                (kind, owner_id),
            ).fetchall()
        return [key_record(row) for row in rows]

    def revoke_key(self, key_sha256: str, now_ns: int) -> None:
        """From now on the key authenticates nothing (revoking twice keeps the first time)."""
        with self._tables.write() as db:
            db.execute(
                "UPDATE api_keys SET revoked_at_ns = ?"
                " WHERE key_sha256 = ? AND revoked_at_ns IS NULL",
                (now_ns, key_sha256),
            )

    def key_rate_limit(self, key_sha256: str) -> int | None:
        """The key's own rate limit in requests a second, or None (unknown key, or default)."""
        row = self._read_one(
            "SELECT rate_limit_per_s FROM api_keys WHERE key_sha256 = ? AND revoked_at_ns IS NULL",
            (key_sha256,),
        )
        return int(str(row[0])) if row and row[0] is not None else None

    def key_owner(self, key_sha256: str) -> tuple[str, str] | None:
        """(kind, owner id) of an API key that is not revoked, or None."""
        row = self._read_one(
            "SELECT kind, owner_id FROM api_keys WHERE key_sha256 = ? AND revoked_at_ns IS NULL",
            (key_sha256,),
        )
        return (str(row[0]), str(row[1])) if row else None

    @property
    def claims_cross_processes(self) -> bool:
        return self._claims.may_wait

    def begin(self, scope: str, key: str, request_sha256: str, now_ns: int) -> Begun:
        """Claim a key. Returns ("new", None, None) for a first request, ("same", status, body)
        when this key already has a request with the same hash (status None: still running),
        or ("different", None, None) when the key was used for another request."""
        return self._claims.begin(scope, key, request_sha256, now_ns)

    @property
    def looks_ahead(self) -> bool:
        """Now, on SQLite, with every claim held in this process's memory: its own, or
        every worker's while it is the ledger's writer (docs/adr/0099). Not on PostgreSQL,
        whose payments begin on threads of the pool (its read would be a round trip made on
        the event loop), nor where another process may claim and answer a key unseen here
        (docs/adr/0092)."""
        return self._sqlite and self._claims.finds_ahead

    def look_ahead(self, keys: Sequence[tuple[str, str]]) -> None:
        """One read for the stored answers of a gathering of payments about to begin, on
        SQLite: kept by the claims where this process holds them all, or by the ledger
        writer's memory where it holds every process's (docs/adr/0093); else nothing."""
        if self._sqlite:
            self._claims.look_ahead(keys[:look_ahead_keys_max], self._answered_among)

    def finish(self, scope: str, key: str, status: int, body: str) -> None:
        """Record the answer to a claimed key (it replays from now on) and drop the claim.

        Answers finished at the same moment share one commit (group_commit.py): one write a
        request would otherwise queue every request behind the ledger's journal, which takes
        the same database's write lock."""
        self._claims.finish(scope, key, status, body, self._answers.submit)

    def finish_later(self, scope: str, key: str, status: int, body: str) -> Future[None]:
        """As `finish`, without waiting: the future is done once the answer is durable."""
        return self._claims.finish_later(scope, key, status, body, self._answers.submit_later)

    def release(self, scope: str, key: str) -> None:
        """Forget a claim whose request failed for a reason that must not be replayed."""
        self._claims.release(scope, key)

    def release_later(self, scope: str, key: str) -> Future[None]:
        """As `release`: the future is done once every process may claim the key again."""
        return self._claims.release_later(scope, key)

    def forget_answers_before(self, before_ns: int, limit: int) -> int:
        with self._tables.transaction() as db:  # SQLite: behind the file's write gate
            return int(db.execute(_FORGET_ANSWERS, (before_ns, limit)).rowcount)

    def close(self) -> None:
        self._reads.close()
        self._tables.close()

    def _stored_answer(self, scope: str, key: str) -> tuple[object, ...] | None:
        return self._read_one(
            "SELECT request_sha256, status, body FROM api_idempotency WHERE scope = ? AND key = ?",
            (scope, key),
        )

    def _answered_among(self, keys: Sequence[tuple[str, str]]) -> set[tuple[str, str]]:
        """Which of `keys` have a stored answer: one statement, each key found by the
        table's primary key (the keys' list is the outer loop of the join)."""
        rows = ", ".join(["(?, ?)"] * len(keys))
        sql = (
            f"SELECT a.scope, a.key FROM (VALUES {rows}) AS v CROSS JOIN api_idempotency AS a"
            " ON a.scope = v.column1 AND a.key = v.column2"
        )
        with self._reads.session() as db:
            found = db.execute(sql, [part for k in keys for part in k]).fetchall()
        return {(str(scope), str(key)) for scope, key in found}

    def _read_one(self, sql: str, args: tuple[object, ...]) -> tuple[object, ...] | None:
        with self._reads.session() as db:
            row = db.execute(sql, args).fetchone()
        return None if row is None else tuple(row)


class SqliteReads:
    """SQLite only: each thread's own connection for reads, so request threads wait neither
    behind a write nor for one another (a SQLite connection is cheap to keep, unlike a
    PostgreSQL one, which is a server process)."""

    def __init__(self, path: Path) -> None:
        self._path = path
        self._local = threading.local()
        self._lock = threading.Lock()  # over `_readers`, which every thread adds to
        self._readers: list[sqlite3.Connection] = []

    def session(self) -> AbstractContextManager[Session]:
        """This thread's connection, made on its first read; a `with` on it holds no lock."""
        reader: _Reader | None = getattr(self._local, "reader", None)
        if reader is None:
            db = sqlite3.connect(self._path, isolation_level=None, check_same_thread=False)
            db.execute(f"PRAGMA busy_timeout = {busy_timeout_s * 1000}")
            reader = self._local.reader = _Reader(db)
            with self._lock:
                self._readers.append(db)
        return reader

    def close(self) -> None:
        with self._lock:
            for db in self._readers:
                db.close()
            self._readers.clear()


class _Reader(AbstractContextManager["_Reader"]):
    """One thread's SQLite connection, as a `Session` and its own context: every request
    reads here several times, and a context made by a generator added a quarter to a read."""

    def __init__(self, db: sqlite3.Connection) -> None:
        self._db = db

    def __exit__(self, *exc: object) -> None:
        return None

    def execute(self, sql: str, args: Sequence[object] = ()) -> Cursor:
        return self._db.execute(sql, args)

    def executemany(self, sql: str, rows: Sequence[Sequence[object]]) -> None:
        self._db.executemany(sql, rows)


def _upgrade_old_sqlite(tables: Tables) -> None:
    """A SQLite database made before the numbered migrations (whose first makes only the
    tables missing) gets api_keys' later columns, NULL in its old rows. And claims written by
    earlier versions, whose requests a crash interrupted, are dropped: no request is answered
    by them now, and a retry must be able to run again. (PostgreSQL's tables were whole from
    their first migration, and its stored answers always have a status.) At the file's write
    gate, as every write (docs/adr/0105): it runs at every opening."""
    with tables.write() as db:
        columns = {row[1] for row in db.execute("PRAGMA table_info(api_keys)").fetchall()}
        for column, sql_type in _ADDED_KEY_COLUMNS.items():
            if column not in columns:
                db.execute(f"ALTER TABLE api_keys ADD COLUMN {column} {sql_type}")
        db.execute("DELETE FROM api_idempotency WHERE status IS NULL")


def _write_answers_each(db: Session, answers: Sequence[Answer]) -> list[None]:
    db.executemany(_WRITE_ANSWER, answers)
    return [None] * len(answers)


def _write_answers_unnest(db: Session, answers: Sequence[Answer]) -> list[None]:
    db.execute(_WRITE_ANSWERS_UNNEST, [list(column) for column in zip(*answers, strict=True)])
    return [None] * len(answers)


def open_api_store(
    url: str, *, shared_claims: bool = False, claims: ClaimsAcrossProcesses | None = None
) -> SqlApiStore:
    """The API's tokens, keys and idempotency records behind a `sqlite:///PATH` or
    `postgresql://` URL; `shared_claims` when several processes serve the database, `claims`
    where they meet to claim keys (by default, the database)."""
    tables = open_tables(url, "colony-api")
    # Reads apart from the writes (the module says why): on SQLite a connection per thread.
    reads = (
        open_tables(url, "colony-api-reads")
        if is_postgres(url)
        else SqliteReads(sqlite_path_or_refuse(url))
    )
    return SqlApiStore(tables, reads, shared_claims=shared_claims, claims=claims)

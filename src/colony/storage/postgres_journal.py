"""The ledger journal on PostgreSQL: one row per batch, `synchronous_commit = on`.

The rows are those of the SQLite journal (seq, operation, clock reading, event count, packed
body, results, CRC-32 of the body), so a commit writes one large row per batch instead of a
row per transfer. One process owns a journal at a time: it holds a session advisory lock for
as long as its connection lives (docs/adr/0010-journal-on-postgresql.md), checks every append
against the last seq it knows, and the primary key refuses a seq written twice.

A connection that drops under an append raises `StorageUnavailable`. Before raising, the
journal reconnects once: taking the advisory lock again waits until the old session has ended
(its transaction committed or rolled back), so the new connection can tell whether the batch
landed. If it did, the append returns as durable; if not, it raises with the batch absent;
if the server cannot be reached, it raises and the next append reconnects and decides then.
"""

from __future__ import annotations

import contextlib
import threading
from collections.abc import Sequence
from typing import Any
from urllib.parse import urlparse, urlunparse

import psycopg
from psycopg import sql

from colony.kernel.errors import StorageUnavailable
from colony.ledger.store import JournalEntry, JournalOwned
from colony.storage import postgres_checkpoints
from colony.storage.journal_rows import (
    COLUMNS,
    JOURNAL_FORMAT_VERSION,
    check_next,
    entries_of,
    rows_of,
)
from colony.storage.postgres_migrate import migrate

# Seconds to wait for the server to accept a connection.
connect_timeout_s = 10
# How long one statement of a checkpoint's write may take on the server, in seconds.
checkpoint_statement_timeout_s = 600
# Seconds to wait for the journal's advisory lock: a process that was just killed holds it
# until the server notices, which is usually at once; a live owner holds it for good.
owner_lock_timeout_s = 5
# First key of the owner's advisory lock (a constant of Colony's); the second is a hash of the
# schema the journal lives in, so each schema can hold one ledger.
owner_lock_class = 0x436F6C6F  # "Colo"


_INSERT = (
    "INSERT INTO ledger_journal (seq, operation, now_ns, event_count, body, results, crc32)"
    " VALUES (%b, %b, %b, %b, %b, %b, %b)"
)


def _refused(conn: psycopg.Connection[tuple[object, ...]], exc: psycopg.Error) -> bool:
    """Whether the server answered the append with an error and is idle again on a live
    connection, so the transaction was rolled back; a connection failure (SQLSTATE class 08),
    a shutdown or termination (57) or an error raised by the client alone (no SQLSTATE) is
    not a refusal."""
    state = exc.sqlstate
    return (
        state is not None
        and not state.startswith(("08", "57"))
        and not (conn.closed or conn.broken)
        and conn.info.transaction_status == psycopg.pq.TransactionStatus.IDLE
    )


def redacted(url: str) -> str:
    """The URL without its password, fit for messages and logs."""
    try:
        parsed = urlparse(url)
    except ValueError:  # unsplit, its password cannot be told apart: none of it is shown
        return "(a malformed URL)"
    if parsed.password is None:
        return url
    host = parsed.hostname or ""
    netloc = f"{parsed.username or ''}:***@{host}" + (f":{parsed.port}" if parsed.port else "")
    return urlunparse(parsed._replace(netloc=netloc))


def _holds_owner_lock(conn: psycopg.Connection[tuple[Any, ...]], pid: int) -> bool:
    """Whether the session `pid` holds the journal's owner lock, asked from another session
    (a lock is its session's: another can only look). A two-key advisory lock shows its keys
    as classid and objid, oids (the signed hash read as unsigned), with objsubid 2."""
    row = conn.execute(
        "SELECT 1 FROM pg_locks WHERE locktype = 'advisory' AND granted AND pid = %s"
        " AND classid = %s::bigint::oid"
        " AND objid = (hashtext(current_schema())::bigint & 4294967295)::oid AND objsubid = 2",
        (pid, owner_lock_class),
    ).fetchone()
    return row is not None


class PostgresJournal:
    def __init__(self, url: str, *, wait_for_owner: bool = True) -> None:
        """`wait_for_owner=False`: raise `JournalOwned` at once if another process holds the
        journal, instead of waiting `owner_lock_timeout_s` for it (an election's try)."""
        self.url = url
        self._wait_for_owner = wait_for_owner
        self.label = redacted(url)
        # The committer thread appends; the opening thread reads during replay.
        self._mutex = threading.Lock()
        self._conn: psycopg.Connection[tuple[object, ...]] | None = None
        self._tail = 0  # the last seq known to be in the journal
        self._in_doubt: int | None = None  # last seq of an append whose commit was cut off
        self._connect()

    # ------------------------------------------------------------------------- connection

    def _connect(self) -> psycopg.Connection[tuple[object, ...]]:
        """Connect, take the owner lock, make the tables, learn the tail."""
        try:
            conn = psycopg.connect(
                self.url,
                autocommit=True,
                connect_timeout=connect_timeout_s,
                application_name="colony-ledger-journal",
            )
        except psycopg.Error as exc:
            raise StorageUnavailable(f"{self.label}: cannot connect: {exc}") from exc
        try:
            # Said explicitly: a commit returns only once its WAL is flushed to disk.
            conn.execute("SET synchronous_commit = on")
            conn.execute(sql.SQL("SET lock_timeout = {}").format(owner_lock_timeout_s * 1000))
            if self._wait_for_owner or self._conn is not None:  # a reconnect always waits
                try:
                    conn.execute(
                        "SELECT pg_advisory_lock(%s, hashtext(current_schema()))",
                        (owner_lock_class,),
                    )
                except psycopg.errors.LockNotAvailable:
                    raise JournalOwned(
                        f"{self.label}: another process holds this ledger's journal "
                        f"(waited {owner_lock_timeout_s} s for its lock)"
                    ) from None
            else:
                got = conn.execute(
                    "SELECT pg_try_advisory_lock(%s, hashtext(current_schema()))",
                    (owner_lock_class,),
                ).fetchone()
                if not (got and got[0]):
                    raise JournalOwned(f"{self.label}: another process holds this ledger's journal")
            conn.execute("SET lock_timeout = 0")
            migrate(conn, self.label)
            with conn.transaction():
                conn.execute(
                    "INSERT INTO colony_meta VALUES ('journal_format', %s)"
                    " ON CONFLICT (key) DO NOTHING",
                    (str(JOURNAL_FORMAT_VERSION),),
                )
            row = conn.execute(
                "SELECT value FROM colony_meta WHERE key = 'journal_format'"
            ).fetchone()
            if row is None or int(str(row[0])) != JOURNAL_FORMAT_VERSION:
                raise StorageUnavailable(
                    f"{self.label}: journal format {row and row[0]}, "
                    f"this Colony reads {JOURNAL_FORMAT_VERSION}"
                )
            tail_row = conn.execute("SELECT coalesce(max(seq), 0) FROM ledger_journal").fetchone()
            tail = int(str(tail_row[0])) if tail_row else 0
        except BaseException as exc:
            conn.close()
            if isinstance(exc, psycopg.Error):
                raise StorageUnavailable(
                    f"{self.label}: opening the journal failed: {exc}"
                ) from exc
            raise
        # On a reconnect the journal may only have moved by the batch whose commit was cut off.
        if self._conn is not None and tail not in (self._tail, self._in_doubt):
            conn.close()
            raise StorageUnavailable(
                f"{self.label}: the journal ends at {tail}, this ledger knows {self._tail}: "
                "another process wrote to it"
            )
        self._tail = tail
        self._in_doubt = None
        self._conn = conn
        return conn

    def _live(self) -> psycopg.Connection[tuple[object, ...]]:
        if self._conn is None or self._conn.closed or self._conn.broken:
            try:
                return self._connect()
            except psycopg.Error as exc:
                raise StorageUnavailable(f"{self.label}: cannot reconnect: {exc}") from exc
        return self._conn

    # ------------------------------------------------------------------------- JournalStore

    def read(self, after_seq: int, limit: int) -> list[JournalEntry]:
        with self._mutex:
            conn = self._live()
            try:
                with conn.cursor(binary=True) as cur:
                    cur.execute(
                        f"SELECT {COLUMNS}"
                        " FROM ledger_journal WHERE seq > %s ORDER BY seq LIMIT %s",
                        (after_seq, limit),
                    )
                    rows: list[tuple[Any, ...]] = cur.fetchall()
            except psycopg.Error as exc:
                raise StorageUnavailable(f"{self.label}: journal read failed: {exc}") from exc
        return entries_of(rows, self.label)

    def append(self, entries: Sequence[JournalEntry]) -> None:
        if not entries:
            return
        rows = rows_of(entries)
        with self._mutex:
            conn = self._live()
            check_next(entries, self._tail, self.label)
            try:
                with conn.transaction(), conn.cursor() as cur:
                    cur.executemany(_INSERT, rows)
            except psycopg.Error as exc:
                if _refused(conn, exc):
                    # The server refused it and rolled the transaction back: nothing was written.
                    raise StorageUnavailable(f"{self.label}: journal append failed: {exc}") from exc
                # Anything else leaves the commit's fate unknown from here, even when the
                # connection is not yet marked broken (psycopg's pipeline can fail on the
                # client's side first, "cannot exit pipeline mode while busy"): ask anew.
                with contextlib.suppress(Exception):
                    conn.close()
                self._resolve_cut_off(entries[-1].seq, exc)
                return
            self._tail = entries[-1].seq

    # ------------------------------------------------------------------------- CheckpointStore

    def checkpoint_seqs(self) -> list[int]:
        with self._mutex:
            try:
                return postgres_checkpoints.checkpoint_seqs(self._live())
            except psycopg.Error as exc:
                raise StorageUnavailable(
                    f"{self.label}: reading checkpoints failed: {exc}"
                ) from exc

    def read_checkpoint(self, seq: int) -> bytes | None:
        with self._mutex:
            try:
                return postgres_checkpoints.read_checkpoint(self._live(), seq)
            except psycopg.Error as exc:
                raise StorageUnavailable(
                    f"{self.label}: reading checkpoints failed: {exc}"
                ) from exc

    def write_checkpoint(self, seq: int, parts: Sequence[bytes | bytearray]) -> None:
        """On a connection of its own, not the journal's: a checkpoint is a hundred megabytes
        or more, and the journal's appends do not wait for it (docs/adr/0117). It is kept
        only while this journal's session still holds the owner's lock, checked in the
        transaction that names it: a process that lost the journal (its session ended,
        another took the lock) must not prune the new owner's checkpoints."""
        conn_now = self._conn
        owner_pid = None if conn_now is None or conn_now.closed else conn_now.info.backend_pid
        if owner_pid is None:
            raise StorageUnavailable(f"{self.label}: checkpoint not written: no journal session")
        try:
            with psycopg.connect(
                self.url,
                autocommit=True,
                connect_timeout=connect_timeout_s,
                application_name="colony-ledger-checkpoint",
            ) as conn:
                conn.execute("SET synchronous_commit = on")  # durable when this returns
                # A statement stuck on the server fails the checkpoint, not the thread that
                # writes them all.
                conn.execute(
                    sql.SQL("SET statement_timeout = {}").format(
                        checkpoint_statement_timeout_s * 1000
                    )
                )
                postgres_checkpoints.write_checkpoint(
                    conn, seq, parts, still_owner=lambda c: _holds_owner_lock(c, owner_pid)
                )
        except postgres_checkpoints.NotOwner:
            raise StorageUnavailable(
                f"{self.label}: checkpoint not written: this process no longer owns the journal"
            ) from None
        except psycopg.Error as exc:
            raise StorageUnavailable(f"{self.label}: checkpoint write failed: {exc}") from exc

    def _resolve_cut_off(self, last_seq: int, cause: BaseException) -> None:
        """The connection dropped under an append: find out on a new one whether it landed."""
        self._in_doubt = last_seq
        try:
            self._connect()
        except (StorageUnavailable, psycopg.Error) as exc:
            raise StorageUnavailable(
                f"{self.label}: connection lost during a journal append ({cause}); "
                f"reconnecting failed ({exc}), so the batch may or may not be there: "
                "reopening the ledger replays whatever is"
            ) from cause
        if self._tail == last_seq:
            return  # the commit had finished before the connection went: durable
        raise StorageUnavailable(
            f"{self.label}: connection lost during a journal append, the batch was not "
            f"written: {cause}"
        ) from cause

    def close(self) -> None:
        with self._mutex:
            if self._conn is not None:
                # Unlocked first, not left to the session's end: the server ends a closed
                # session a moment after the client goes, and a process that opens the
                # ledger in that moment (a restart) would find it still owned.
                with contextlib.suppress(psycopg.Error):  # broken: its end releases it
                    self._conn.execute(
                        "SELECT pg_advisory_unlock(%s, hashtext(current_schema()))",
                        (owner_lock_class,),
                    )
                self._conn.close()

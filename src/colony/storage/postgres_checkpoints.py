"""The PostgreSQL ledger's checkpoints: large objects, found by a row of `colony_meta`.

A checkpoint is one large object, written in parts, and a `colony_meta` row
`ledger_checkpoint:<seq, 20 digits>` naming its oid, all in one transaction with the removal of
the checkpoints past the newest few: a crash leaves the old set whole, never a half-written
one. Large objects keep hundreds of megabytes out of the schema's tables and need no new
table (docs/adr/0027).
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from typing import Any

import psycopg

from colony.storage.checkpoint_files import checkpoints_kept

_KEY = "ledger_checkpoint:"
# Bytes one statement moves: well under the 1 GB a bytea value may hold.
chunk_bytes = 64 * 1024 * 1024

Connection = psycopg.Connection[tuple[Any, ...]]


def checkpoint_seqs(conn: Connection) -> list[int]:
    rows = conn.execute(
        "SELECT key FROM colony_meta WHERE key LIKE %s ORDER BY key DESC", (_KEY + "%",)
    ).fetchall()
    return [int(str(row[0])[len(_KEY) :]) for row in rows]


def read_checkpoint(conn: Connection, seq: int) -> bytes | None:
    with conn.transaction():  # a large object is read inside a transaction
        row = conn.execute("SELECT value FROM colony_meta WHERE key = %s", (_key(seq),)).fetchone()
        if row is None:
            return None
        oid = int(str(row[0]))
        chunks = []
        offset = 0
        while True:
            with conn.cursor(binary=True) as cur:
                cur.execute("SELECT lo_get(%s, %s, %s)", (oid, offset, chunk_bytes))
                got = cur.fetchone()
            chunk = bytes(got[0]) if got else b""
            chunks.append(chunk)
            offset += len(chunk)
            if len(chunk) < chunk_bytes:
                return b"".join(chunks)


class NotOwner(Exception):
    """The journal's owner no longer holds it: the checkpoint was not kept."""


def write_checkpoint(
    conn: Connection,
    seq: int,
    parts: Sequence[bytes | bytearray],
    *,
    still_owner: Callable[[Connection], bool],
) -> None:
    """`still_owner(conn)`: whether the writing process still owns the journal, asked in the
    transaction just before the checkpoint is named; if not, nothing is kept (`NotOwner`)."""
    with conn.transaction():
        created = conn.execute("SELECT lo_create(0)").fetchone()
        assert created is not None, "lo_create returns an oid"
        oid = int(created[0])
        offset = 0
        for part in parts:
            view = memoryview(part)
            for start in range(0, len(view), chunk_bytes):
                chunk = view[start : start + chunk_bytes]
                conn.execute("SELECT lo_put(%s, %s, %b)", (oid, offset, bytes(chunk)))
                offset += len(chunk)
        # Checked last, just before the rows change: the lock is a session's, so another
        # connection can only look for it; a session that ends after this point ended after
        # the checkpoint was due, which it was.
        if not still_owner(conn):
            raise NotOwner()
        _drop(conn, [seq])  # the same watermark written again replaces the older copy
        conn.execute("INSERT INTO colony_meta VALUES (%s, %s)", (_key(seq), str(oid)))
        _drop(conn, checkpoint_seqs(conn)[checkpoints_kept:])


def _drop(conn: Connection, seqs: list[int]) -> None:
    for seq in seqs:
        row = conn.execute(
            "DELETE FROM colony_meta WHERE key = %s RETURNING value", (_key(seq),)
        ).fetchone()
        if row is not None:
            conn.execute("SELECT lo_unlink(%s)", (int(str(row[0])),))


def _key(seq: int) -> str:
    return f"{_KEY}{seq:020d}"

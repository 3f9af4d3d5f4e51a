"""The ledger journal in a SQLite file: WAL mode, `synchronous=FULL`, one row per batch.

Each batch is one row holding its packed events (about 1 MiB for 8,190 transfers), so a
commit writes a few large sequential pages instead of updating a B-tree per transfer. A CRC-32
over each row's body catches a torn or corrupted row on replay.
"""

from __future__ import annotations

import contextlib
import sqlite3
import threading
from collections.abc import Sequence
from pathlib import Path

from colony.kernel.errors import StorageUnavailable
from colony.ledger.store import JournalEntry
from colony.storage.checkpoint_files import CheckpointFiles, checkpoint_folder
from colony.storage.journal_rows import (
    COLUMNS,
    JOURNAL_FORMAT_VERSION,
    check_next,
    entries_of,
    rows_of,
)
from colony.storage.sqlite_connection import busy_timeout_s, open_connection, write_gate
from colony.storage.sqlite_migrate import migrate

# Copy the WAL back into the database file once this many bytes were appended since the last
# copy. The copy runs on its own thread and connection, so a commit never waits for it.
checkpoint_after_bytes = 64 * 1024 * 1024


class SqliteJournal:
    def __init__(self, path: Path, *, synchronous: str = "FULL") -> None:
        if synchronous.upper() not in ("FULL", "EXTRA", "NORMAL", "OFF"):
            raise ValueError(f"synchronous must be FULL, EXTRA, NORMAL or OFF, not {synchronous!r}")
        self.path = path
        self._gate = write_gate(path)  # shared with this process's table stores
        # The writer thread, not the opening thread, does the appends.
        self._db = open_connection(path, synchronous.upper())
        # Checkpoints are the background thread's job (see checkpoint_after_bytes).
        self._db.execute("PRAGMA wal_autocheckpoint = 0")
        migrate(self._db, str(path))
        row = self._db.execute(
            "SELECT value FROM colony_meta WHERE key = 'journal_format'"
        ).fetchone()
        if row is None:
            self._db.execute(
                "INSERT OR IGNORE INTO colony_meta VALUES ('journal_format', ?)",
                (str(JOURNAL_FORMAT_VERSION),),
            )
        elif int(row[0]) != JOURNAL_FORMAT_VERSION:
            raise StorageUnavailable(
                f"{path}: journal format {row[0]}, this Colony reads {JOURNAL_FORMAT_VERSION}"
            )
        # The ledger's checkpoints (ledger/checkpoint.py), not to be confused with SQLite's WAL
        # checkpoints below: files beside the database.
        self.checkpoints = CheckpointFiles(
            checkpoint_folder(path), durable=synchronous.upper() != "OFF"
        )
        self._appended_bytes = 0
        self._checkpoint_due = threading.Event()
        self._stopping = False
        self._checkpointer = threading.Thread(
            target=self._checkpoint_loop,
            args=(synchronous,),
            name="journal-checkpoint",
            daemon=True,
        )
        self._checkpointer.start()

    def _checkpoint_loop(self, synchronous: str) -> None:
        db = open_connection(self.path, synchronous.upper())
        try:
            while True:
                self._checkpoint_due.wait()
                self._checkpoint_due.clear()
                if self._stopping:
                    return
                # PASSIVE never blocks the writer; frames it cannot copy yet wait for next time.
                db.execute("PRAGMA wal_checkpoint(PASSIVE)")
        finally:
            db.close()

    def read(self, after_seq: int, limit: int) -> list[JournalEntry]:
        rows = self._db.execute(
            f"SELECT {COLUMNS} FROM ledger_journal WHERE seq > ? ORDER BY seq LIMIT ?",
            (after_seq, limit),
        ).fetchall()
        return entries_of(rows, str(self.path))

    def checkpoint_seqs(self) -> list[int]:
        return self.checkpoints.checkpoint_seqs()

    def read_checkpoint(self, seq: int) -> bytes | None:
        return self.checkpoints.read_checkpoint(seq)

    def write_checkpoint(self, seq: int, parts: Sequence[bytes | bytearray]) -> None:
        self.checkpoints.write_checkpoint(seq, parts)

    def append(self, entries: Sequence[JournalEntry]) -> None:
        rows = rows_of(entries)
        if not entries:
            return
        try:
            with self._gate:
                self._commit(rows, entries)
        except sqlite3.Error as exc:
            raise StorageUnavailable(f"{self.path}: journal append failed: {exc}") from exc
        self._appended_bytes += sum(len(e.body) for e in entries)
        if self._appended_bytes >= checkpoint_after_bytes:
            self._appended_bytes = 0
            self._checkpoint_due.set()

    def _commit(
        self,
        rows: list[tuple[int, int, int, int, bytes, bytes, int]],
        entries: Sequence[JournalEntry],
    ) -> None:
        self._db.execute("BEGIN IMMEDIATE")
        try:
            # Gap-free, and a second writer with a stale view fails instead of forking the
            # journal: the write lock of BEGIN IMMEDIATE holds the tail still until COMMIT.
            (tail,) = self._db.execute(
                "SELECT coalesce(max(seq), 0) FROM ledger_journal"
            ).fetchone()
            check_next(entries, tail, str(self.path))
            self._db.executemany("INSERT INTO ledger_journal VALUES (?, ?, ?, ?, ?, ?, ?)", rows)
            self._db.execute("COMMIT")
        except BaseException:
            if self._db.in_transaction:  # not when SQLite rolled it back itself (I/O, full)
                self._db.execute("ROLLBACK")
            raise

    def close(self) -> None:
        self._stopping = True
        self._checkpoint_due.set()
        self._checkpointer.join(timeout=busy_timeout_s)
        # Leave a compact file behind: fold the whole WAL back in and empty it. If that fails
        # the WAL stays, and the next open reads it: nothing is lost.
        with contextlib.suppress(sqlite3.Error):
            self._db.execute("PRAGMA wal_checkpoint(TRUNCATE)")
        self._db.close()

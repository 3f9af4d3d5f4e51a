"""Whole-database backups and restores, on either backend.

SQLite: the online backup API copies every page inside one read transaction, so the copy is
consistent while a server keeps appending (WAL readers never block the writer). The copy is
left in rollback-journal mode, one self-contained file.

PostgreSQL: `pg_dump --format=custom` of the whole database, run on a snapshot this module
exports, so the journal entry count it reports is the one the dump holds; `pg_restore
--no-owner` puts it back into an empty database.
"""

from __future__ import annotations

import os
import shutil
import sqlite3
import subprocess
from contextlib import closing
from dataclasses import dataclass
from pathlib import Path

import psycopg

from colony.kernel.errors import InvalidInput, StorageUnavailable
from colony.storage.open import is_postgres, sqlite_path
from colony.storage.postgres_journal import connect_timeout_s, redacted
from colony.storage.sqlite_connection import create_private, refuse_a_folder_in_the_way

SQLITE_MAGIC = b"SQLite format 3\x00"
PG_DUMP_MAGIC = b"PGDMP"
# The journal table every Colony database has; its absence means "not Colony's".
JOURNAL_TABLE = "ledger_journal"


@dataclass(frozen=True)
class BackupWritten:
    path: Path
    bytes: int
    journal_entries: int


def backup(url: str, to: Path, *, force: bool = False) -> BackupWritten:
    """Copy the database behind `url` into the file `to` (refused if it exists, unless force)."""
    if to.exists() and not force:
        raise InvalidInput(f"{to} exists; pass --force to overwrite it")
    partial = _partial_beside(to)
    try:
        if is_postgres(url):
            entries = _pg_dump(url, partial)
        else:
            entries = _sqlite_backup(_existing_sqlite_file(url), partial)
        os.replace(partial, to)
    finally:
        partial.unlink(missing_ok=True)
    return BackupWritten(to, to.stat().st_size, entries)


def restore(source: Path, url: str, *, force: bool = False) -> None:
    """Put the backup `source` into the (empty, unless force) database behind `url`."""
    kind = backup_kind(source)
    if is_postgres(url):
        if kind != "postgresql":
            raise InvalidInput(f"{source} is a SQLite backup; restore it into sqlite:///PATH")
        _pg_restore(source, url, force=force)
    else:
        target = sqlite_path(url)
        if kind != "sqlite":
            raise InvalidInput(f"{source} is a PostgreSQL backup; restore it into postgresql://...")
        _sqlite_restore(source, target, force=force)


def _partial_beside(path: Path) -> Path:
    """The empty file beside `path` that becomes it once whole, its owner's alone (a backup
    holds what the database holds); `InvalidInput` when `path` cannot be written there."""
    partial = path.with_name(path.name + ".partial")
    try:
        refuse_a_folder_in_the_way(path)
        partial.unlink(missing_ok=True)
        create_private(partial)
    except OSError as exc:
        raise InvalidInput(f"cannot write {path}: {exc.strerror or exc}") from None
    return partial


def backup_kind(source: Path) -> str:
    """'sqlite' or 'postgresql': which backend wrote the backup file `source`."""
    try:
        with source.open("rb") as f:
            head = f.read(len(SQLITE_MAGIC))
    except FileNotFoundError:
        raise InvalidInput(f"{source}: no such backup file") from None
    except OSError as exc:
        raise InvalidInput(f"cannot read {source}: {exc.strerror}") from None
    if head.startswith(SQLITE_MAGIC):
        return "sqlite"
    if head.startswith(PG_DUMP_MAGIC):
        return "postgresql"
    raise InvalidInput(f"{source} is not a Colony backup (neither SQLite nor pg_dump custom)")


# SQLite


def _existing_sqlite_file(url: str) -> Path:
    path = sqlite_path(url)
    if not path.is_file():
        raise InvalidInput(f"{path}: no such database file")
    with path.open("rb") as f:
        if not f.read(len(SQLITE_MAGIC)).startswith(SQLITE_MAGIC):
            raise InvalidInput(f"{path} is not a SQLite database")
    return path


def _sqlite_backup(source: Path, to: Path) -> int:
    try:
        with closing(sqlite3.connect(source)) as src, closing(sqlite3.connect(to)) as dst:
            _require_journal_table(src, source)
            src.backup(dst)  # all pages in one step: one read transaction, one snapshot
            dst.execute("PRAGMA journal_mode = DELETE")  # one file, no -wal beside it
            return int(dst.execute(f"SELECT count(*) FROM {JOURNAL_TABLE}").fetchone()[0])
    except sqlite3.Error as exc:
        raise StorageUnavailable(f"backup of {source} failed: {exc}") from exc


def _sqlite_restore(source: Path, target: Path, *, force: bool) -> None:
    if target.exists() and not force:
        raise InvalidInput(f"{target} exists; pass --force to replace it")
    partial = _partial_beside(target)
    try:
        uri = f"{source.resolve().as_uri()}?mode=ro"
        with (
            closing(sqlite3.connect(uri, uri=True)) as src,
            closing(sqlite3.connect(partial)) as dst,
        ):
            _require_journal_table(src, source)
            src.backup(dst)
        # A -wal left from the replaced file would be replayed onto the restored pages.
        for stale in ("-wal", "-shm"):
            target.with_name(target.name + stale).unlink(missing_ok=True)
        os.replace(partial, target)
    except sqlite3.Error as exc:
        raise InvalidInput(f"{source} is not a Colony backup: {exc}") from exc
    finally:
        partial.unlink(missing_ok=True)


def _require_journal_table(db: sqlite3.Connection, path: Path) -> None:
    found = db.execute(
        "SELECT 1 FROM sqlite_master WHERE type = 'table' AND name = ?", (JOURNAL_TABLE,)
    ).fetchone()
    if found is None:
        raise InvalidInput(f"{path} holds no Colony ledger (no {JOURNAL_TABLE} table)")


# PostgreSQL


def _tool(name: str) -> str:
    path = shutil.which(name)
    if path is None:
        raise InvalidInput(f"{name} not found on PATH: install the PostgreSQL client tools")
    return path


def _connect(url: str) -> psycopg.Connection[tuple[object, ...]]:
    try:
        return psycopg.connect(url, connect_timeout=connect_timeout_s)
    except psycopg.Error as exc:
        raise StorageUnavailable(f"{redacted(url)}: {exc}") from exc


def _pg_dump(url: str, to: Path) -> int:
    pg_dump = _tool("pg_dump")
    with _connect(url) as conn:
        # The snapshot stays exported while this transaction is open: pg_dump reads exactly it.
        conn.isolation_level = psycopg.IsolationLevel.REPEATABLE_READ
        conn.read_only = True
        if conn.execute("SELECT to_regclass(%s)", (JOURNAL_TABLE,)).fetchone() == (None,):
            raise InvalidInput(f"{redacted(url)} holds no Colony ledger (no {JOURNAL_TABLE})")
        snapshot = conn.execute("SELECT pg_export_snapshot()").fetchone()
        counted = conn.execute(f"SELECT count(*) FROM {JOURNAL_TABLE}").fetchone()
        assert snapshot is not None and counted is not None
        _run(
            [pg_dump, "--format=custom", f"--snapshot={snapshot[0]}", f"--file={to}", url],
            url,
        )
        conn.rollback()
    return int(str(counted[0]))


def _pg_restore(source: Path, url: str, *, force: bool) -> None:
    pg_restore = _tool("pg_restore")
    listing = _run([pg_restore, "--list", str(source)], url)
    if f" {JOURNAL_TABLE} " not in listing:
        raise InvalidInput(f"{source} is not a Colony backup (no {JOURNAL_TABLE} table in it)")
    with _connect(url) as conn:
        tables = conn.execute(
            "SELECT table_schema || '.' || table_name FROM information_schema.tables"
            " WHERE table_schema NOT IN ('pg_catalog', 'information_schema') ORDER BY 1"
        ).fetchall()
    if tables and not force:
        names = ", ".join(str(t[0]) for t in tables)
        raise InvalidInput(
            f"{redacted(url)} is not empty ({names}); pass --force to replace its contents"
        )
    command = [pg_restore, "--no-owner", "--single-transaction", f"--dbname={url}"]
    if force:
        command += ["--clean", "--if-exists"]
    _run([*command, str(source)], url)


def _run(command: list[str], url: str) -> str:
    done = subprocess.run(command, capture_output=True, text=True, check=False)
    if done.returncode != 0:
        raise StorageUnavailable(
            f"{Path(command[0]).name} on {redacted(url)} failed: {done.stderr.strip()}"
        )
    return done.stdout

"""Applying schema migrations to a SQLite database, each in one `BEGIN IMMEDIATE` transaction.

The write lock of `BEGIN IMMEDIATE` is taken before the recorded versions are read again, so
of two processes upgrading at once the second waits (up to the connection's busy timeout),
then finds the work done. SQLite's DDL is transactional: a migration that fails part-way
leaves nothing of itself behind.
"""

from __future__ import annotations

import datetime as dt
import sqlite3
from importlib.resources.abc import Traversable

from colony.kernel.clock import Clock, SystemClock
from colony.kernel.errors import InvalidInput, StorageUnavailable
from colony.storage.migration_plan import (
    Applied,
    Migration,
    applied_at_of,
    apply_pending,
    migrations_for,
    pending,
)

SCHEMA_MIGRATIONS = """
CREATE TABLE IF NOT EXISTS schema_migrations (
    version INTEGER PRIMARY KEY,
    name TEXT NOT NULL,
    checksum TEXT NOT NULL,   -- SHA-256 of the migration file, hex
    applied_at TEXT NOT NULL  -- UTC, ISO 8601
)
"""


def read_applied(db: sqlite3.Connection) -> list[Applied]:
    """The migrations recorded in the database, by version (none before the first upgrade)."""
    exists = db.execute(
        "SELECT 1 FROM sqlite_master WHERE type = 'table' AND name = 'schema_migrations'"
    ).fetchone()
    if exists is None:
        return []
    rows = db.execute(
        "SELECT version, name, checksum, applied_at FROM schema_migrations ORDER BY version"
    ).fetchall()
    return [Applied(v, name, sha, dt.datetime.fromisoformat(at)) for v, name, sha, at in rows]


def migrate(
    db: sqlite3.Connection,
    label: str,
    *,
    folder: Traversable | None = None,
    clock: Clock | None = None,
    dry_run: bool = False,
) -> list[Migration]:
    """Apply the pending migrations (or with `dry_run` only name them); returns them.

    `db` must be in autocommit mode (`isolation_level=None`). `folder` replaces the shipped
    migrations (for tests).
    """
    migrations = migrations_for("sqlite", folder)
    return apply_pending(
        migrations,
        read_applied(db),
        label,
        lambda: _apply_next(db, label, migrations, clock or SystemClock()),
        dry_run=dry_run,
    )


def _apply_next(
    db: sqlite3.Connection, label: str, migrations: list[Migration], clock: Clock
) -> Migration | None:
    step = "recording migrations"
    try:
        db.execute("BEGIN IMMEDIATE")
        db.execute(SCHEMA_MIGRATIONS)
        todo = pending(migrations, read_applied(db), label)
        if not todo:
            db.execute("ROLLBACK")
            return None
        migration = todo[0]
        step = f"migration {migration.label}"
        for statement in statements(migration.sql, migration.label):
            db.execute(statement)
        db.execute(
            "INSERT INTO schema_migrations VALUES (?, ?, ?, ?)",
            (
                migration.version,
                migration.name,
                migration.checksum,
                applied_at_of(clock.now_ns()).isoformat(),
            ),
        )
        db.execute("COMMIT")
    except BaseException as exc:
        if db.in_transaction:
            db.execute("ROLLBACK")
        if isinstance(exc, sqlite3.Error):
            raise StorageUnavailable(f"{label}: {step} failed and was rolled back: {exc}") from exc
        raise
    return migration


def statements(script: str, label: str) -> list[str]:
    """The statements of a SQL script, one by one (`executescript` would commit first)."""
    found: list[str] = []
    start = 0
    for end, char in enumerate(script):
        if char == ";" and sqlite3.complete_statement(script[start : end + 1]):
            found.append(script[start : end + 1])
            start = end + 1
    rest = [line.strip() for line in script[start:].splitlines()]
    if any(line and not line.startswith("--") for line in rest):
        raise InvalidInput(f"migration {label} ends inside a statement (a missing ';'?)")
    return found

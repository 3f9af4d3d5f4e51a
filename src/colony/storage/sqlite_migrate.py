"""Applying schema migrations to a SQLite database, each in one `BEGIN IMMEDIATE` transaction.

The write lock of `BEGIN IMMEDIATE` is taken before the recorded versions are read again, so
of two processes upgrading at once the second waits (up to the connection's busy timeout),
then finds the work done. SQLite's DDL is transactional: a migration that fails part-way
leaves nothing of itself behind. A `schema_migrations` of the single numbering of earlier
releases is rewritten per package the same way, in one transaction of its own.
"""

from __future__ import annotations

import datetime as dt
import sqlite3

from colony.kernel.clock import Clock, SystemClock
from colony.kernel.errors import InvalidInput, StorageUnavailable
from colony.storage.migration_plan import (
    ENGINE,
    Applied,
    Migration,
    ReleasedApplied,
    Sources,
    applied_at_of,
    apply_pending,
    migrations_for,
    pending,
    renamed,
)

SCHEMA_MIGRATIONS = """
CREATE TABLE IF NOT EXISTS schema_migrations (
    package TEXT NOT NULL,    -- the colony package that ships it: storage, wallets, ...
    version INTEGER NOT NULL, -- from 1 in each package
    name TEXT NOT NULL,
    checksum TEXT NOT NULL,   -- SHA-256 of the migration file, hex
    applied_at TEXT NOT NULL, -- UTC, ISO 8601
    PRIMARY KEY (package, version)
)
"""


def read_applied(db: sqlite3.Connection, label: str) -> list[Applied]:
    """The migrations recorded in the database, by package (none before the first upgrade).

    A record in the single numbering of earlier releases is read as the package migrations
    it became; `MigrationRefused` when it is not one released.
    """
    columns = [row[1] for row in db.execute("PRAGMA table_info(schema_migrations)")]
    if not columns:
        return []
    if "package" not in columns:
        return renamed("sqlite", _released_rows(db), label)
    rows = db.execute(
        "SELECT package, version, name, checksum, applied_at FROM schema_migrations"
        " ORDER BY package <> ?, package, version",
        (ENGINE,),
    ).fetchall()
    return [
        Applied(package, v, name, sha, dt.datetime.fromisoformat(at))
        for package, v, name, sha, at in rows
    ]


def _released_rows(db: sqlite3.Connection) -> list[ReleasedApplied]:
    rows = db.execute(
        "SELECT version, name, checksum, applied_at FROM schema_migrations ORDER BY version"
    ).fetchall()
    return [ReleasedApplied(v, n, sha, dt.datetime.fromisoformat(at)) for v, n, sha, at in rows]


def migrate(
    db: sqlite3.Connection,
    label: str,
    *,
    sources: Sources | None = None,
    clock: Clock | None = None,
    dry_run: bool = False,
) -> list[Migration]:
    """Apply the pending migrations (or with `dry_run` only name them); returns them.

    `db` must be in autocommit mode (`isolation_level=None`). `sources` replaces the shipped
    migrations (for tests).
    """
    migrations = migrations_for("sqlite", sources)
    # The rename comes first, under its lock: a read before it could see the single
    # numbering's columns, then the per-package rows another process wrote meanwhile.
    if not dry_run:
        _record_per_package(db, label)
    applied = read_applied(db, label)
    return apply_pending(
        migrations,
        applied,
        label,
        lambda: _apply_next(db, label, migrations, clock or SystemClock()),
        dry_run=dry_run,
    )


def _record_per_package(db: sqlite3.Connection, label: str) -> None:
    """Rewrite a `schema_migrations` of the single numbering per package, checked, at once."""
    if not in_released_numbering(db):
        return
    try:
        db.execute("BEGIN IMMEDIATE")
        if in_released_numbering(db):  # not done meanwhile by another process
            applied = renamed("sqlite", _released_rows(db), label)
            db.execute("DROP TABLE schema_migrations")
            db.execute(SCHEMA_MIGRATIONS)
            db.executemany(
                "INSERT INTO schema_migrations VALUES (?, ?, ?, ?, ?)",
                [
                    (a.package, a.version, a.name, a.checksum, a.applied_at.isoformat())
                    for a in applied
                ],
            )
        db.execute("COMMIT")
    except BaseException as exc:
        if db.in_transaction:
            db.execute("ROLLBACK")
        if isinstance(exc, sqlite3.Error):
            raise StorageUnavailable(
                f"{label}: recording migrations per package failed and was rolled back: {exc}"
            ) from exc
        raise


def in_released_numbering(db: sqlite3.Connection) -> bool:
    columns = [row[1] for row in db.execute("PRAGMA table_info(schema_migrations)")]
    return bool(columns) and "package" not in columns


def _apply_next(
    db: sqlite3.Connection, label: str, migrations: list[Migration], clock: Clock
) -> Migration | None:
    step = "recording migrations"
    try:
        db.execute("BEGIN IMMEDIATE")
        db.execute(SCHEMA_MIGRATIONS)
        todo = pending(migrations, read_applied(db, label), label)
        if not todo:
            db.execute("ROLLBACK")
            return None
        migration = todo[0]
        step = f"migration {migration.label}"
        for statement in statements(migration.sql, migration.label):
            db.execute(statement)
        db.execute(
            "INSERT INTO schema_migrations VALUES (?, ?, ?, ?, ?)",
            (
                migration.package,
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

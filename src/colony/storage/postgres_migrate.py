"""Applying schema migrations to PostgreSQL, each in one transaction under an advisory lock.

PostgreSQL's DDL is transactional, so a migration and the row recording it commit together
or not at all. Each transaction first takes a transaction-scoped advisory lock (one per
schema), then reads the recorded versions again: of two processes upgrading at once the
second waits, then finds the work done. The wait is bounded by `migration_lock_timeout_s`.
A `schema_migrations` of the single numbering of earlier releases is rewritten per package
the same way, in one transaction of its own.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterator
from contextlib import contextmanager

import psycopg
from psycopg import sql

from colony.kernel.clock import Clock, SystemClock
from colony.kernel.errors import StorageUnavailable
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

# First key of the advisory lock held while migrating; the second is a hash of the schema.
schema_lock_key = 0x436F6C73  # "Cols"
# Seconds a migration waits for that lock, or for a table lock its DDL needs, before failing.
migration_lock_timeout_s = 60

Connection = psycopg.Connection[tuple[object, ...]]

SCHEMA_MIGRATIONS = b"""
CREATE TABLE IF NOT EXISTS schema_migrations (
    package text NOT NULL,    -- the colony package that ships it: storage, wallets, ...
    version integer NOT NULL, -- from 1 in each package
    name text NOT NULL,
    checksum text NOT NULL,   -- SHA-256 of the migration file, hex
    applied_at timestamptz NOT NULL,
    PRIMARY KEY (package, version)
)
"""


def read_applied(conn: Connection, label: str) -> list[Applied]:
    """The migrations recorded in the database, by package (none before the first upgrade).

    A record in the single numbering of earlier releases is read as the package migrations
    it became; `MigrationRefused` when it is not one released.
    """
    columns = _columns(conn)
    if not columns:
        return []
    if "package" not in columns:
        return renamed("postgresql", _released_rows(conn), label)
    rows = conn.execute(
        "SELECT package, version, name, checksum, applied_at FROM schema_migrations"
        " ORDER BY package <> %s, package, version",
        (ENGINE,),
    ).fetchall()
    return [
        Applied(str(package), int(str(version)), str(name), str(checksum), _utc(at))
        for package, version, name, checksum, at in rows
    ]


def _columns(conn: Connection) -> list[str]:
    rows = conn.execute(
        "SELECT column_name FROM information_schema.columns"
        " WHERE table_schema = current_schema() AND table_name = 'schema_migrations'"
    ).fetchall()
    return [str(row[0]) for row in rows]


def _released_rows(conn: Connection) -> list[ReleasedApplied]:
    rows = conn.execute(
        "SELECT version, name, checksum, applied_at FROM schema_migrations ORDER BY version"
    ).fetchall()
    return [
        ReleasedApplied(int(str(version)), str(name), str(checksum), _utc(at))
        for version, name, checksum, at in rows
    ]


def _utc(at: object) -> dt.datetime:
    if not isinstance(at, dt.datetime):
        raise TypeError(f"schema_migrations.applied_at is {at!r}, not a timestamptz")
    return at.astimezone(dt.UTC)


def migrate(
    conn: Connection,
    label: str,
    *,
    sources: Sources | None = None,
    clock: Clock | None = None,
    dry_run: bool = False,
) -> list[Migration]:
    """Apply the pending migrations (or with `dry_run` only name them); returns them.

    `conn` must be in autocommit mode. `sources` replaces the shipped migrations (for tests).
    """
    migrations = migrations_for("postgresql", sources)
    # The rename comes first, under its lock: a read before it could see the single
    # numbering's columns, then the per-package rows another process wrote meanwhile.
    if not dry_run:
        _record_per_package(conn, label)
    applied = read_applied(conn, label)
    return apply_pending(
        migrations,
        applied,
        label,
        lambda: _apply_next(conn, label, migrations, clock or SystemClock()),
        dry_run=dry_run,
    )


@contextmanager
def _locked(conn: Connection, label: str, step: list[str]) -> Iterator[None]:
    """One transaction holding the schema's migration lock; `step[0]` names what failed."""
    try:
        with conn.transaction():
            conn.execute(
                sql.SQL("SET LOCAL lock_timeout = {}").format(migration_lock_timeout_s * 1000)
            )
            conn.execute(
                "SELECT pg_advisory_xact_lock(%s, hashtext(current_schema()))",
                (schema_lock_key,),
            )
            yield
    except psycopg.errors.LockNotAvailable as exc:
        raise StorageUnavailable(
            f"{label}: {step[0]} waited {migration_lock_timeout_s} s for a lock another "
            f"session holds (another upgrade, or a long query): {exc}"
        ) from exc
    except psycopg.Error as exc:
        raise StorageUnavailable(f"{label}: {step[0]} failed and was rolled back: {exc}") from exc


def in_released_numbering(conn: Connection) -> bool:
    """Whether `schema_migrations` is still in the single numbering of earlier releases."""
    columns = _columns(conn)
    return bool(columns) and "package" not in columns


def _record_per_package(conn: Connection, label: str) -> None:
    """Rewrite a `schema_migrations` of the single numbering per package, checked, at once."""
    if not in_released_numbering(conn):
        return
    with _locked(conn, label, ["recording migrations per package"]):
        if not in_released_numbering(conn):
            return  # done meanwhile by another process
        applied = renamed("postgresql", _released_rows(conn), label)
        conn.execute("DROP TABLE schema_migrations")
        conn.execute(SCHEMA_MIGRATIONS)
        with conn.cursor() as cursor:
            cursor.executemany(
                "INSERT INTO schema_migrations VALUES (%s, %s, %s, %s, %s)",
                [(a.package, a.version, a.name, a.checksum, a.applied_at) for a in applied],
            )


def _apply_next(
    conn: Connection, label: str, migrations: list[Migration], clock: Clock
) -> Migration | None:
    step = ["recording migrations"]
    with _locked(conn, label, step):
        conn.execute(SCHEMA_MIGRATIONS)
        todo = pending(migrations, read_applied(conn, label), label)
        if not todo:
            return None
        migration = todo[0]
        step[0] = f"migration {migration.label}"
        conn.execute(migration.sql.encode())
        conn.execute(
            "INSERT INTO schema_migrations VALUES (%s, %s, %s, %s, %s)",
            (
                migration.package,
                migration.version,
                migration.name,
                migration.checksum,
                applied_at_of(clock.now_ns()),
            ),
        )
    return migration

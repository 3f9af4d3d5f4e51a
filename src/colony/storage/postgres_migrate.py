"""Applying schema migrations to PostgreSQL, each in one transaction under an advisory lock.

PostgreSQL's DDL is transactional, so a migration and the row recording it commit together
or not at all. Each transaction first takes a transaction-scoped advisory lock (one per
schema), then reads the recorded versions again: of two processes upgrading at once the
second waits, then finds the work done. The wait is bounded by `migration_lock_timeout_s`.
"""

from __future__ import annotations

import datetime as dt
from importlib.resources.abc import Traversable

import psycopg
from psycopg import sql

from colony.kernel.clock import Clock, SystemClock
from colony.kernel.errors import StorageUnavailable
from colony.storage.migration_plan import (
    Applied,
    Migration,
    applied_at_of,
    apply_pending,
    migrations_for,
    pending,
)

# First key of the advisory lock held while migrating; the second is a hash of the schema.
schema_lock_key = 0x436F6C73  # "Cols"
# Seconds a migration waits for that lock, or for a table lock its DDL needs, before failing.
migration_lock_timeout_s = 60

Connection = psycopg.Connection[tuple[object, ...]]

SCHEMA_MIGRATIONS = b"""
CREATE TABLE IF NOT EXISTS schema_migrations (
    version integer PRIMARY KEY,
    name text NOT NULL,
    checksum text NOT NULL,  -- SHA-256 of the migration file, hex
    applied_at timestamptz NOT NULL
)
"""


def read_applied(conn: Connection) -> list[Applied]:
    """The migrations recorded in the database, by version (none before the first upgrade)."""
    exists = conn.execute("SELECT to_regclass('schema_migrations')").fetchone()
    if exists is None or exists[0] is None:
        return []
    rows = conn.execute(
        "SELECT version, name, checksum, applied_at FROM schema_migrations ORDER BY version"
    ).fetchall()
    applied = []
    for version, name, checksum, at in rows:
        if not isinstance(at, dt.datetime):
            raise TypeError(f"schema_migrations.applied_at is {at!r}, not a timestamptz")
        applied.append(Applied(int(str(version)), str(name), str(checksum), at.astimezone(dt.UTC)))
    return applied


def migrate(
    conn: Connection,
    label: str,
    *,
    folder: Traversable | None = None,
    clock: Clock | None = None,
    dry_run: bool = False,
) -> list[Migration]:
    """Apply the pending migrations (or with `dry_run` only name them); returns them.

    `conn` must be in autocommit mode. `folder` replaces the shipped migrations (for tests).
    """
    migrations = migrations_for("postgresql", folder)
    return apply_pending(
        migrations,
        read_applied(conn),
        label,
        lambda: _apply_next(conn, label, migrations, clock or SystemClock()),
        dry_run=dry_run,
    )


def _apply_next(
    conn: Connection, label: str, migrations: list[Migration], clock: Clock
) -> Migration | None:
    step = "recording migrations"
    try:
        with conn.transaction():
            conn.execute(
                sql.SQL("SET LOCAL lock_timeout = {}").format(migration_lock_timeout_s * 1000)
            )
            conn.execute(
                "SELECT pg_advisory_xact_lock(%s, hashtext(current_schema()))",
                (schema_lock_key,),
            )
            conn.execute(SCHEMA_MIGRATIONS)
            todo = pending(migrations, read_applied(conn), label)
            if not todo:
                return None
            migration = todo[0]
            step = f"migration {migration.label}"
            conn.execute(migration.sql.encode())
            conn.execute(
                "INSERT INTO schema_migrations VALUES (%s, %s, %s, %s)",
                (
                    migration.version,
                    migration.name,
                    migration.checksum,
                    applied_at_of(clock.now_ns()),
                ),
            )
    except psycopg.errors.LockNotAvailable as exc:
        raise StorageUnavailable(
            f"{label}: {step} waited {migration_lock_timeout_s} s for a lock another "
            f"session holds (another upgrade, or a long query): {exc}"
        ) from exc
    except psycopg.Error as exc:
        raise StorageUnavailable(f"{label}: {step} failed and was rolled back: {exc}") from exc
    return migration

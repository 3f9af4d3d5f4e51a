"""Upgrading a database's schema, and saying where it stands, from its URL (`colony db`).

Stores apply pending migrations themselves when they open; these are for doing it on
purpose, ahead of a deployment, and for seeing what a database has. Looking never changes
anything: a SQLite file that does not exist yet is not made by `status` or a dry run.
"""

from __future__ import annotations

import sqlite3
from collections.abc import Iterator
from contextlib import closing, contextmanager
from dataclasses import dataclass
from importlib.resources.abc import Traversable

import psycopg

from colony.kernel.errors import StorageUnavailable
from colony.storage import postgres_migrate, sqlite_migrate
from colony.storage.migration_plan import (
    Applied,
    Migration,
    MigrationRefused,
    migrations_for,
    problems,
)
from colony.storage.open import is_postgres, sqlite_path
from colony.storage.postgres_journal import connect_timeout_s, redacted
from colony.storage.sqlite_connection import busy_timeout_s, open_connection


@dataclass(frozen=True)
class SchemaStatus:
    label: str  # the database, password redacted
    applied: list[Applied]
    pending: list[Migration]  # empty when there are problems
    problems: list[str]  # why the database cannot be upgraded; empty when it can


def upgrade(
    url: str, *, dry_run: bool = False, folder: Traversable | None = None
) -> list[Migration]:
    """Apply the pending migrations to the database at `url` (or, with `dry_run`, only
    name them): the ones applied, in order. `MigrationRefused` when the database does not fit.
    """
    label = redacted(url)
    if dry_run:
        now = status(url, folder=folder)
        if now.problems:
            raise MigrationRefused("; ".join(now.problems))
        return now.pending
    if is_postgres(url):
        with _postgres(url) as conn:
            return postgres_migrate.migrate(conn, label, folder=folder)
    path = sqlite_path(url)
    try:
        with closing(open_connection(path)) as db:
            return sqlite_migrate.migrate(db, label, folder=folder)
    except sqlite3.Error as exc:
        raise StorageUnavailable(f"{path}: cannot upgrade it: {exc}") from exc


def status(url: str, *, folder: Traversable | None = None) -> SchemaStatus:
    """The migrations the database at `url` has, the ones it lacks, and any problem."""
    label = redacted(url)
    if is_postgres(url):
        with _postgres(url) as conn:
            applied = postgres_migrate.read_applied(conn)
        migrations = migrations_for("postgresql", folder)
    else:
        applied = _sqlite_applied(url)
        migrations = migrations_for("sqlite", folder)
    found = problems(migrations, applied, label)
    todo = [] if found else migrations[len(applied) :]
    return SchemaStatus(label, applied, todo, found)


def _sqlite_applied(url: str) -> list[Applied]:
    path = sqlite_path(url)
    if not path.exists():
        return []
    try:
        with closing(sqlite3.connect(f"{path.resolve().as_uri()}?mode=ro", uri=True)) as db:
            db.execute(f"PRAGMA busy_timeout = {busy_timeout_s * 1000}")
            return sqlite_migrate.read_applied(db)
    except sqlite3.Error as exc:
        raise StorageUnavailable(f"{path}: cannot read its migrations: {exc}") from exc


@contextmanager
def _postgres(url: str) -> Iterator[postgres_migrate.Connection]:
    try:
        conn = psycopg.connect(
            url,
            autocommit=True,
            connect_timeout=connect_timeout_s,
            application_name="colony-db-upgrade",
        )
    except psycopg.Error as exc:
        raise StorageUnavailable(f"{redacted(url)}: cannot connect: {exc}") from exc
    with conn:
        try:
            conn.execute("SET synchronous_commit = on")
            yield conn
        except psycopg.Error as exc:
            raise StorageUnavailable(f"{redacted(url)}: {exc}") from exc

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

import psycopg

from colony.kernel.errors import InvalidInput, StorageUnavailable
from colony.storage import postgres_migrate, sqlite_migrate
from colony.storage.migration_plan import (
    Applied,
    Migration,
    MigrationRefused,
    Sources,
    migrations_for,
    pending,
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
    # Recorded in the single numbering of earlier releases; the next upgrade records them per
    # package (storage/released_numbering.py).
    released_numbering: bool = False


def upgrade(url: str, *, dry_run: bool = False, sources: Sources | None = None) -> list[Migration]:
    """Apply the pending migrations to the database at `url` (or, with `dry_run`, only
    name them): the ones applied, in order. `MigrationRefused` when the database does not fit.
    """
    label = redacted(url)
    if dry_run:
        now = status(url, sources=sources)
        if now.problems:
            raise MigrationRefused("; ".join(now.problems))
        return now.pending
    if is_postgres(url):
        with _postgres(url) as conn:
            return postgres_migrate.migrate(conn, label, sources=sources)
    path = sqlite_path(url)
    try:
        with closing(open_connection(path)) as db:
            return sqlite_migrate.migrate(db, label, sources=sources)
    except sqlite3.Error as exc:
        raise StorageUnavailable(f"{path}: cannot upgrade it: {exc}") from exc


def status(url: str, *, sources: Sources | None = None) -> SchemaStatus:
    """The migrations the database at `url` has, the ones it lacks, and any problem."""
    label = redacted(url)
    backend = "postgresql" if is_postgres(url) else "sqlite"
    migrations = migrations_for(backend, sources)
    try:
        if is_postgres(url):
            with _postgres(url) as conn:
                applied = postgres_migrate.read_applied(conn, label)
                released = postgres_migrate.in_released_numbering(conn)
        else:
            applied, released = _sqlite_applied(url, label)
    except MigrationRefused as exc:
        return SchemaStatus(label, [], [], [str(exc)], released_numbering=True)
    found = problems(migrations, applied, label)
    todo = [] if found else pending(migrations, applied, label)
    return SchemaStatus(label, applied, todo, found, released)


def require_colony_database(url: str) -> None:
    """Refuse, before anything opens it, a database that a command which only reads must not
    make or adopt (docs/adr/0111): a SQLite file that does not exist (opening would create
    it), or a database in which Colony has recorded no migration (opening would add Colony's
    tables to it). A database whose migrations do not fit is left to opening to refuse."""
    where = redacted(url)
    if not is_postgres(url):
        path = sqlite_path(url)
        if not path.exists():
            raise InvalidInput(f"{path}: no such database")
        if not path.is_file():
            return  # opening names what it is
        where = str(path)
    now = status(url)
    if not now.applied and not now.problems:
        raise InvalidInput(f"{where}: not a Colony database (it records no Colony migration)")


def _sqlite_applied(url: str, label: str) -> tuple[list[Applied], bool]:
    path = sqlite_path(url)
    if not path.exists():
        return [], False
    try:
        with closing(sqlite3.connect(f"{path.resolve().as_uri()}?mode=ro", uri=True)) as db:
            db.execute(f"PRAGMA busy_timeout = {busy_timeout_s * 1000}")
            return sqlite_migrate.read_applied(db, label), sqlite_migrate.in_released_numbering(db)
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

"""The migrated schema is the committed one, package by package on each backend, and the
backends agree.

A change to a migration file, or a new one, without regenerating the snapshots fails here,
naming the package and its snapshot file: the snapshot diff is the review of the schema change.
"""

from __future__ import annotations

import sqlite3
from contextlib import closing
from pathlib import Path

import psycopg
import pytest

from colony.payments.sql_device_store import open_device_store
from colony.storage.migration_plan import shipped
from colony.storage.open import open_journal
from colony.storage.schema_upgrade import upgrade
from tests.storage.schema_snapshot import committed, drift, snapshot_file

# Tables only the SQLite backend has until their PostgreSQL twins land; when one does, its
# name leaves this set (and its DDL joins its package's migrations/postgresql/).
SQLITE_ONLY_TABLES: set[str] = set()
# Columns one backend has for want of something the other has built in, table by table:
# SQLite orders rows by rowid, PostgreSQL needs a column to remember the order written.
POSTGRES_ONLY_COLUMNS = {"payment_refunds": ["seq"]}


# Each PostgreSQL database here begins with no schema: opening a store or the journal makes it.
pytestmark = pytest.mark.empty_database


def test_the_migrated_schema_is_the_committed_snapshots(store_url: str) -> None:
    upgrade(store_url)
    assert drift(store_url) == []


def test_opening_any_store_brings_the_whole_schema(store_url: str) -> None:
    """No extra step for a new database: the first store opened applies every migration."""
    open_device_store(store_url).close()
    assert drift(store_url) == []


def test_opening_the_journal_brings_the_whole_schema(journal_url: str) -> None:
    open_journal(journal_url).close()
    assert drift(journal_url) == []


def test_each_package_with_migrations_keeps_its_snapshots_in_its_tests_folder() -> None:
    for backend in ("sqlite", "postgresql"):
        packages = {m.package for m in shipped(backend)}
        assert committed(backend) == {p: snapshot_file(p, backend) for p in packages}
    assert snapshot_file("donations", "sqlite").parts[-2:] == ("donations", "schema_sqlite.txt")


def test_drift_names_the_package_and_its_file(tmp_path: Path) -> None:
    url = f"sqlite:///{tmp_path}/colony.db"
    upgrade(url)
    with closing(sqlite3.connect(tmp_path / "colony.db")) as db:
        db.execute("ALTER TABLE causes ADD COLUMN motto TEXT")
        db.execute("CREATE TABLE stray (id INTEGER)")

    with pytest.raises(AssertionError, match=r"no package's migrations create: \['stray'\]"):
        drift(url)
    with closing(sqlite3.connect(tmp_path / "colony.db")) as db:
        db.execute("DROP TABLE stray")
    found = drift(url)

    assert len(found) == 1
    assert found[0].startswith(
        "donations: the migrated schema differs from tests/donations/schema_sqlite.txt."
    )
    assert "+    motto TEXT" in found[0].splitlines()


def _sqlite_columns(path: Path) -> dict[str, list[str]]:
    with closing(sqlite3.connect(path)) as db:
        tables = [
            row[0]
            for row in db.execute(
                "SELECT name FROM sqlite_master WHERE type = 'table' AND name NOT LIKE 'sqlite_%'"
            )
        ]
        return {t: [row[1] for row in db.execute(f"PRAGMA table_info({t})")] for t in tables}


def _postgres_columns(url: str) -> dict[str, list[str]]:
    with psycopg.connect(url) as conn:
        rows = conn.execute(
            "SELECT table_name, column_name FROM information_schema.columns"
            " WHERE table_schema = current_schema() ORDER BY table_name, ordinal_position"
        ).fetchall()
    columns: dict[str, list[str]] = {}
    for table, column in rows:
        columns.setdefault(str(table), []).append(str(column))
    return columns


def _sqlite_indexes(path: Path) -> set[str]:
    with closing(sqlite3.connect(path)) as db:
        rows = db.execute(
            "SELECT tbl_name, name FROM sqlite_master WHERE type = 'index' AND sql IS NOT NULL"
        ).fetchall()
    return {f"{table}.{name}" for table, name in rows}


def _postgres_indexes(url: str) -> set[str]:
    with psycopg.connect(url) as conn:
        rows = conn.execute(
            "SELECT tablename, indexname FROM pg_indexes WHERE schemaname = current_schema()"
            " AND indexname NOT IN (SELECT conname FROM pg_constraint)"
        ).fetchall()
    return {f"{table}.{name}" for table, name in rows}


def test_both_backends_have_the_same_tables_columns_and_indexes(
    tmp_path: Path, postgres_url: str
) -> None:
    path = tmp_path / "colony.db"
    upgrade(f"sqlite:///{path}")
    upgrade(postgres_url)
    on_sqlite, on_postgres = _sqlite_columns(path), _postgres_columns(postgres_url)

    assert set(on_postgres) - set(on_sqlite) == set(), "tables only PostgreSQL has"
    assert set(on_sqlite) - set(on_postgres) == SQLITE_ONLY_TABLES
    for table in on_postgres:
        extra = POSTGRES_ONLY_COLUMNS.get(table, [])
        columns = [c for c in on_postgres[table] if c not in extra]
        assert on_sqlite[table] == columns, f"columns of {table}"
    shared = {
        index for index in _sqlite_indexes(path) if index.split(".")[0] not in SQLITE_ONLY_TABLES
    }
    assert shared == _postgres_indexes(postgres_url)

"""The suite's own databases: a new SQLite file is born migrated and private, a PostgreSQL
test database is emptied for the next test only when nothing but its rows changed."""

from __future__ import annotations

import os
import sqlite3
import time
from contextlib import closing
from pathlib import Path

import psycopg
import pytest

from colony.storage import sqlite_connection
from colony.storage.migration_plan import migrations_for
from colony.storage.postgres_databases import create_fresh_database, database_url, drop_database
from colony.storage.sqlite_connection import connect
from tests import postgres_reuse
from tests.conftest import _migrated_template, postgres_server_url


def _migrations_recorded(path: Path) -> int:
    with closing(sqlite3.connect(path)) as db:
        return int(db.execute("SELECT count(*) FROM schema_migrations").fetchone()[0])


def test_a_new_sqlite_file_is_born_migrated_and_private(tmp_path: Path) -> None:
    path = tmp_path / "new.db"
    sqlite_connection.create_private(path)  # where Colony's files are born; nothing migrates
    assert _migrations_recorded(path) == len(migrations_for("sqlite", None))
    with closing(connect(path)) as db:  # opening it finds nothing pending
        assert _migrations_recorded(path) == len(migrations_for("sqlite", None))
        assert db.execute("SELECT count(*) FROM colony_meta").fetchone() == (0,)
    assert os.stat(path).st_mode & 0o777 == 0o600
    assert not list(tmp_path.glob(".*.image"))  # the copy's own file is gone


def test_an_existing_sqlite_file_is_left_as_it_is(tmp_path: Path) -> None:
    path = tmp_path / "mine.db"
    with closing(sqlite3.connect(path)) as db:
        db.execute("CREATE TABLE mine (x INTEGER)")
    sqlite_connection.create_private(path)
    with closing(sqlite3.connect(path)) as db:
        names = [r[0] for r in db.execute("SELECT name FROM sqlite_master WHERE type = 'table'")]
    assert names == ["mine"]


def test_without_hard_links_a_new_sqlite_file_is_made_empty(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    def refused(source: object, target: object) -> None:
        raise PermissionError("no hard links here")

    monkeypatch.setattr(os, "link", refused)
    path = tmp_path / "new.db"
    sqlite_connection.create_private(path)
    assert path.stat().st_size == 0 and os.stat(path).st_mode & 0o777 == 0o600
    assert not list(tmp_path.glob(".*.image"))


@pytest.mark.empty_database
def test_a_test_marked_empty_database_gets_an_empty_sqlite_file(tmp_path: Path) -> None:
    path = tmp_path / "empty.db"
    sqlite_connection.create_private(path)
    assert path.stat().st_size == 0


def _copy_of_template() -> tuple[str, str]:
    """A migrated database as a test gets one (the server's URL, its name), left to the
    test to empty or drop."""
    server = postgres_server_url()
    name = create_fresh_database(
        server, "colony_test", template=_migrated_template(server), now_s=time.time()
    )[1]
    postgres_reuse.note_template(server, name)
    return server, name


def test_a_used_postgres_database_is_emptied_and_renamed() -> None:
    server, name = _copy_of_template()
    url = database_url(server, name)
    kept = None
    with closing(psycopg.connect(url, autocommit=True)) as conn:
        conn.execute("INSERT INTO colony_meta VALUES ('left', 'by a test')")
        seq = conn.execute("SELECT nextval('payments_seq_seq')").fetchone()
    # A session the test leaves open: ended, not waited for.
    left_open = psycopg.connect(url, autocommit=True)
    try:
        kept = postgres_reuse.emptied(server, name, postgres_reuse.fresh_name(time.time()))
        assert kept is not None and kept != name
        with closing(psycopg.connect(database_url(server, kept), autocommit=True)) as conn:
            assert conn.execute("SELECT count(*) FROM colony_meta").fetchone() == (0,)
            assert conn.execute("SELECT nextval('payments_seq_seq')").fetchone() == seq
        with pytest.raises(psycopg.OperationalError):
            left_open.execute("SELECT 1")
    finally:
        left_open.close()
        drop_database(server, kept or name)


@pytest.mark.parametrize(
    "change",
    [
        "ALTER TABLE colony_meta ADD COLUMN extra TEXT",
        "CREATE TABLE left_behind (x INTEGER)",
        "CREATE INDEX colony_meta_value ON colony_meta (value)",
        "DELETE FROM schema_migrations WHERE version = 1",
        "ALTER TABLE case_events DISABLE TRIGGER USER",
    ],
    ids=["column", "table", "index", "migration-record", "trigger"],
)
def test_a_postgres_database_whose_schema_changed_is_not_used_again(change: str) -> None:
    server, name = _copy_of_template()
    with closing(psycopg.connect(database_url(server, name), autocommit=True)) as conn:
        conn.execute(change)
    fresh = postgres_reuse.fresh_name(time.time())
    assert postgres_reuse.emptied(server, name, fresh) is None
    # Dropped, under whichever name it had by then.
    with closing(psycopg.connect(server, autocommit=True)) as conn:
        found = conn.execute(
            "SELECT datname FROM pg_database WHERE datname IN (%s, %s)", (name, fresh)
        ).fetchall()
    assert found == []

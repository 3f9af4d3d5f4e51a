"""How migrations are applied and refused, on each backend, with migration folders made here.

The SQL in these folders is the common subset both backends run, so one table of cases
covers both through the `store_url` fixture.
"""

from __future__ import annotations

import datetime as dt
import sqlite3
import threading
from contextlib import closing
from pathlib import Path

import psycopg
import pytest

from colony.kernel.clock import ManualClock
from colony.kernel.errors import InvalidInput, StorageUnavailable
from colony.storage import postgres_migrate, sqlite_migrate
from colony.storage.migration_plan import MigrationRefused, load, shipped
from colony.storage.open import is_postgres, sqlite_path
from colony.storage.schema_upgrade import status, upgrade
from colony.storage.sqlite_connection import open_connection

FIRST = "CREATE TABLE customers (id INTEGER PRIMARY KEY, name TEXT NOT NULL);\n"
SECOND = (
    "-- Customers get a country; the ones there are lived in Finland.\n"
    "ALTER TABLE customers ADD COLUMN country TEXT NOT NULL DEFAULT 'FI';\n"
    "CREATE TABLE visits (customer_id INTEGER NOT NULL, at_ns INTEGER NOT NULL);\n"
    "INSERT INTO visits SELECT id, 0 FROM customers;\n"
    "CREATE INDEX visits_by_customer ON visits (customer_id);\n"
)
THIRD = "CREATE TABLE notes (body TEXT);\n"


def _folder(tmp_path: Path, files: dict[str, str]) -> Path:
    folder = tmp_path / "migrations"
    folder.mkdir(exist_ok=True)
    for old in folder.iterdir():
        old.unlink()
    for name, text in files.items():
        (folder / name).write_text(text)
    return folder


def _execute(url: str, statement: str) -> None:
    if is_postgres(url):
        with psycopg.connect(url, autocommit=True) as conn:
            conn.execute(statement.encode())
    else:
        with closing(sqlite3.connect(sqlite_path(url), isolation_level=None)) as db:
            db.executescript(statement)


def _rows(url: str, query: str) -> list[tuple[object, ...]]:
    if is_postgres(url):
        with psycopg.connect(url) as conn:
            return conn.execute(query.encode()).fetchall()
    with closing(sqlite3.connect(sqlite_path(url))) as db:
        return db.execute(query).fetchall()


def _tables(url: str) -> set[str]:
    if is_postgres(url):
        query = "SELECT tablename FROM pg_tables WHERE schemaname = current_schema()"
    else:
        query = "SELECT name FROM sqlite_master WHERE type = 'table'"
    return {str(row[0]) for row in _rows(url, query)}


def test_upgrade_applies_in_order_records_each_and_then_has_nothing_to_do(
    store_url: str, tmp_path: Path
) -> None:
    folder = _folder(tmp_path, {"0001_customers.sql": FIRST, "0002_visits.sql": SECOND})

    done = upgrade(store_url, folder=folder)

    assert [m.label for m in done] == ["0001_customers", "0002_visits"]
    now = status(store_url, folder=folder)
    assert [(a.version, a.name) for a in now.applied] == [(1, "customers"), (2, "visits")]
    assert [a.checksum for a in now.applied] == [m.checksum for m in load(folder)]
    assert all(a.applied_at.tzinfo == dt.UTC for a in now.applied)
    assert now.pending == [] and now.problems == []
    assert upgrade(store_url, folder=folder) == []


def test_a_dry_run_names_the_pending_migrations_and_changes_nothing(
    store_url: str, tmp_path: Path
) -> None:
    upgrade(store_url, folder=_folder(tmp_path, {"0001_customers.sql": FIRST}))
    folder = _folder(tmp_path, {"0001_customers.sql": FIRST, "0002_visits.sql": SECOND})

    assert [m.label for m in upgrade(store_url, folder=folder, dry_run=True)] == ["0002_visits"]
    assert "visits" not in _tables(store_url)
    assert [m.label for m in status(store_url, folder=folder).pending] == ["0002_visits"]


def test_status_and_a_dry_run_never_make_a_sqlite_file(tmp_path: Path) -> None:
    url = f"sqlite:///{tmp_path}/not-yet.db"
    assert [m.label for m in status(url).pending] == [m.label for m in shipped("sqlite")]
    assert upgrade(url, dry_run=True) == list(shipped("sqlite"))
    assert not (tmp_path / "not-yet.db").exists()


def test_upgrading_a_database_one_version_behind_keeps_its_data(
    store_url: str, tmp_path: Path
) -> None:
    upgrade(store_url, folder=_folder(tmp_path, {"0001_customers.sql": FIRST}))
    _execute(store_url, "INSERT INTO customers VALUES (1, 'Aino'), (2, 'Eero')")

    folder = _folder(tmp_path, {"0001_customers.sql": FIRST, "0002_visits.sql": SECOND})
    assert [m.label for m in upgrade(store_url, folder=folder)] == ["0002_visits"]

    assert _rows(store_url, "SELECT id, name, country FROM customers ORDER BY id") == [
        (1, "Aino", "FI"),
        (2, "Eero", "FI"),
    ]
    assert _rows(store_url, "SELECT customer_id FROM visits ORDER BY 1") == [(1,), (2,)]


def test_a_migration_that_fails_leaves_nothing_of_itself(store_url: str, tmp_path: Path) -> None:
    upgrade(store_url, folder=_folder(tmp_path, {"0001_customers.sql": FIRST}))
    broken = "CREATE TABLE half (x INTEGER);\nINSERT INTO no_such_table VALUES (1);\n"
    folder = _folder(tmp_path, {"0001_customers.sql": FIRST, "0002_broken.sql": broken})

    with pytest.raises(StorageUnavailable, match="migration 0002_broken failed and was rolled"):
        upgrade(store_url, folder=folder)

    assert "half" not in _tables(store_url)
    assert [a.label for a in status(store_url, folder=folder).applied] == ["0001_customers"]


def test_a_database_made_before_migrations_adopts_the_first_one_and_keeps_its_data(
    store_url: str,
) -> None:
    """Colony before migrations made the same tables with CREATE ... IF NOT EXISTS."""
    every = shipped("postgresql" if is_postgres(store_url) else "sqlite")
    _execute(store_url, every[0].sql)
    _execute(store_url, "INSERT INTO funding_partners VALUES ('bank', 'EUR', 'bank', 7)")

    # The first is adopted as it stands; those shipped after it are applied as usual.
    assert [m.label for m in upgrade(store_url)] == [m.label for m in every]
    assert every[0].label == "0001_initial"

    assert _rows(store_url, "SELECT name, created_at_ns FROM funding_partners") == [("bank", 7)]


# Refusals: what the database records does not fit the shipped files. Each row: the files
# applied, how the database is then changed, the files shipped, and what the refusal says.
REFUSALS = {
    "a migration edited after it was applied": (
        {"0001_customers.sql": FIRST},
        None,
        {"0001_customers.sql": FIRST + "-- an afterthought\n"},
        "migration 0001_customers was applied with sha256 .* a released migration was edited",
    ),
    "a migration renamed after it was applied": (
        {"0001_customers.sql": FIRST},
        None,
        {"0001_clients.sql": FIRST},
        "migration 0001_customers was applied with sha256",
    ),
    "a database newer than the code": (
        {"0001_customers.sql": FIRST, "0002_visits.sql": SECOND},
        None,
        {"0001_customers.sql": FIRST},
        "holds migration 0002_visits, which this Colony does not ship .its last is "
        "0001_customers.: the database was upgraded by a newer Colony",
    ),
    "a gap in the recorded versions": (
        {"0001_customers.sql": FIRST, "0002_visits.sql": SECOND, "0003_notes.sql": THIRD},
        "DELETE FROM schema_migrations WHERE version = 2",
        {"0001_customers.sql": FIRST, "0002_visits.sql": SECOND, "0003_notes.sql": THIRD},
        "lacks migration 0002 while later ones are applied",
    ),
}


@pytest.mark.parametrize("case", REFUSALS, ids=list(REFUSALS))
def test_a_database_that_does_not_fit_is_refused_and_left_alone(
    store_url: str, tmp_path: Path, case: str
) -> None:
    applied, tamper, shipped_files, message = REFUSALS[case]
    upgrade(store_url, folder=_folder(tmp_path, applied))
    if tamper is not None:
        _execute(store_url, tamper)
    before = _rows(store_url, "SELECT version, checksum FROM schema_migrations ORDER BY 1")
    folder = _folder(tmp_path, shipped_files)

    with pytest.raises(MigrationRefused, match=message):
        upgrade(store_url, folder=folder)
    with pytest.raises(MigrationRefused, match=message):
        upgrade(store_url, folder=folder, dry_run=True)
    assert status(store_url, folder=folder).problems != []

    assert _rows(store_url, "SELECT version, checksum FROM schema_migrations ORDER BY 1") == before


def test_stores_refuse_to_open_a_database_newer_than_the_code(store_url: str) -> None:
    from colony.wallets.sql_funding_store import open_funding_store

    upgrade(store_url)
    _execute(
        store_url,
        "INSERT INTO schema_migrations VALUES (9999, 'from_the_future', 'ff', "
        "'2030-01-01T00:00:00+00:00')",
    )
    with pytest.raises(MigrationRefused, match="holds migration 9999_from_the_future"):
        open_funding_store(store_url)


@pytest.mark.parametrize(
    ("files", "message"),
    [
        ({"1_customers.sql": FIRST}, "1_customers.sql: a migration file is named NNNN_words"),
        ({"0001_Customers.sql": FIRST}, "a migration file is named NNNN_words"),
        ({"0002_visits.sql": SECOND}, "from 0001 without gaps; 0001 missing"),
        ({"0001_a.sql": FIRST, "0001_b.sql": THIRD}, "two migrations numbered 0001"),
    ],
)
def test_a_misnamed_or_misnumbered_folder_is_refused(
    tmp_path: Path, files: dict[str, str], message: str
) -> None:
    with pytest.raises(InvalidInput, match=message):
        load(_folder(tmp_path, files))


def test_files_that_are_not_sql_are_ignored(tmp_path: Path) -> None:
    folder = _folder(tmp_path, {"0001_customers.sql": FIRST, "README.md": "notes"})
    assert [m.label for m in load(folder)] == ["0001_customers"]


def test_a_sqlite_migration_is_split_into_its_statements() -> None:
    script = "-- a; comment\nCREATE TABLE a (x TEXT DEFAULT ';'); CREATE TABLE b (y);\n-- end\n"
    assert sqlite_migrate.statements(script, "0001_t") == [
        "-- a; comment\nCREATE TABLE a (x TEXT DEFAULT ';');",
        " CREATE TABLE b (y);",
    ]
    with pytest.raises(InvalidInput, match="0001_t ends inside a statement"):
        sqlite_migrate.statements("CREATE TABLE a (x)\n", "0001_t")


# Slow enough (a count to two million) that both upgraders are inside it together; without
# the lock and the second look under it, the second would fail on CREATE TABLE.
SLOW = (
    "WITH RECURSIVE n(i) AS (SELECT 1 UNION ALL SELECT i + 1 FROM n WHERE i < 2000000)"
    " SELECT count(*) FROM n;\n" + FIRST
)
upgraders = 3


def test_processes_upgrading_at_once_apply_each_migration_once(
    store_url: str, tmp_path: Path
) -> None:
    folder = _folder(tmp_path, {"0001_slow.sql": SLOW})
    start = threading.Barrier(upgraders)
    applied: list[list[str]] = []
    failures: list[BaseException] = []

    def run() -> None:
        try:
            if is_postgres(store_url):
                with psycopg.connect(store_url, autocommit=True) as conn:
                    start.wait()
                    done = postgres_migrate.migrate(conn, store_url, folder=folder)
            else:
                with closing(open_connection(sqlite_path(store_url))) as db:
                    start.wait()
                    done = sqlite_migrate.migrate(db, store_url, folder=folder)
            applied.append([m.label for m in done])
        except BaseException as exc:
            failures.append(exc)
            start.abort()  # the others stop waiting for this one at the barrier

    threads = [threading.Thread(target=run) for _ in range(upgraders)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()

    assert [f for f in failures if not isinstance(f, threading.BrokenBarrierError)] == []
    assert failures == []
    assert sorted(applied) == [[], [], ["0001_slow"]]
    assert _rows(store_url, "SELECT version FROM schema_migrations") == [(1,)]


def test_applied_at_is_the_clock_reading_in_utc(store_url: str, tmp_path: Path) -> None:
    folder = _folder(tmp_path, {"0001_customers.sql": FIRST})
    clock = ManualClock()  # 2026-01-01 UTC
    clock.advance(1.5)
    if is_postgres(store_url):
        with psycopg.connect(store_url, autocommit=True) as conn:
            postgres_migrate.migrate(conn, store_url, folder=folder, clock=clock)
    else:
        with closing(open_connection(sqlite_path(store_url))) as db:
            sqlite_migrate.migrate(db, store_url, folder=folder, clock=clock)

    (applied,) = status(store_url, folder=folder).applied
    assert applied.applied_at == dt.datetime(2026, 1, 1, 0, 0, 1, 500_000, tzinfo=dt.UTC)

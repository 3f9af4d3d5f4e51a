"""How migrations are applied and refused, on each backend, with migration folders made here.

The SQL in these folders is the common subset both backends run, so one table of cases
covers both through the `store_url` fixture.
"""

from __future__ import annotations

import datetime as dt
import re
import threading
from contextlib import closing
from pathlib import Path

import psycopg
import pytest

from colony.kernel.clock import ManualClock
from colony.kernel.errors import InvalidInput, StorageUnavailable
from colony.storage import postgres_migrate, sqlite_migrate
from colony.storage.migration_plan import MigrationRefused, discover, load, shipped
from colony.storage.open import is_postgres, sqlite_path
from colony.storage.schema_upgrade import status, upgrade
from colony.storage.sqlite_connection import open_connection
from tests.storage.raw_sql import execute, rows

# Each PostgreSQL database here begins with no schema: these tests make it.
pytestmark = pytest.mark.empty_database


FIRST = "CREATE TABLE customers (id INTEGER PRIMARY KEY, name TEXT NOT NULL);\n"
SECOND = (
    "-- Customers get a country; the ones there are lived in Finland.\n"
    "ALTER TABLE customers ADD COLUMN country TEXT NOT NULL DEFAULT 'FI';\n"
    "CREATE TABLE visits (customer_id INTEGER NOT NULL, at_ns INTEGER NOT NULL);\n"
    "INSERT INTO visits SELECT id, 0 FROM customers;\n"
    "CREATE INDEX visits_by_customer ON visits (customer_id);\n"
)
THIRD = "CREATE TABLE notes (body TEXT);\n"
# The migration files Colony released in one numbering, before each package kept its own.
RELEASED_FILES = Path(__file__).resolve().parent / "released_migrations"


def _folder(tmp_path: Path, files: dict[str, str], package: str = "shop") -> Path:
    folder = tmp_path / package / "migrations" / "any"
    folder.mkdir(parents=True, exist_ok=True)
    for old in folder.iterdir():
        old.unlink()
    for name, text in files.items():
        (folder / name).write_text(text)
    return folder


def _shop(tmp_path: Path, files: dict[str, str]) -> dict[str, Path]:
    """One package's migrations, `shop`, made of `files`."""
    return {"shop": _folder(tmp_path, files)}


def _tables(url: str) -> set[str]:
    if is_postgres(url):
        query = "SELECT tablename FROM pg_tables WHERE schemaname = current_schema()"
    else:
        query = "SELECT name FROM sqlite_master WHERE type = 'table'"
    return {str(row[0]) for row in rows(url, query)}


def test_upgrade_applies_in_order_records_each_and_then_has_nothing_to_do(
    store_url: str, tmp_path: Path
) -> None:
    shop = _shop(tmp_path, {"0001_customers.sql": FIRST, "0002_visits.sql": SECOND})

    done = upgrade(store_url, sources=shop)

    assert [m.label for m in done] == ["shop/0001_customers", "shop/0002_visits"]
    now = status(store_url, sources=shop)
    assert [(a.version, a.name) for a in now.applied] == [(1, "customers"), (2, "visits")]
    assert [a.checksum for a in now.applied] == [m.checksum for m in load(shop["shop"], "shop")]
    assert all(a.applied_at.tzinfo == dt.UTC for a in now.applied)
    assert now.pending == [] and now.problems == []
    assert upgrade(store_url, sources=shop) == []


def test_a_dry_run_names_the_pending_migrations_and_changes_nothing(
    store_url: str, tmp_path: Path
) -> None:
    upgrade(store_url, sources=_shop(tmp_path, {"0001_customers.sql": FIRST}))
    shop = _shop(tmp_path, {"0001_customers.sql": FIRST, "0002_visits.sql": SECOND})

    assert [m.label for m in upgrade(store_url, sources=shop, dry_run=True)] == ["shop/0002_visits"]
    assert "visits" not in _tables(store_url)
    assert [m.label for m in status(store_url, sources=shop).pending] == ["shop/0002_visits"]


def test_status_and_a_dry_run_never_make_a_sqlite_file(tmp_path: Path) -> None:
    url = f"sqlite:///{tmp_path}/not-yet.db"
    assert [m.label for m in status(url).pending] == [m.label for m in shipped("sqlite")]
    assert upgrade(url, dry_run=True) == list(shipped("sqlite"))
    assert not (tmp_path / "not-yet.db").exists()


def test_upgrading_a_database_one_version_behind_keeps_its_data(
    store_url: str, tmp_path: Path
) -> None:
    upgrade(store_url, sources=_shop(tmp_path, {"0001_customers.sql": FIRST}))
    execute(store_url, "INSERT INTO customers VALUES (1, 'Aino'), (2, 'Eero')")

    shop = _shop(tmp_path, {"0001_customers.sql": FIRST, "0002_visits.sql": SECOND})
    assert [m.label for m in upgrade(store_url, sources=shop)] == ["shop/0002_visits"]

    assert rows(store_url, "SELECT id, name, country FROM customers ORDER BY id") == [
        (1, "Aino", "FI"),
        (2, "Eero", "FI"),
    ]
    assert rows(store_url, "SELECT customer_id FROM visits ORDER BY 1") == [(1,), (2,)]


def test_a_migration_that_fails_leaves_nothing_of_itself(store_url: str, tmp_path: Path) -> None:
    upgrade(store_url, sources=_shop(tmp_path, {"0001_customers.sql": FIRST}))
    broken = "CREATE TABLE half (x INTEGER);\nINSERT INTO no_such_table VALUES (1);\n"
    shop = _shop(tmp_path, {"0001_customers.sql": FIRST, "0002_broken.sql": broken})

    with pytest.raises(
        StorageUnavailable, match="migration shop/0002_broken failed and was rolled"
    ):
        upgrade(store_url, sources=shop)

    assert "half" not in _tables(store_url)
    assert [a.label for a in status(store_url, sources=shop).applied] == ["shop/0001_customers"]


def test_a_database_made_before_migrations_adopts_the_first_one_and_keeps_its_data(
    store_url: str,
) -> None:
    """Colony before migrations made the same tables with CREATE ... IF NOT EXISTS."""
    backend = "postgresql" if is_postgres(store_url) else "sqlite"
    every = shipped(backend)
    # Those tables are the first released migration's, which each package's first file
    # carved from it still makes with IF NOT EXISTS.
    execute(store_url, (RELEASED_FILES / backend / "0001_initial.sql").read_text())
    execute(store_url, "INSERT INTO funding_partners VALUES ('bank', 'EUR', 'bank', 7)")

    # Each is adopted as it stands; the rest are applied as usual.
    assert [m.label for m in upgrade(store_url)] == [m.label for m in every]

    assert rows(store_url, "SELECT name, created_at_ns FROM funding_partners") == [("bank", 7)]


# Refusals: what the database records does not fit the shipped files. Each row: the files
# applied, how the database is then changed, the files shipped, and what the refusal says.
REFUSALS = {
    "a migration edited after it was applied": (
        {"0001_customers.sql": FIRST},
        None,
        {"0001_customers.sql": FIRST + "-- an afterthought\n"},
        "migration shop/0001_customers was applied with sha256 .* a released migration was edited",
    ),
    "a migration renamed after it was applied": (
        {"0001_customers.sql": FIRST},
        None,
        {"0001_clients.sql": FIRST},
        "migration shop/0001_customers was applied with sha256",
    ),
    "a database newer than the code": (
        {"0001_customers.sql": FIRST, "0002_visits.sql": SECOND},
        None,
        {"0001_customers.sql": FIRST},
        "holds migration shop/0002_visits, which this Colony does not ship .its last of shop "
        "is shop/0001_customers.: the database was upgraded by a newer Colony",
    ),
    "a gap in the recorded versions": (
        {"0001_customers.sql": FIRST, "0002_visits.sql": SECOND, "0003_notes.sql": THIRD},
        "DELETE FROM schema_migrations WHERE version = 2",
        {"0001_customers.sql": FIRST, "0002_visits.sql": SECOND, "0003_notes.sql": THIRD},
        "lacks migration shop/0002 while later ones are applied",
    ),
}


@pytest.mark.parametrize("case", REFUSALS, ids=list(REFUSALS))
def test_a_database_that_does_not_fit_is_refused_and_left_alone(
    store_url: str, tmp_path: Path, case: str
) -> None:
    applied, tamper, shipped_files, message = REFUSALS[case]
    upgrade(store_url, sources=_shop(tmp_path, applied))
    if tamper is not None:
        execute(store_url, tamper)
    before = rows(store_url, "SELECT package, version, checksum FROM schema_migrations ORDER BY 2")
    shop = _shop(tmp_path, shipped_files)

    with pytest.raises(MigrationRefused, match=message):
        upgrade(store_url, sources=shop)
    with pytest.raises(MigrationRefused, match=message):
        upgrade(store_url, sources=shop, dry_run=True)
    assert status(store_url, sources=shop).problems != []

    after = rows(store_url, "SELECT package, version, checksum FROM schema_migrations ORDER BY 2")
    assert after == before


def test_stores_refuse_to_open_a_database_newer_than_the_code(store_url: str) -> None:
    from colony.wallets.sql_funding_store import open_funding_store

    upgrade(store_url)
    execute(
        store_url,
        "INSERT INTO schema_migrations VALUES ('wallets', 9999, 'from_the_future', 'ff', "
        "'2030-01-01T00:00:00+00:00')",
    )
    with pytest.raises(MigrationRefused, match="holds migration wallets/9999_from_the_future"):
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
        load(_folder(tmp_path, files), "shop")


def test_files_that_are_not_sql_are_ignored(tmp_path: Path) -> None:
    shop = _shop(tmp_path, {"0001_customers.sql": FIRST, "README.md": "notes"})
    assert [m.label for m in load(shop["shop"], "shop")] == ["shop/0001_customers"]


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
    shop = _shop(tmp_path, {"0001_slow.sql": SLOW})
    start = threading.Barrier(upgraders)
    applied: list[list[str]] = []
    failures: list[BaseException] = []

    def run() -> None:
        try:
            if is_postgres(store_url):
                with psycopg.connect(store_url, autocommit=True) as conn:
                    start.wait()
                    done = postgres_migrate.migrate(conn, store_url, sources=shop)
            else:
                with closing(open_connection(sqlite_path(store_url))) as db:
                    start.wait()
                    done = sqlite_migrate.migrate(db, store_url, sources=shop)
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
    assert sorted(applied) == [[], [], ["shop/0001_slow"]]
    assert rows(store_url, "SELECT version FROM schema_migrations") == [(1,)]


def test_applied_at_is_the_clock_reading_in_utc(store_url: str, tmp_path: Path) -> None:
    shop = _shop(tmp_path, {"0001_customers.sql": FIRST})
    clock = ManualClock()  # 2026-01-01 UTC
    clock.advance(1.5)
    if is_postgres(store_url):
        with psycopg.connect(store_url, autocommit=True) as conn:
            postgres_migrate.migrate(conn, store_url, sources=shop, clock=clock)
    else:
        with closing(open_connection(sqlite_path(store_url))) as db:
            sqlite_migrate.migrate(db, store_url, sources=shop, clock=clock)

    (applied,) = status(store_url, sources=shop).applied
    assert applied.applied_at == dt.datetime(2026, 1, 1, 0, 0, 1, 500_000, tzinfo=dt.UTC)


def test_the_runner_finds_each_packages_migrations_the_engines_first(tmp_path: Path) -> None:
    root = tmp_path / "colony"
    for package, backends in {
        "shop": ["sqlite", "postgresql"],
        "cafe": ["sqlite"],
        "storage": ["sqlite", "postgresql"],
        "kernel": [],
    }.items():
        (root / package).mkdir(parents=True)
        for backend in backends:
            (root / package / "migrations" / backend).mkdir(parents=True)

    assert list(discover(root, "sqlite")) == ["storage", "cafe", "shop"]
    assert list(discover(root, "postgresql")) == ["storage", "shop"]
    assert shipped("sqlite")[0].package == "storage"


def test_each_package_is_numbered_and_upgraded_on_its_own(store_url: str, tmp_path: Path) -> None:
    cafe = _folder(tmp_path, {"0001_tables.sql": "CREATE TABLE tables (n INTEGER);\n"}, "cafe")
    shop = _folder(tmp_path, {"0001_customers.sql": FIRST})
    assert [m.label for m in upgrade(store_url, sources={"cafe": cafe, "shop": shop})] == [
        "cafe/0001_tables",
        "shop/0001_customers",
    ]

    # The shop adds its second migration, and a new package arrives with its first.
    _folder(tmp_path, {"0001_customers.sql": FIRST, "0002_visits.sql": SECOND})
    bar = _folder(tmp_path, {"0001_drinks.sql": "CREATE TABLE drinks (n INTEGER);\n"}, "bar")
    every = {"bar": bar, "cafe": cafe, "shop": shop}
    assert [m.label for m in status(store_url, sources=every).pending] == [
        "bar/0001_drinks",
        "shop/0002_visits",
    ]
    assert [m.label for m in upgrade(store_url, sources=every)] == [
        "bar/0001_drinks",
        "shop/0002_visits",
    ]
    assert [a.label for a in status(store_url, sources=every).applied] == [
        "bar/0001_drinks",
        "cafe/0001_tables",
        "shop/0001_customers",
        "shop/0002_visits",
    ]

    # A package this code no longer ships is a database newer than the code: refused.
    with pytest.raises(
        MigrationRefused,
        match=r"holds migration bar/0001_drinks, which .* \(it ships none of bar\)",
    ):
        upgrade(store_url, sources={"cafe": cafe, "shop": shop})


@pytest.mark.parametrize("backend", ["sqlite", "postgresql"])
def test_each_package_makes_and_changes_only_its_own_tables(backend: str) -> None:
    """Why the order across packages carries no meaning (docs/adr/0024): no package's migration
    touches, or refers to, a table another package made."""
    owner: dict[str, str] = {}
    for m in shipped(backend):
        sql = re.sub(r"--[^\n]*", "", m.sql)
        for table in re.findall(r"CREATE TABLE (?:IF NOT EXISTS )?(\w+)", sql, re.IGNORECASE):
            assert table not in owner, f"{m.label} makes {table}, made by {owner[table]}"
            owner[table] = m.package
        touched = re.findall(
            r"(?:\bON(?!\s+(?:CONFLICT|DELETE|UPDATE)\b)|ALTER TABLE|REFERENCES|INSERT INTO"
            # A trigger's "BEFORE UPDATE ON t" / "UPDATE OR DELETE ON t" names t after its ON.
            r"|\bUPDATE(?!\s+(?:ON|OR|OF)\b)|DROP TABLE(?: IF EXISTS)?)\s+(\w+)",
            sql,
            re.IGNORECASE,
        )
        assert touched or "CREATE TABLE" in sql
        assert {t: owner.get(t) for t in touched} == {t: m.package for t in touched}, m.label

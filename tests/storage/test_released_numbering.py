"""Databases made by releases with one numbering of migrations open and upgrade per package.

Each such database is built here as those releases built it: their files (kept verbatim in
`released_migrations/`), applied in order, recorded in their `schema_migrations(version, name,
checksum, applied_at)`. Opened by this code, it must end with exactly the schema of a new
database, its data kept (docs/adr/0024).
"""

from __future__ import annotations

import datetime as dt
import re
import sqlite3
import threading
from contextlib import closing
from pathlib import Path

import psycopg
import pytest
from typer.testing import CliRunner

from colony.cli.main import app
from colony.storage.migration_plan import MigrationRefused, checksum_of, shipped
from colony.storage.open import is_postgres, sqlite_path
from colony.storage.released_numbering import RELEASED
from colony.storage.schema_upgrade import status, upgrade
from colony.wallets.sql_funding_store import open_funding_store
from tests.storage.raw_sql import execute, rows
from tests.storage.schema_snapshot import drift

# Each PostgreSQL database here begins with no schema: these tests make it.
pytestmark = pytest.mark.empty_database


RELEASED_FILES = Path(__file__).resolve().parent / "released_migrations"

# The table the releases with one numbering recorded their migrations in, as they made it.
RELEASED_SCHEMA_MIGRATIONS = {
    "sqlite": """
CREATE TABLE IF NOT EXISTS schema_migrations (
    version INTEGER PRIMARY KEY,
    name TEXT NOT NULL,
    checksum TEXT NOT NULL,   -- SHA-256 of the migration file, hex
    applied_at TEXT NOT NULL  -- UTC, ISO 8601
)
""",
    "postgresql": """
CREATE TABLE IF NOT EXISTS schema_migrations (
    version integer PRIMARY KEY,
    name text NOT NULL,
    checksum text NOT NULL,  -- SHA-256 of the migration file, hex
    applied_at timestamptz NOT NULL
)
""",
}


def _backend(url: str) -> str:
    return "postgresql" if is_postgres(url) else "sqlite"


def _released_files(backend: str) -> list[Path]:
    return sorted((RELEASED_FILES / backend).glob("*.sql"))


def _applied_at(version: int) -> dt.datetime:
    return dt.datetime(2026, 11, 20, 9, 0, version, tzinfo=dt.UTC)


def _build_released(url: str, upto: int) -> None:
    """The database the releases with one numbering made, stopped after migration `upto`."""
    backend = _backend(url)
    for path in _released_files(backend)[:upto]:
        version, name = int(path.name[:4]), path.stem[5:]
        text = path.read_text()
        row = (version, name, checksum_of(text))
        if backend == "postgresql":
            with psycopg.connect(url, autocommit=True) as conn, conn.transaction():
                conn.execute(RELEASED_SCHEMA_MIGRATIONS[backend].encode())
                conn.execute(text.encode())
                conn.execute(
                    "INSERT INTO schema_migrations VALUES (%s, %s, %s, %s)",
                    (*row, _applied_at(version)),
                )
        else:
            with closing(sqlite3.connect(sqlite_path(url), isolation_level=None)) as db:
                db.executescript(
                    f"BEGIN IMMEDIATE;\n{RELEASED_SCHEMA_MIGRATIONS[backend]};\n{text}\n"
                    f"INSERT INTO schema_migrations VALUES ({version}, '{name}', '{row[2]}', "
                    f"'{_applied_at(version).isoformat()}');\nCOMMIT;"
                )


def _statements(sql: str) -> list[str]:
    text = re.sub(r"--[^\n]*", "", sql)
    return sorted(" ".join(s.split()) for s in text.split(";") if s.strip())


@pytest.mark.parametrize("backend", ["sqlite", "postgresql"])
def test_each_released_file_became_exactly_its_package_files(backend: str) -> None:
    files = _released_files(backend)
    by_key = {(m.package, m.version): m for m in shipped(backend)}
    became = [key for r in RELEASED[backend] for key in r.became]

    assert [(r.version, r.name, r.checksum) for r in RELEASED[backend]] == [
        (int(p.name[:4]), p.stem[5:], checksum_of(p.read_text())) for p in files
    ]
    assert len(became) == len(set(became))  # no package file comes from two released ones
    for released, path in zip(RELEASED[backend], files, strict=True):
        carved = [s for key in released.became for s in _statements(by_key[key].sql)]
        assert _statements(path.read_text()) == sorted(carved), path.name


@pytest.mark.parametrize("upto", [6, 3, 1])
def test_a_released_database_upgrades_to_the_schema_of_a_new_one_with_its_data(
    store_url: str, upto: int
) -> None:
    backend = _backend(store_url)
    _build_released(store_url, upto)
    execute(store_url, "INSERT INTO funding_partners VALUES ('bank', 'EUR', 'bank', 7)")
    recorded = {key for r in RELEASED[backend][:upto] for key in r.became}

    done = upgrade(store_url)

    every = shipped(backend)
    assert [m.label for m in done] == [
        m.label for m in every if (m.package, m.version) not in recorded
    ]
    assert drift(store_url) == []
    now = status(store_url)
    assert [a.label for a in now.applied] == [m.label for m in every]
    assert (now.pending, now.problems, now.released_numbering) == ([], [], False)
    journal = next(a for a in now.applied if a.package == "storage")
    assert journal.applied_at == _applied_at(1)  # when the released file was applied
    assert rows(store_url, "SELECT name, created_at_ns FROM funding_partners") == [("bank", 7)]


def test_opening_a_store_renames_a_released_databases_records(store_url: str) -> None:
    _build_released(store_url, 6)

    open_funding_store(store_url).close()

    assert drift(store_url) == []


def test_status_and_a_dry_run_read_a_released_database_and_change_nothing(
    store_url: str,
) -> None:
    _build_released(store_url, 5)
    before = rows(store_url, "SELECT * FROM schema_migrations ORDER BY version")

    now = status(store_url)
    pending = upgrade(store_url, dry_run=True)

    every = shipped(_backend(store_url))
    assert now.released_numbering and now.problems == []
    assert [m.label for m in now.pending] == [m.label for m in pending]
    # Pending: what released version 6 became, and what came after the single numbering
    # (every package migration no released file became: storage/0002_currency_pins, and the
    # migrations of products added since).
    released = {key for r in RELEASED[_backend(store_url)] for key in r.became}
    after_it = {m.label for m in every if (m.package, m.version) not in released}
    assert "storage/0002_currency_pins" in after_it
    assert [m.label for m in pending] == [
        m.label for m in every if m.name.endswith("border") or m.label in after_it
    ]
    assert len(now.applied) + len(pending) == len(every)
    assert rows(store_url, "SELECT * FROM schema_migrations ORDER BY version") == before


REFUSALS = {
    "a recorded file changed": (
        "UPDATE schema_migrations SET checksum = 'abc' WHERE version = 2",
        "migration 0002_.* was applied with sha256 abc, but the released 0002_",
    ),
    "a version no release had": (
        "INSERT INTO schema_migrations VALUES (7, 'unreleased', 'ff', '2030-01-01T00:00:00Z')",
        "holds migration 0007_unreleased of the single numbering, which no Colony released",
    ),
    "a hole": (
        "DELETE FROM schema_migrations WHERE version = 2",
        "lacks migration 0002 of the single numbering while later ones are applied",
    ),
}


@pytest.mark.parametrize("case", REFUSALS, ids=list(REFUSALS))
def test_a_released_database_that_does_not_fit_is_refused_and_left_alone(
    store_url: str, case: str
) -> None:
    tamper, message = REFUSALS[case]
    _build_released(store_url, 6)
    execute(store_url, tamper)
    before = rows(store_url, "SELECT * FROM schema_migrations ORDER BY version")

    with pytest.raises(MigrationRefused, match=message):
        upgrade(store_url)
    with pytest.raises(MigrationRefused, match=message):
        upgrade(store_url, dry_run=True)
    with pytest.raises(MigrationRefused, match=message):
        open_funding_store(store_url)
    assert status(store_url).problems != []

    assert rows(store_url, "SELECT * FROM schema_migrations ORDER BY version") == before


def test_processes_opening_a_released_database_at_once_rename_it_once(store_url: str) -> None:
    _build_released(store_url, 4)
    upgraders = 3
    start = threading.Barrier(upgraders)
    failures: list[BaseException] = []

    def run() -> None:
        try:
            start.wait()
            upgrade(store_url)
        except BaseException as exc:
            failures.append(exc)

    threads = [threading.Thread(target=run) for _ in range(upgraders)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()

    assert failures == []
    assert drift(store_url) == []
    every = shipped(_backend(store_url))
    assert rows(store_url, "SELECT count(*) FROM schema_migrations") == [(len(every),)]


def test_the_cli_says_a_released_database_is_recorded_per_package_on_upgrade(
    store_url: str,
) -> None:
    _build_released(store_url, 6)
    runner = CliRunner()

    status_out = runner.invoke(app, ["db", "status", "--database", store_url])
    dry_run = runner.invoke(app, ["db", "upgrade", "--dry-run", "--database", store_url])
    done = runner.invoke(app, ["db", "upgrade", "--database", store_url])

    assert status_out.exit_code == 0, status_out.stderr
    assert "  applied  storage/0001_journal  2026-11-20T09:00:01+00:00" in status_out.stdout
    assert "single numbering of earlier releases" in status_out.stdout
    assert dry_run.stdout.splitlines()[0] == "would record the applied migrations per package"
    assert done.stdout.splitlines()[0] == "recorded the applied migrations per package"
    # What came after the single numbering is then applied as for any database.
    assert "storage/0002_currency_pins" in done.stdout
    again = runner.invoke(app, ["db", "upgrade", "--database", store_url])
    assert again.stdout.splitlines() == [f"{store_url} is up to date: nothing to apply"]

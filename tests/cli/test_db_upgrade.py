"""`colony db upgrade` and `colony db status` on each backend."""

from __future__ import annotations

import sqlite3
from contextlib import closing
from pathlib import Path

import psycopg
import pytest
from typer.testing import CliRunner

from colony.cli.main import app
from colony.storage.migration_plan import shipped
from colony.storage.open import is_postgres, sqlite_path

# Each PostgreSQL database here begins with no schema: these tests make it.
pytestmark = pytest.mark.empty_database


runner = CliRunner()


def _run(*args: str) -> tuple[int, str, str]:
    result = runner.invoke(app, list(args))
    return result.exit_code, result.stdout, result.stderr


def _labels(url: str) -> list[str]:
    return [m.label for m in shipped("postgresql" if is_postgres(url) else "sqlite")]


def test_upgrade_applies_the_pending_migrations_once(store_url: str) -> None:
    code, out, err = _run("db", "upgrade", "--database", store_url)
    assert code == 0, err
    assert out.splitlines() == [f"applied {label}" for label in _labels(store_url)]

    code, out, _ = _run("db", "upgrade", "--database", store_url)
    assert (code, out) == (0, f"{store_url} is up to date: nothing to apply\n")


def test_a_dry_run_says_what_it_would_apply_and_status_still_shows_it_pending(
    store_url: str,
) -> None:
    code, out, err = _run("db", "upgrade", "--dry-run", "--database", store_url)
    assert code == 0, err
    assert out.splitlines() == [f"would apply {label}" for label in _labels(store_url)]

    code, out, _ = _run("db", "status", "--check", "--database", store_url)
    assert code == 1  # something is pending
    assert out.splitlines() == [
        f"{store_url}:",
        *(f"  pending  {label}" for label in _labels(store_url)),
    ]


def test_status_lists_the_applied_migrations_with_when(store_url: str) -> None:
    _run("db", "upgrade", "--database", store_url)

    code, out, err = _run("db", "status", "--check", "--database", store_url)

    assert code == 0, err
    lines = out.splitlines()
    assert lines[0] == f"{store_url}:"
    assert [line.split()[:2] for line in lines[1:]] == [
        ["applied", label] for label in _labels(store_url)
    ]
    assert all(line.endswith("+00:00") for line in lines[1:])


def test_an_edited_migration_is_refused_with_exit_2(store_url: str) -> None:
    _run("db", "upgrade", "--database", store_url)
    tamper = "UPDATE schema_migrations SET checksum = 'abc' WHERE version = 1"
    if is_postgres(store_url):
        with psycopg.connect(store_url, autocommit=True) as conn:
            conn.execute(tamper)
    else:
        with closing(sqlite3.connect(sqlite_path(store_url))) as db:
            db.execute(tamper)
            db.commit()

    for command in (["upgrade"], ["upgrade", "--dry-run"], ["status"]):
        code, _, err = _run("db", *command, "--database", store_url)
        assert code == 2, command
        assert "error:" in err and "0001_initial was applied with sha256 abc" in err


def test_a_url_that_is_not_a_database_is_refused(tmp_path: Path) -> None:
    code, _, err = _run("db", "upgrade", "--database", f"mysql://{tmp_path}/x")
    assert code == 2
    assert "not a sqlite URL" in err


def test_a_file_that_is_not_a_database_is_refused(tmp_path: Path) -> None:
    (tmp_path / "notes.db").write_text("not a database\n")
    url = f"sqlite:///{tmp_path}/notes.db"
    for command in (["upgrade"], ["status"]):
        code, _, err = _run("db", *command, "--database", url)
        assert code == 2, command
        assert "notes.db: cannot" in err and "file is not a database" in err

"""The storage contract runs against every backend: `journal_url` is parametrised.

The PostgreSQL half needs a server: `COLONY_TEST_POSTGRES_URL` (default the local one). Each
PostgreSQL test gets a database of its own on it, migrated and holding no rows: a copy of one
migrated once per process, emptied after its test for the next one, or dropped if the test
changed its schema (tests/postgres_reuse.py); empty for a test marked `empty_database`. A new
SQLite file is likewise born a copy of one migrated once (tests/sqlite_image.py). When no
server answers, those
tests are skipped with the reason, and the end of the run says so loudly; with `CI=true` they
fail instead, so CI can never pass without them.
"""

from __future__ import annotations

import atexit
import contextlib
import os
import time
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import psycopg
import pytest

from colony.kernel import lock_order
from colony.ledger import invariants
from colony.storage import tables as tables_module
from colony.storage.postgres_databases import (
    close_to_connections,
    create_fresh_database,
    database_url,
    drop_database,
    drop_stale_databases,
)
from colony.storage.schema_upgrade import upgrade
from tests import postgres_reuse, sqlite_image
from tests.browser import browser  # noqa: F401 - the real browser, a fixture for every test

# The ledger's expensive invariant checks run in every test: in this process, and through the
# environment in every process a test starts (docs/adr/0022).
os.environ["COLONY_LEDGER_VERIFY"] = "1"
invariants.verify = True
# The storage's locks check the order they are taken in (kernel/lock_order.py): here, and in
# every process a test starts.
os.environ[lock_order.ENV] = "1"
lock_order.checked = True
# The key that seals device and webhook secrets at rest: PostgreSQL refuses to open without
# one (docs/adr/0032). A fixed key, so every process a test starts opens what another sealed;
# tests of the key's own rules (tests/storage/test_secrets_key.py) set their own environment.
os.environ.setdefault("COLONY_SECRETS_KEY", "Y29sb255LXRlc3RzLXNlY3JldHMta2V5LTMyLWJ5dGU=")
# No periodic ledger checkpoints unless a test asks for them: tests move their clocks by days,
# and each checkpoint would write the archive's 64 MiB filter for a ledger of a few transfers.
# The default policy itself is tested (tests/ledger/test_archive.py), and so are the periodic
# ones, with policies of their own (tests/ledger/test_checkpoints.py).
os.environ.setdefault("COLONY_LEDGER_CHECKPOINT_EVERY_EVENTS", "0")
os.environ.setdefault("COLONY_LEDGER_CHECKPOINT_EVERY_S", "0")

# New SQLite databases are born migrated, from one file migrated once (tests/sqlite_image.py).
sqlite_image.install()

POSTGRES_SERVER_URL = os.environ.get(
    "COLONY_TEST_POSTGRES_URL", "postgresql://postgres@127.0.0.1:5432/postgres"
)
# Seconds to wait for the test server to answer before calling it unreachable.
postgres_probe_timeout_s = 3

_probe: dict[str, str | None] = {}


def postgres_unreachable() -> str | None:
    """Why the test server cannot be used, or None when it can (asked once per run)."""
    if "reason" not in _probe:
        try:
            with psycopg.connect(POSTGRES_SERVER_URL, connect_timeout=postgres_probe_timeout_s):
                _probe["reason"] = None
        except psycopg.Error as exc:
            detail = " ".join(str(exc).split())  # one line, however libpq words it
            _probe["reason"] = f"PostgreSQL at {POSTGRES_SERVER_URL} unreachable: {detail}"
    return _probe["reason"]


def postgres_server_url() -> str:
    """The test server, or skip (fail under CI=true) the test that needs it."""
    reason = postgres_unreachable()
    if reason is not None:
        if os.environ.get("CI", "").lower() == "true":
            pytest.fail(f"{reason} (CI=true: the PostgreSQL half must run)")
        pytest.skip(f"PostgreSQL half SKIPPED: {reason}")
    return POSTGRES_SERVER_URL


_template: dict[str, str] = {}
# A test database older than this was left by a killed process: no test run lasts 6 hours.
stale_test_database_s = 6 * 3600


def _migrated_template(server: str) -> str:
    """This process's database with every shipped migration applied, made once: a test's new
    database is copied from it, in a third of the time its 40-odd migrations take to apply
    (each is DDL, about 15 ms). Dropped when the process ends."""
    if "name" not in _template:
        # Those a killed test process left behind (atexit never ran), and their copies.
        for prefix in ("colony_test_template", "colony_test"):
            drop_stale_databases(server, prefix, stale_test_database_s, time.time())
        url, name = create_fresh_database(server, "colony_test_template", now_s=time.time())
        atexit.register(drop_database, server, name)
        upgrade(url)
        close_to_connections(server, name)
        _template["name"] = name
    return _template["name"]


# Migrated databases this process made, emptied after their test, for the next one to use
# (tests/postgres_reuse.py); dropped when the process ends.
_spare: list[str] = []


def _drop_spares(server: str) -> None:
    while _spare:
        drop_database(server, _spare.pop())


@contextlib.contextmanager
def fresh_postgres_database(*, migrated: bool = True) -> Iterator[str]:
    """A database on the test server for this test alone (as many as a test needs): with
    Colony's schema up to date and no rows, or empty (`migrated=False`: for the tests of
    migrations and of what opening an empty database does). A migrated one is emptied after
    the test for the next, or dropped when it cannot be told that only its rows changed."""
    server = postgres_server_url()
    if not migrated:
        url, name = create_fresh_database(server, "colony_test", now_s=time.time())
        try:
            yield url
        finally:
            drop_database(server, name)
        return
    if _spare:
        name = _spare.pop()
    else:
        template = _migrated_template(server)
        name = create_fresh_database(server, "colony_test", template=template, now_s=time.time())[1]
        if not postgres_reuse.noted():
            postgres_reuse.note_template(server, name)
            atexit.register(_drop_spares, server)
    try:
        yield database_url(server, name)
    finally:
        kept = postgres_reuse.emptied(server, name, postgres_reuse.fresh_name(time.time()))
        if kept is not None:
            _spare.append(kept)


@pytest.fixture
def postgres_url(request: pytest.FixtureRequest) -> Iterator[str]:
    """A new database on the test server, its schema up to date; empty for a test marked
    `empty_database` (the tests of migrations)."""
    empty = request.node.get_closest_marker("empty_database") is not None
    with fresh_postgres_database(migrated=not empty) as url:
        yield url


@pytest.fixture(autouse=True)
def _blank_sqlite_files(request: pytest.FixtureRequest) -> Iterator[None]:
    """A test marked `empty_database` gets new SQLite files empty, not born migrated."""
    empty = request.node.get_closest_marker("empty_database") is not None
    sqlite_image.blank_files_wanted["now"] = empty
    yield
    sqlite_image.blank_files_wanted["now"] = False


@pytest.fixture(autouse=True)
def _sqlite_writes_at_the_gate(monkeypatch: pytest.MonkeyPatch) -> None:
    """Every table store's write on SQLite goes through `Tables.write()` (or a transaction
    or group commit), waiting its turn at the file's write gate (docs/adr/0105): a
    `session()` block that changed the database fails the test that made it."""
    enter, leave = tables_module._Locked.__enter__, tables_module._Locked.__exit__
    changes_before: dict[int, int] = {}

    def entered(locked: Any) -> Any:
        session = enter(locked)
        changes_before[id(locked)] = session.total_changes
        return session

    def left(locked: Any, kind: object, exc: BaseException | None, trace: object) -> None:
        changed = locked._session.total_changes != changes_before.pop(id(locked), None)
        leave(locked, kind, exc, trace)
        if changed and exc is None:
            raise AssertionError(
                "a table store wrote through session(): writes go through Tables.write()"
                " (docs/adr/0105)"
            )

    monkeypatch.setattr(tables_module._Locked, "__enter__", entered)
    monkeypatch.setattr(tables_module._Locked, "__exit__", left)


def _on_each_backend(request: pytest.FixtureRequest, sqlite_file: Path) -> str:
    if request.param == "sqlite":
        return f"sqlite:///{sqlite_file}"
    return str(request.getfixturevalue("postgres_url"))


@pytest.fixture(params=["sqlite", "postgresql"])
def journal_url(request: pytest.FixtureRequest, tmp_path: Path) -> str:
    """A fresh ledger database on each backend in turn."""
    return _on_each_backend(request, tmp_path / "journal.db")


@pytest.fixture(params=["sqlite", "postgresql"])
def store_url(request: pytest.FixtureRequest, tmp_path: Path) -> str:
    """A fresh database for a table store on each backend in turn (SQLite: colony.db)."""
    return _on_each_backend(request, tmp_path / "colony.db")


def pytest_terminal_summary(terminalreporter: pytest.TerminalReporter) -> None:
    reason = _probe.get("reason")
    if reason is not None:
        terminalreporter.write_sep("!", "PostgreSQL tests SKIPPED", red=True, bold=True)
        terminalreporter.write_line(reason, red=True)
        terminalreporter.write_line(
            "Start a server or set COLONY_TEST_POSTGRES_URL to run them.", red=True
        )


def pytest_collection_modifyitems(items: list[pytest.Item]) -> None:
    """The files marked `slow` first, each file's tests in their own order. Workers take
    whole files (`--dist loadfile`, scripts/test), in this order when xdist does not reorder
    them by size (`--no-loadscope-reorder`): by size, the longest files, with few tests each,
    came last, and the suite ended with one worker running them while the other was idle."""
    slow_files = {item.path for item in items if item.get_closest_marker("slow")}
    items.sort(key=lambda item: item.path not in slow_files)


@pytest.fixture(autouse=True)
def _locks_taken_in_order() -> Iterator[None]:
    """A lock taken out of order fails its test, even where code caught the error
    (kernel/lock_order.py keeps every refusal)."""
    before = len(lock_order.violations)
    yield
    made = lock_order.violations[before:]
    if made:
        del lock_order.violations[before:]
        pytest.fail("locks taken out of order:\n" + "\n".join(made))

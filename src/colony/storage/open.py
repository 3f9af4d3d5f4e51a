"""Choosing a backend from a database URL: only the outer layers (CLI, API) call this."""

from __future__ import annotations

import os
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path
from urllib.parse import urlparse

from colony.kernel.clock import Clock, SystemClock
from colony.kernel.errors import InvalidInput
from colony.ledger.checkpoint import CheckpointPolicy
from colony.ledger.service import Ledger
from colony.ledger.store import JournalOwned
from colony.storage.currency_pins import check_and_pin
from colony.storage.postgres_databases import POSTGRES_SCHEMES
from colony.storage.postgres_journal import PostgresJournal, redacted
from colony.storage.sqlite_journal import SqliteJournal
from colony.storage.tables import PostgresSqlTables, SqliteTables, Tables
from colony.storage.writer_lock import SqliteWriterLock

DEFAULT_DATABASE_URL = "sqlite:///var/colony.db"


def database_url_from_env(explicit: str | None) -> str:
    return explicit or os.environ.get("COLONY_DATABASE_URL") or DEFAULT_DATABASE_URL


def sqlite_path(url: str) -> Path:
    """The file behind a `sqlite:///relative/path.db` or `sqlite:////absolute/path.db` URL."""
    parsed = urlparse(url)
    if parsed.scheme != "sqlite":
        raise InvalidInput(f"not a sqlite URL (sqlite:///PATH): {redacted(url)!r}")
    if parsed.netloc:
        raise InvalidInput(f"sqlite URL must look like sqlite:///path/to/file.db, not {url!r}")
    path = parsed.path[1:] if parsed.path.startswith("/") else parsed.path
    if not path:
        raise InvalidInput(f"sqlite URL names no file: {url!r}")
    return Path(path)


def open_journal(url: str, *, synchronous: str = "FULL") -> SqliteJournal | PostgresJournal:
    """The ledger's journal behind a `sqlite:///PATH` or `postgresql://...` URL.

    `synchronous` is SQLite's setting; on PostgreSQL commits are always durable
    (`synchronous_commit = on`), so any other value is refused there.
    """
    scheme = urlparse(url).scheme
    if scheme == "sqlite":
        return SqliteJournal(sqlite_path(url), synchronous=synchronous)
    if scheme in POSTGRES_SCHEMES:
        if synchronous.upper() != "FULL":
            raise InvalidInput(
                f"synchronous={synchronous} is SQLite's; PostgreSQL commits are always durable"
            )
        return PostgresJournal(url)
    raise _unknown_scheme(url)


def _unknown_scheme(url: str) -> InvalidInput:
    return InvalidInput(
        f"unknown database URL scheme {urlparse(url).scheme!r} in {redacted(url)!r}: "
        "use sqlite:///PATH or postgresql://USER@HOST/DATABASE"
    )


def open_ledger(
    url: str,
    *,
    clock: Clock | None = None,
    synchronous: str = "FULL",
    auto_pulse: bool = True,
    checkpoints: CheckpointPolicy | None = None,
) -> Ledger:
    """The ledger on the journal behind `url`, rebuilt in memory from its newest good
    checkpoint and the journal after it (`checkpoints`: when to write them, whether to load
    one); refused when Colony's currency table would change the scale of a currency it holds
    (storage/currency_pins.py)."""
    journal = open_journal(url, synchronous=synchronous)
    ledger = Ledger(journal, clock or SystemClock(), auto_pulse=auto_pulse, checkpoints=checkpoints)
    return _pinned(url, ledger)


def _pinned(url: str, ledger: Ledger) -> Ledger:
    """The ledger, once its currencies' pins agree with the table; closed if they do not."""
    try:
        tables = open_tables(url, "colony-currency-pins")
        try:
            check_and_pin(tables, ledger)
        finally:
            tables.close()
    except BaseException:
        ledger.close()
        raise
    return ledger


@dataclass(frozen=True)
class WriterHold:
    """The ledger this process writes, and how to let another process be the writer."""

    ledger: Ledger
    release: Callable[[], None]


def try_open_writer(url: str, clock: Clock) -> WriterHold | None:
    """The ledger behind `url` if this process wins the writer election now, else None.

    Never waits for a live writer: PostgreSQL tries the journal's advisory lock, SQLite a lock
    file beside the database (storage/writer_lock.py).
    """
    if is_postgres(url):
        try:
            journal = PostgresJournal(url, wait_for_owner=False)
        except JournalOwned:
            return None
        # Closing the ledger unlocks.
        return WriterHold(_pinned(url, Ledger(journal, clock)), lambda: None)
    lock = SqliteWriterLock(sqlite_path(url))
    if not lock.try_acquire():
        return None
    try:
        ledger = open_ledger(url, clock=clock)
    except BaseException:
        lock.release()
        raise
    return WriterHold(ledger, lock.release)


def open_tables(url: str, application_name: str) -> Tables:
    """A table store's connection to the database behind a `sqlite:///PATH` or
    `postgresql://` URL; `application_name` names it on the PostgreSQL server."""
    if is_postgres(url):
        return PostgresSqlTables(url, application_name)
    return SqliteTables(sqlite_path_or_refuse(url))


def is_postgres(url: str) -> bool:
    return urlparse(url).scheme in POSTGRES_SCHEMES


def sqlite_path_or_refuse(url: str) -> Path:
    if urlparse(url).scheme != "sqlite":
        raise _unknown_scheme(url)
    return sqlite_path(url)

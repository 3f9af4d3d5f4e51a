"""Choosing a backend from a database URL: only the outer layers (CLI, API) call this."""

from __future__ import annotations

import os
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path
from urllib.parse import ParseResult, urlparse

from colony.kernel.clock import Clock, SystemClock
from colony.kernel.errors import InvalidInput
from colony.ledger.archive import ArchivePolicy
from colony.ledger.checkpoint import CheckpointPolicy
from colony.ledger.service import Ledger
from colony.ledger.store import JournalOwned
from colony.storage.currency_pins import check_and_pin
from colony.storage.ledger_archive import SqlHistoryArchive
from colony.storage.postgres_databases import POSTGRES_SCHEMES
from colony.storage.postgres_journal import PostgresJournal, redacted
from colony.storage.sqlite_journal import SqliteJournal
from colony.storage.tables import PostgresSqlTables, SqliteTables, Tables
from colony.storage.writer_lock import SqliteWriterLock

DEFAULT_DATABASE_URL = "sqlite:///var/colony.db"
# When the ledger writes checkpoints while serving (docs/adr/0027): after this many events,
# or after this many seconds with a new entry (0: never). Unset: every
# PERIODIC_CHECKPOINT_EVENTS events or PERIODIC_CHECKPOINT_S seconds while posted history is
# on disk, so a crash replays at most that much of the journal (docs/adr/0117); never when
# all history stays in memory (a checkpoint then grows with history, and so does its pause).
CHECKPOINT_EVENTS_ENV = "COLONY_LEDGER_CHECKPOINT_EVERY_EVENTS"
CHECKPOINT_SECONDS_ENV = "COLONY_LEDGER_CHECKPOINT_EVERY_S"
PERIODIC_CHECKPOINT_EVENTS = 5_000_000
PERIODIC_CHECKPOINT_S = 120.0
# How many of the newest transfers the ledger keeps in memory, older history going to disk
# (ledger/archive.py, docs/adr/0036). Unset: DEFAULT_WINDOW_TRANSFERS; "all": every transfer
# stays in memory, as before the archive (memory then grows with history).
WINDOW_ENV = "COLONY_LEDGER_WINDOW_TRANSFERS"
DEFAULT_WINDOW_TRANSFERS = 250_000
ALL_IN_MEMORY = "all"


def database_url_from_env(explicit: str | None) -> str:
    return explicit or os.environ.get("COLONY_DATABASE_URL") or DEFAULT_DATABASE_URL


def parse_database_url(url: str) -> ParseResult:
    """`url` in its parts; one that cannot be split (`postgresql://[::1/x`) is InvalidInput.
    The URL is not repeated: unsplit, its password cannot be redacted."""
    try:
        return urlparse(url)
    except ValueError as exc:
        raise InvalidInput(f"the database URL is malformed: {exc}") from None


def sqlite_path(url: str) -> Path:
    """The file behind a `sqlite:///relative/path.db` or `sqlite:////absolute/path.db` URL."""
    parsed = parse_database_url(url)
    if parsed.scheme != "sqlite":
        raise InvalidInput(f"not a sqlite URL (sqlite:///PATH): {redacted(url)!r}")
    if parsed.netloc:
        raise InvalidInput(f"sqlite URL must look like sqlite:///path/to/file.db, not {url!r}")
    if parsed.query or parsed.fragment:
        # SQLite's own URI parameters (?mode=ro) are not Colony's: refused, where they were
        # dropped, and `mode=ro` opened the file to write all the same.
        raise InvalidInput(f"sqlite URL takes no ?parameters or #fragment: {url!r}")
    path = parsed.path[1:] if parsed.path.startswith("/") else parsed.path
    if not path:
        raise InvalidInput(f"sqlite URL names no file: {url!r}")
    return Path(path)


def open_journal(url: str, *, synchronous: str = "FULL") -> SqliteJournal | PostgresJournal:
    """The ledger's journal behind a `sqlite:///PATH` or `postgresql://...` URL.

    `synchronous` is SQLite's setting; on PostgreSQL commits are always durable
    (`synchronous_commit = on`), so any other value is refused there.
    """
    scheme = parse_database_url(url).scheme
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
        f"unknown database URL scheme {parse_database_url(url).scheme!r} in {redacted(url)!r}: "
        "use sqlite:///PATH or postgresql://USER@HOST/DATABASE"
    )


def open_ledger(
    url: str,
    *,
    clock: Clock | None = None,
    synchronous: str = "FULL",
    auto_pulse: bool = True,
    checkpoints: CheckpointPolicy | None = None,
    history: ArchivePolicy | None = None,
) -> Ledger:
    """The ledger on the journal behind `url`, rebuilt in memory from its newest good
    checkpoint and the journal after it (`checkpoints`: when to write them, whether to load
    one), with its older history on disk beside the journal when `history` (or
    `archive_policy_from_env()`) says how much stays in memory; refused when Colony's currency table
    would change the scale of a currency it holds (storage/currency_pins.py)."""
    journal = open_journal(url, synchronous=synchronous)
    return _pinned(
        url, _ledger(url, journal, clock or SystemClock(), auto_pulse, checkpoints, history)
    )


def _ledger(
    url: str,
    journal: SqliteJournal | PostgresJournal,
    clock: Clock,
    auto_pulse: bool = True,
    checkpoints: CheckpointPolicy | None = None,
    history: ArchivePolicy | None = None,
) -> Ledger:
    """The ledger on an open journal (which the ledger owns from here), with its posted
    history on disk when a policy (given, or from the environment) asks for it."""
    archive = None
    try:
        policy = history or archive_policy_from_env()
        checkpoints = checkpoints or checkpoint_policy_from_env(history_on_disk=policy is not None)
        if policy is not None:
            archive = SqlHistoryArchive(
                open_tables(url, "colony-ledger-archive"),
                open_tables(url, "colony-ledger-archive-reads"),
                page_entries=policy.page_entries,
                fan_in=policy.merge_fan_in,
                disjoint_fan_in=policy.merge_fan_in_disjoint,
            )
    except BaseException:
        journal.close()
        raise
    return Ledger(
        journal,
        clock,
        auto_pulse=auto_pulse,
        checkpoints=checkpoints,
        history_archive=archive,
        archive_policy=policy,
    )


def checkpoint_policy_from_env(*, history_on_disk: bool = False) -> CheckpointPolicy:
    """The default checkpoint policy, with its periods from the environment where set:
    periodic by default while posted history is on disk, else only on close and when asked."""
    every_events = _env_number(CHECKPOINT_EVENTS_ENV, "a whole number of events >= 0", int)
    every_s = _env_number(CHECKPOINT_SECONDS_ENV, "a number of seconds >= 0", float)
    default = (
        CheckpointPolicy(every_events=PERIODIC_CHECKPOINT_EVENTS, every_s=PERIODIC_CHECKPOINT_S)
        if history_on_disk
        else CheckpointPolicy()
    )
    return CheckpointPolicy(
        every_events=default.every_events if every_events is None else int(every_events),
        every_s=default.every_s if every_s is None else float(every_s),
    )


def _env_number(name: str, what: str, kind: type[int] | type[float]) -> int | float | None:
    raw = os.environ.get(name)
    if raw is None or not raw.strip():
        return None
    try:
        value = kind(raw)
    except ValueError:
        value = -1
    if not 0 <= value < float("inf"):
        raise InvalidInput(f"{name} must be {what}, not {raw!r}")
    return value


def archive_policy_from_env() -> ArchivePolicy | None:
    """Posted history on disk with COLONY_LEDGER_WINDOW_TRANSFERS newest transfers kept in
    memory (unset: 250,000); None, all history in memory, when it says "all"."""
    if os.environ.get(WINDOW_ENV, "").strip().lower() == ALL_IN_MEMORY:
        return None
    window = _env_number(WINDOW_ENV, 'a whole number of transfers >= 0, or "all"', int)
    return ArchivePolicy.for_window(DEFAULT_WINDOW_TRANSFERS if window is None else int(window))


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
        return WriterHold(_pinned(url, _ledger(url, journal, clock)), lambda: None)
    lock = SqliteWriterLock(sqlite_path(url))
    if not lock.try_acquire():
        return None
    try:
        ledger = open_ledger(url, clock=clock)
    except BaseException:
        lock.release()
        raise
    return WriterHold(ledger, lock.release)


def open_tables(url: str, application_name: str, *, synchronous: str = "FULL") -> Tables:
    """A table store's connection to the database behind a `sqlite:///PATH` or
    `postgresql://` URL; `application_name` names it on the PostgreSQL server.

    `synchronous` is SQLite's setting, as for `open_journal`: only a bulk build that can be
    run again from its start (`colony simulate`, docs/adr/0031) asks for less than FULL; on
    PostgreSQL commits are always durable, so any other value is refused there."""
    if is_postgres(url):
        if synchronous.upper() != "FULL":
            raise InvalidInput(
                f"synchronous={synchronous} is SQLite's; PostgreSQL commits are always durable"
            )
        return PostgresSqlTables(url, application_name)
    return SqliteTables(sqlite_path_or_refuse(url), synchronous=synchronous, name=application_name)


def is_postgres(url: str) -> bool:
    return parse_database_url(url).scheme in POSTGRES_SCHEMES


def sqlite_path_or_refuse(url: str) -> Path:
    if parse_database_url(url).scheme != "sqlite":
        raise _unknown_scheme(url)
    return sqlite_path(url)

"""How every Colony table store opens its SQLite connection: WAL, synchronous=FULL, waits,
and the schema brought up to date (the pending migrations applied)."""

from __future__ import annotations

import contextlib
import errno
import os
import sqlite3
import threading
import time
from collections.abc import Callable, Iterator, Sequence
from pathlib import Path
from typing import TYPE_CHECKING, TypeVar

from colony.kernel import lock_order
from colony.kernel.errors import StorageUnavailable, UnstorableInput
from colony.storage.sqlite_migrate import migrate

if TYPE_CHECKING:
    from colony.kernel.lock_order import AnyLock

T = TypeVar("T")
R = TypeVar("R")

# How long a connection waits for another writer's lock before giving up, in seconds.
busy_timeout_s = 30
# Pause between attempts to switch a new database to WAL while another connection does, in s.
wal_switch_retry_s = 0.01
# What sqlite3 raises binding a value SQLite cannot hold: an integer past 64 bits, a string
# with a lone surrogate (not UTF-8). The input's fault: raised as `UnstorableInput`.
UNSTORABLE_VALUE_ERRORS = (OverflowError, UnicodeEncodeError)
# SQLite's `synchronous` settings a connection may be opened with.
SYNCHRONOUS_SETTINGS = ("FULL", "EXTRA", "NORMAL", "OFF")


def connect(path: Path, synchronous: str = "FULL") -> sqlite3.Connection:
    """A connection in autocommit mode, shared across threads (callers hold their own lock),
    on a database whose schema is up to date."""
    db = open_connection(path, synchronous)
    migrate(db, str(path))
    return db


def create_private(path: Path) -> None:
    """Make `path` an empty file only its owner may read or write, unless it exists.

    A database holds balances, phone numbers and key digests: nobody else on the machine may
    read it. SQLite gives the -wal and -shm files beside it the database file's own mode, so
    making the database 0600 before SQLite first opens it covers them too. An existing file
    keeps the mode its operator gave it."""
    path.parent.mkdir(parents=True, exist_ok=True)
    with contextlib.suppress(FileExistsError):
        os.close(os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600))


def open_connection(path: Path, synchronous: str = "FULL") -> sqlite3.Connection:
    """`connect` without touching the schema; `StorageUnavailable`, naming the file and why,
    when it cannot be opened as a SQLite database (a directory, a path that cannot be made,
    another kind of file)."""
    if synchronous.upper() not in SYNCHRONOUS_SETTINGS:
        raise ValueError(f"synchronous must be one of {SYNCHRONOUS_SETTINGS}, not {synchronous!r}")
    try:
        refuse_a_folder_in_the_way(path)
        create_private(path)
        db = sqlite3.connect(path, isolation_level=None, check_same_thread=False)
        try:
            db.execute(f"PRAGMA busy_timeout = {busy_timeout_s * 1000}")
            _switch_to_wal(db)
            db.execute(f"PRAGMA synchronous = {synchronous}")
        except BaseException:
            db.close()
            raise
    except OSError as exc:
        raise StorageUnavailable(
            f"{path}: cannot open as a SQLite database: {exc.strerror or exc}"
        ) from exc
    except sqlite3.Error as exc:
        raise StorageUnavailable(f"{path}: cannot open as a SQLite database: {exc}") from exc
    return db


def refuse_a_folder_in_the_way(path: Path) -> None:
    """Name what is wrong where SQLite would say only "unable to open database file" (the
    path is a folder) and `mkdir` "File exists" (a file stands where a folder must be)."""
    if path.is_dir():
        raise IsADirectoryError(errno.EISDIR, "it is a directory")
    closest = next(p for p in path.parents if p.exists())
    if not closest.is_dir():
        raise NotADirectoryError(errno.ENOTDIR, f"{closest} is not a directory")


def _switch_to_wal(db: sqlite3.Connection) -> None:
    """WAL mode, which lasts in the file once set. Two connections switching a new file at the
    same moment (workers starting together) can deadlock on the lock upgrade, and SQLite then
    answers "database is locked" at once instead of waiting: try again until the busy timeout."""
    deadline = time.monotonic() + busy_timeout_s
    while True:
        try:
            mode = db.execute("PRAGMA journal_mode = WAL").fetchone()[0]
        except sqlite3.OperationalError as exc:
            if "locked" not in str(exc) or time.monotonic() > deadline:
                raise
            time.sleep(wal_switch_retry_s)
            continue
        if str(mode).lower() != "wal":  # an in-memory or read-only database, say
            raise StorageUnavailable(f"SQLite refused WAL mode (got {mode!r})")
        return


_write_gates: dict[Path, AnyLock] = {}
_write_gates_lock = threading.Lock()


def write_gate(path: Path) -> AnyLock:
    """The one lock this process's writers to `path` take around a write transaction.

    The ledger's journal and the table stores share one database file, and SQLite lets one
    writer in at a time. Left to SQLite, a writer that finds the lock taken sleeps in steps
    of up to 25-100 ms before trying again, which became the API's latency tail. Waiting on
    this lock instead hands the turn over the moment the previous commit ends.
    """
    key = path.resolve()
    with _write_gates_lock:
        gate = _write_gates.get(key)
        if gate is None:
            gate = _write_gates[key] = lock_order.lock("sqlite write gate", lock_order.GATE_RANK)
        return gate


@contextlib.contextmanager
def immediate(
    db: sqlite3.Connection, db_lock: AnyLock, gate: AnyLock
) -> Iterator[sqlite3.Connection]:
    """One write transaction on `db`, holding the store's lock on `db` and the file's write
    gate: committed at the block's end, else rolled back (unless SQLite rolled it back
    itself, after an I/O error or a full disk: a second ROLLBACK's error would hide the
    first), a value the database cannot hold raised as `UnstorableInput`."""
    with db_lock, gate:
        db.execute("BEGIN IMMEDIATE")
        try:
            yield db
            db.execute("COMMIT")
        except BaseException as exc:
            if db.in_transaction:
                db.execute("ROLLBACK")
            unstorable(exc)
            raise


def immediate_transaction(
    db: sqlite3.Connection,
    db_lock: AnyLock,
    gate: AnyLock,
    write: Callable[[sqlite3.Connection, Sequence[T]], Sequence[R]],
) -> Callable[[Sequence[T]], Sequence[R]]:
    """`write` run in one `immediate` transaction on `db` (a group commit's `commit`)."""

    def commit(items: Sequence[T]) -> Sequence[R]:
        with immediate(db, db_lock, gate):
            return write(db, items)

    return commit


def unstorable(exc: BaseException | None) -> None:
    """Raise `UnstorableInput` from `exc` if it says a value could not be stored; else
    return, for the caller to raise `exc` as it is."""
    if isinstance(exc, UNSTORABLE_VALUE_ERRORS):
        raise UnstorableInput(str(exc)) from exc

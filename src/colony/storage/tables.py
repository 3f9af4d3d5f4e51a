"""One way for a table store to talk to either backend, so each store is written once.

A store's SQL is written once, with `?` placeholders and the syntax both SQLite (3.35+) and
PostgreSQL accept (`INSERT ... ON CONFLICT DO NOTHING`, `RETURNING`, `excluded.`); `Tables`
runs it on the backend behind the URL. A store asks for:

- `session()`: its connection under its lock, each statement committed on its own;
- `transaction()`: several statements that commit together or not at all;
- `in_transaction(write)`: a group commit's `commit` (storage/group_commit.py), `write` run
  in one transaction.

The backends keep what they must do differently: SQLite takes the file's write gate around a
write transaction (sqlite_connection.py says why), PostgreSQL reconnects after a dropped
connection and reports database errors as `StorageUnavailable` (postgres_connection.py).
On both, a value the database cannot hold raises `UnstorableInput`, the input's fault.
"""

from __future__ import annotations

import functools
from collections.abc import Callable, Iterator, Sequence
from contextlib import AbstractContextManager, contextmanager
from pathlib import Path
from typing import TYPE_CHECKING, Any, Protocol, TypeVar, cast

from colony.kernel import lock_order
from colony.storage.postgres_connection import Connection, PostgresTables
from colony.storage.sqlite_connection import (
    connect,
    immediate,
    immediate_transaction,
    unstorable,
    write_gate,
)

if TYPE_CHECKING:
    from colony.kernel.lock_order import AnyLock

T = TypeVar("T")
R = TypeVar("R")


class Cursor(Protocol):
    @property
    def rowcount(self) -> int: ...

    def fetchone(self) -> Any: ...

    def fetchall(self) -> list[Any]: ...


class Session(Protocol):
    """A store's connection for the length of a `with`: statements with `?` placeholders."""

    def execute(self, sql: str, args: Sequence[object] = ()) -> Cursor: ...

    def executemany(self, sql: str, rows: Sequence[Sequence[object]]) -> None: ...


class Tables(Protocol):
    label: str  # the database, for messages (a PostgreSQL password is never in it)
    # "sqlite" or "postgresql", for the rare statement that is better written per backend
    # (a bulk insert through PostgreSQL's unnest, say); everything else is written once.
    backend: str

    def session(self) -> AbstractContextManager[Session]: ...

    def transaction(self) -> AbstractContextManager[Session]: ...

    def write(self) -> AbstractContextManager[Session]:
        """A session for a write outside a group commit: on SQLite a transaction under the
        file's write gate, so the write waits its turn behind the journal's and the group
        commits' there rather than in SQLite's busy sleeps of up to 100 ms
        (sqlite_connection.write_gate; a festival's quotes and top-ups waited up to 160 ms
        there, docs/adr/0105); on PostgreSQL a session, each statement in autocommit a
        transaction already, without a BEGIN and a COMMIT round trip more. So a block of
        several statements must not count on their being one transaction."""
        ...

    def in_transaction(
        self, write: Callable[[Session, Sequence[T]], Sequence[R]]
    ) -> Callable[[Sequence[T]], Sequence[R]]: ...

    def close(self) -> None: ...


class SqliteTables:
    """A store's SQLite connection: one per store, shared by its request threads."""

    backend = "sqlite"

    def __init__(self, path: Path, *, synchronous: str = "FULL", name: str) -> None:
        """`name`: the store's (its PostgreSQL application name), which names its lock."""
        self.label = str(path)
        self._db = connect(path, synchronous)
        # One connection, many request threads; taken before the file's write gate, never
        # while holding it (kernel/lock_order.py).
        self._lock = lock_order.lock(f"store {name}", lock_order.STORE_RANK)
        self._gate = write_gate(path)
        # sqlite3 takes `?` as it is: the connection is the session, with nothing between.
        self._session = cast(Session, self._db)
        self._locked = _Locked(self._lock, self._session)

    def session(self) -> AbstractContextManager[Session]:
        # A plain lock-and-hand-over object, not a generator: every request's reads pass here.
        return self._locked

    def transaction(self) -> AbstractContextManager[Session]:
        # The connection is the session (above).
        return cast(AbstractContextManager[Session], immediate(self._db, self._lock, self._gate))

    def write(self) -> AbstractContextManager[Session]:
        return self.transaction()

    def in_transaction(
        self, write: Callable[[Session, Sequence[T]], Sequence[R]]
    ) -> Callable[[Sequence[T]], Sequence[R]]:
        session = self._session
        return immediate_transaction(
            self._db, self._lock, self._gate, lambda _, items: write(session, items)
        )

    def close(self) -> None:
        # Under the lock: a statement another thread is running ends before the connection
        # does (closing under it crashed the process); one started after gets sqlite3's
        # "closed database" error.
        with self._lock:
            self._db.close()


class PostgresSqlTables:
    """A store's PostgreSQL connection (postgres_connection.PostgresTables) taking `?`."""

    backend = "postgresql"

    def __init__(self, url: str, application_name: str) -> None:
        self._tables = PostgresTables(url, application_name)
        self.label = self._tables.label

    @contextmanager
    def session(self) -> Iterator[Session]:
        with self._tables.session() as conn:
            yield _PostgresSession(conn)

    @contextmanager
    def transaction(self) -> Iterator[Session]:
        with self._tables.session() as conn, conn.transaction():
            yield _PostgresSession(conn)

    def write(self) -> AbstractContextManager[Session]:
        return self.session()

    def in_transaction(
        self, write: Callable[[Session, Sequence[T]], Sequence[R]]
    ) -> Callable[[Sequence[T]], Sequence[R]]:
        return self._tables.in_transaction(lambda conn, items: write(_PostgresSession(conn), items))

    def close(self) -> None:
        self._tables.close()


class _Locked:
    """`with` it: the lock is held and the session handed over until the block ends."""

    __slots__ = ("_lock", "_session")

    def __init__(self, lock: AnyLock, session: Session) -> None:
        self._lock = lock
        self._session = session

    def __enter__(self) -> Session:
        self._lock.acquire()
        return self._session

    def __exit__(self, kind: object, exc: BaseException | None, trace: object) -> None:
        self._lock.release()
        unstorable(exc)


class _PostgresSession:
    def __init__(self, conn: Connection) -> None:
        self._conn = conn

    def execute(self, sql: str, args: Sequence[object] = ()) -> Cursor:
        return self._conn.execute(_pyformat(sql), args)

    def executemany(self, sql: str, rows: Sequence[Sequence[object]]) -> None:
        with self._conn.cursor() as cursor:
            cursor.executemany(_pyformat(sql), rows)


@functools.lru_cache(maxsize=1_024)
def _pyformat(sql: str) -> str:
    """`?` placeholders as psycopg's `%s`; a literal `%` doubled so psycopg keeps it."""
    return sql.replace("%", "%%").replace("?", "%s")

"""How every Colony table store holds its PostgreSQL connection: durable commits, one lock.

A store keeps one connection in autocommit mode (a single statement is its own transaction;
several go inside `conn.transaction()`), with `synchronous_commit = on`, and serialises its
request threads with a lock as the SQLite stores do. When the connection drops, the call that
was using it raises `StorageUnavailable` (its effect may or may not have landed, as with any
lost commit) and the next call connects afresh. A value the database cannot hold (a NUL in
text, an integer past BIGINT, a lone surrogate) is the input's fault, not the database's:
it raises `UnstorableInput`, and the transaction holding it rolls back.
"""

from __future__ import annotations

from collections.abc import Callable, Iterator, Sequence
from contextlib import contextmanager
from typing import TypeVar

import psycopg

from colony.kernel import lock_order
from colony.kernel.errors import StorageUnavailable, UnstorableInput
from colony.storage.postgres_journal import connect_timeout_s, redacted
from colony.storage.postgres_migrate import migrate

Connection = psycopg.Connection[tuple[object, ...]]
T = TypeVar("T")
R = TypeVar("R")


class PostgresTables:
    """One store's connection to `url`, on a database whose schema is up to date."""

    def __init__(self, url: str, application_name: str) -> None:
        self.url = url
        self.label = redacted(url)
        self._application_name = application_name
        self._lock = lock_order.lock(f"store {application_name}", lock_order.STORE_RANK)
        self._conn: Connection | None = None
        with self._lock:
            self._live()

    def _live(self) -> Connection:
        if self._conn is not None and not (self._conn.closed or self._conn.broken):
            return self._conn
        if self._conn is not None:
            self._conn.close()
            self._conn = None
        try:
            conn = psycopg.connect(
                self.url,
                autocommit=True,
                connect_timeout=connect_timeout_s,
                application_name=self._application_name,
            )
        except psycopg.Error as exc:
            raise StorageUnavailable(f"{self.label}: cannot connect: {exc}") from exc
        try:
            # Said explicitly: a commit returns only once its WAL is flushed to disk.
            conn.execute("SET synchronous_commit = on")
            migrate(conn, self.label)
        except psycopg.Error as exc:
            conn.close()
            raise StorageUnavailable(f"{self.label}: opening the tables failed: {exc}") from exc
        except BaseException:
            conn.close()
            raise
        self._conn = conn
        return conn

    @contextmanager
    def session(self) -> Iterator[Connection]:
        """The live connection, held under the lock; a value the database cannot hold
        becomes `UnstorableInput`, any other database error `StorageUnavailable` (callers
        catch the refusals they expect inside)."""
        with self._lock:
            conn = self._live()
            try:
                yield conn
            except (psycopg.DataError, UnicodeEncodeError) as exc:
                raise UnstorableInput(f"{self.label}: {exc}") from exc
            except psycopg.Error as exc:
                raise StorageUnavailable(f"{self.label}: {exc}") from exc

    def in_transaction(
        self, write: Callable[[Connection, Sequence[T]], Sequence[R]]
    ) -> Callable[[Sequence[T]], Sequence[R]]:
        """`write` run in one transaction on this connection (a group commit's `commit`)."""

        def commit(items: Sequence[T]) -> Sequence[R]:
            with self.session() as conn, conn.transaction():
                return write(conn, items)

        return commit

    def close(self) -> None:
        with self._lock:
            if self._conn is not None:
                self._conn.close()
                self._conn = None

"""Making and dropping whole PostgreSQL databases, for benchmarks and tests needing a fresh one."""

from __future__ import annotations

import contextlib
import re
import secrets
from collections.abc import Iterator
from typing import Any
from urllib.parse import urlparse

import psycopg
from psycopg import sql

from colony.kernel.errors import StorageUnavailable
from colony.storage.postgres_journal import connect_timeout_s, redacted

POSTGRES_SCHEMES = ("postgresql", "postgres")


def is_postgres_url(url: str) -> bool:
    return urlparse(url).scheme in POSTGRES_SCHEMES


def create_fresh_database(
    server_url: str, prefix: str, *, template: str | None = None, now_s: float
) -> tuple[str, str]:
    """A new database on the server of `server_url`: its URL and its name. Empty, or a copy
    of the database named `template` (which nobody may be connected to meanwhile).

    The name is `prefix`, the second it was made (`now_s`) and random hex, so it never names
    anyone's data, and one left behind by a process that was killed can be told old
    (`drop_stale_databases`).
    """
    name = f"{prefix}_{int(now_s)}_{secrets.token_hex(6)}"
    create = sql.SQL("CREATE DATABASE {}").format(sql.Identifier(name))
    if template is not None:
        create += sql.SQL(" TEMPLATE {}").format(sql.Identifier(template))
    _run_on_server(server_url, create)
    return database_url(server_url, name), name


def database_url(server_url: str, name: str) -> str:
    """`server_url` naming the database `name` instead of its own."""
    return urlparse(server_url)._replace(path=f"/{name}").geturl()


def close_to_connections(server_url: str, name: str) -> None:
    """Refuse new sessions on the database `name` (a template: copying it needs it unused, and
    the server's own maintenance then stays out of it too)."""
    _run_on_server(
        server_url,
        sql.SQL("ALTER DATABASE {} WITH ALLOW_CONNECTIONS false").format(sql.Identifier(name)),
    )


def drop_database(server_url: str, name: str) -> None:
    """Drop a database made by `create_fresh_database`, ending any session still on it."""
    _run_on_server(
        server_url, sql.SQL("DROP DATABASE IF EXISTS {} WITH (FORCE)").format(sql.Identifier(name))
    )


def drop_stale_databases(server_url: str, prefix: str, older_than_s: int, now_s: float) -> int:
    """Drop the databases `create_fresh_database` made with `prefix` more than
    `older_than_s` seconds before `now_s` (left by a process killed before it dropped them);
    how many. Only names of exactly that shape are touched."""
    shape = re.compile(rf"{re.escape(prefix)}_(\d+)_[0-9a-f]{{12}}")
    with _on_server(server_url) as conn:
        names = [row[0] for row in conn.execute("SELECT datname FROM pg_database")]
    stale = [
        name
        for name in names
        if (made := shape.fullmatch(name)) and int(made[1]) < now_s - older_than_s
    ]
    for name in stale:
        drop_database(server_url, name)
    return len(stale)


def _run_on_server(server_url: str, statement: sql.Composed) -> None:
    with _on_server(server_url) as conn:
        conn.execute(statement)


@contextlib.contextmanager
def _on_server(server_url: str) -> Iterator[psycopg.Connection[tuple[Any, ...]]]:
    """An autocommit connection to the server; its failure is storage unavailable, named
    without the URL's password."""
    try:
        with psycopg.connect(
            server_url, autocommit=True, connect_timeout=connect_timeout_s
        ) as conn:
            yield conn
    except psycopg.Error as exc:
        raise StorageUnavailable(f"{redacted(server_url)}: {exc}") from exc

"""Making and dropping whole PostgreSQL databases, for benchmarks and tests needing a fresh one."""

from __future__ import annotations

import secrets
from urllib.parse import urlparse

import psycopg
from psycopg import sql

from colony.kernel.errors import StorageUnavailable
from colony.storage.postgres_journal import connect_timeout_s, redacted

POSTGRES_SCHEMES = ("postgresql", "postgres")


def is_postgres_url(url: str) -> bool:
    return urlparse(url).scheme in POSTGRES_SCHEMES


def create_fresh_database(server_url: str, prefix: str) -> tuple[str, str]:
    """A new, empty database on the server of `server_url`: its URL and its name.

    The name is `prefix` with random hex after it, so it never names anyone's data.
    """
    name = f"{prefix}_{secrets.token_hex(6)}"
    _run_on_server(server_url, sql.SQL("CREATE DATABASE {}").format(sql.Identifier(name)))
    return urlparse(server_url)._replace(path=f"/{name}").geturl(), name


def drop_database(server_url: str, name: str) -> None:
    """Drop a database made by `create_fresh_database`, ending any session still on it."""
    _run_on_server(
        server_url, sql.SQL("DROP DATABASE IF EXISTS {} WITH (FORCE)").format(sql.Identifier(name))
    )


def _run_on_server(server_url: str, statement: sql.Composed) -> None:
    try:
        with psycopg.connect(
            server_url, autocommit=True, connect_timeout=connect_timeout_s
        ) as conn:
            conn.execute(statement)
    except psycopg.Error as exc:
        raise StorageUnavailable(f"{redacted(server_url)}: {exc}") from exc

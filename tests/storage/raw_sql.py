"""Plain SQL on a test database behind either backend's URL, beside Colony's own code."""

from __future__ import annotations

import sqlite3
from contextlib import closing

import psycopg

from colony.storage.open import is_postgres, sqlite_path


def execute(url: str, script: str) -> None:
    """Run `script` (one or more statements) outside any store, committed."""
    if is_postgres(url):
        with psycopg.connect(url, autocommit=True) as conn:
            conn.execute(script.encode())
    else:
        with closing(sqlite3.connect(sqlite_path(url), isolation_level=None)) as db:
            db.executescript(script)


def rows(url: str, query: str) -> list[tuple[object, ...]]:
    if is_postgres(url):
        with psycopg.connect(url) as conn:
            return conn.execute(query.encode()).fetchall()
    with closing(sqlite3.connect(sqlite_path(url))) as db:
        return db.execute(query).fetchall()

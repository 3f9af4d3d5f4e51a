"""Test databases on the PostgreSQL server emptied and used again, rather than dropped and
copied anew for every test.

Copying the migrated template takes 0.26-0.38 s of the server's CPU and dropping the copy
0.01-0.15 s more, for each of the suite's PostgreSQL tests (564 of them): minutes of a
2-core machine. After a test its database is taken back and emptied instead, in 50-70 ms
(measured while a test run shared the machine), when it can be told that nothing but rows
changed:

- every other session on it is ended, and it is renamed (which PostgreSQL refuses while
  anyone is connected), so nothing a test left running can reach it under its old name;
- its schema, triggers, functions and recorded migrations are compared with the template's
  (one digest of the catalogue): a test that changed any of them gets its database dropped;
- then every table but the migrations' record is emptied, with the append-only triggers held
  off for that transaction alone (`session_replication_role`, as the server's superuser may),
  and every sequence set back to where the template has it.

Anything else (it could not be ended, renamed, compared or emptied) drops it, as before.
"""

from __future__ import annotations

import secrets
import time
from collections.abc import Iterator
from contextlib import closing, contextmanager
from typing import cast

import psycopg
from psycopg import sql

from colony.storage.postgres_databases import database_url, drop_database

# How long to wait for the sessions a test left to end, in seconds.
sessions_end_timeout_s = 5.0
# Pause between looks at whether they have, in seconds.
sessions_end_poll_s = 0.01

_USER_NAMESPACES = (
    "SELECT oid FROM pg_namespace WHERE nspname NOT IN ('pg_catalog', 'information_schema')"
    " AND nspname NOT LIKE 'pg_toast%' AND nspname NOT LIKE 'pg_temp%'"
)
# What a test could change beyond rows: relations, columns, constraints, indexes, triggers
# (and whether they are enabled), functions, the migrations recorded, the database's settings.
_SCHEMA_DIGEST = f"""
SELECT md5(string_agg(item, E'\\n' ORDER BY item)) FROM (
  SELECT 'r ' || c.oid::regclass::text || ' ' || c.relkind::text FROM pg_class c
    WHERE c.relnamespace IN ({_USER_NAMESPACES})
  UNION ALL
  SELECT 'a ' || a.attrelid::regclass::text || '.' || a.attname || ' '
      || format_type(a.atttypid, a.atttypmod) || ' ' || a.attnotnull || ' '
      || coalesce(pg_get_expr(d.adbin, d.adrelid), '')
    FROM pg_attribute a JOIN pg_class c ON c.oid = a.attrelid
    LEFT JOIN pg_attrdef d ON d.adrelid = a.attrelid AND d.adnum = a.attnum
    WHERE a.attnum > 0 AND NOT a.attisdropped AND c.relnamespace IN ({_USER_NAMESPACES})
  UNION ALL
  SELECT 'k ' || conname || ' ' || pg_get_constraintdef(oid) FROM pg_constraint
    WHERE connamespace IN ({_USER_NAMESPACES})
  UNION ALL
  SELECT 'i ' || pg_get_indexdef(i.indexrelid) FROM pg_index i JOIN pg_class c
    ON c.oid = i.indexrelid WHERE c.relnamespace IN ({_USER_NAMESPACES})
  UNION ALL
  SELECT 't ' || tgrelid::regclass::text || ' ' || tgname || ' ' || tgenabled::text FROM pg_trigger
    WHERE NOT tgisinternal
  UNION ALL
  SELECT 'f ' || p.oid::regprocedure::text || ' ' || md5(p.prosrc) FROM pg_proc p
    WHERE p.pronamespace IN ({_USER_NAMESPACES})
  UNION ALL
  SELECT 'm ' || package || ' ' || version || ' ' || checksum FROM schema_migrations
  UNION ALL
  SELECT 's ' || array_to_string(setconfig, ' ') FROM pg_db_role_setting
    WHERE setdatabase = (SELECT oid FROM pg_database WHERE datname = current_database())
) AS catalogue (item)
"""
_TABLES = (
    "SELECT quote_ident(schemaname) || '.' || quote_ident(tablename) FROM pg_tables"
    " WHERE schemaname NOT IN ('pg_catalog', 'information_schema')"
    " AND tablename <> 'schema_migrations' ORDER BY 1"
)
_SEQUENCES = (
    "SELECT quote_ident(schemaname) || '.' || quote_ident(sequencename), start_value,"
    " last_value FROM pg_sequences ORDER BY 1"
)
_OTHER_SESSIONS = "SELECT pid FROM pg_stat_activity WHERE datname = %s AND pid <> pg_backend_pid()"

# A sequence's name, start and last value (None: never taken from).
Sequence = tuple[str, int, int | None]
# The template's digest and sequences, read once from its first copy (before any test).
_template_state: dict[str, object] = {}


def noted() -> bool:
    return "digest" in _template_state


def note_template(server_url: str, name: str) -> None:
    """Read what a copy of the template is like, before a test touches it."""
    if "digest" in _template_state:
        return
    with _connected(database_url(server_url, name)) as conn:
        _template_state["digest"] = _digest(conn)
        _template_state["sequences"] = conn.execute(_SEQUENCES).fetchall()


def fresh_name(now_s: float) -> str:
    """A name for a test database as `create_fresh_database` gives (told stale by its age)."""
    return f"colony_test_{int(now_s)}_{secrets.token_hex(6)}"


def emptied(server_url: str, name: str, fresh: str) -> str | None:
    """The database `name` after a test, emptied and renamed `fresh`: that name; or None, and
    it is dropped, when it cannot be told that only rows changed."""
    now: str | None = name
    if "digest" in _template_state:
        try:
            now = _renamed(server_url, name, fresh)
            if now is not None and _only_rows_changed(database_url(server_url, now)):
                return now
        except psycopg.Error:
            pass
    drop_database(server_url, now or name)
    return None


def _renamed(server_url: str, name: str, fresh: str) -> str | None:
    """`name` renamed `fresh` once no session is left on it (None: sessions stayed)."""
    with _connected(server_url) as server:
        if not _sessions_ended(server, name):
            return None
        rename = sql.SQL("ALTER DATABASE {} RENAME TO {}")
        server.execute(rename.format(sql.Identifier(name), sql.Identifier(fresh)))
    return fresh


def _only_rows_changed(url: str) -> bool:
    """Whether the schema is the template's; if so, its rows are emptied and its sequences
    set back."""
    with _connected(url) as conn:
        if _digest(conn) != _template_state["digest"]:
            return False
        tables = [str(row[0]) for row in conn.execute(_TABLES)]
        with conn.transaction():
            conn.execute("SET LOCAL session_replication_role = replica")
            for table in tables:
                conn.execute(sql.SQL("DELETE FROM {}").format(sql.SQL(table)))
            for sequence, start, last in cast(list[Sequence], _template_state["sequences"]):
                called = last is not None
                conn.execute(
                    "SELECT setval(%s::regclass, %s, %s)",
                    (sequence, last if called else start, called),
                )
    return True


def _sessions_ended(server: psycopg.Connection[tuple[object, ...]], name: str) -> bool:
    for (pid,) in server.execute(_OTHER_SESSIONS, (name,)).fetchall():
        server.execute("SELECT pg_terminate_backend(%s)", (pid,))
    deadline = time.monotonic() + sessions_end_timeout_s
    while server.execute(_OTHER_SESSIONS, (name,)).fetchone() is not None:
        if time.monotonic() > deadline:
            return False
        time.sleep(sessions_end_poll_s)
    return True


def _digest(conn: psycopg.Connection[tuple[object, ...]]) -> str:
    row = conn.execute(_SCHEMA_DIGEST).fetchone()
    assert row is not None
    return str(row[0])


@contextmanager
def _connected(url: str) -> Iterator[psycopg.Connection[tuple[object, ...]]]:
    with closing(psycopg.connect(url, autocommit=True, connect_timeout=5)) as conn:
        yield conn

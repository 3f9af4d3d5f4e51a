"""Fresh PostgreSQL databases carry the second they were made, so those a killed process
left behind are told old and dropped, and nothing of any other name is touched."""

from __future__ import annotations

import time

import psycopg

from colony.storage.postgres_databases import (
    create_fresh_database,
    drop_database,
    drop_stale_databases,
)
from tests.conftest import postgres_server_url

HOUR_S = 3600


def _names(server: str) -> set[str]:
    with psycopg.connect(server, autocommit=True) as conn:
        return {row[0] for row in conn.execute("SELECT datname FROM pg_database")}


def test_databases_left_behind_are_dropped_once_stale_and_no_others() -> None:
    server = postgres_server_url()
    now = time.time()
    _, old = create_fresh_database(server, "colony_probe", now_s=now - 7 * HOUR_S)
    _, new = create_fresh_database(server, "colony_probe", now_s=now)
    _, other = create_fresh_database(server, "colony_probe_kept", now_s=now - 7 * HOUR_S)
    try:
        assert old.startswith(f"colony_probe_{int(now) - 7 * HOUR_S}_")
        assert drop_stale_databases(server, "colony_probe", 6 * HOUR_S, now) == 1
        names = _names(server)
        assert old not in names and {new, other} <= names
        assert drop_stale_databases(server, "colony_probe", 6 * HOUR_S, now) == 0
    finally:
        for name in (old, new, other):
            drop_database(server, name)

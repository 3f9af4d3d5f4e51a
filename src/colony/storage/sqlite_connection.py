"""How every Colony table store opens its SQLite connection: WAL, synchronous=FULL, waits."""

from __future__ import annotations

import sqlite3
from pathlib import Path

# How long a connection waits for another writer's lock before giving up, in seconds.
busy_timeout_s = 30


def connect(path: Path, schema: str, synchronous: str = "FULL") -> sqlite3.Connection:
    """A connection in autocommit mode, shared across threads (callers hold their own lock)."""
    path.parent.mkdir(parents=True, exist_ok=True)
    db = sqlite3.connect(path, isolation_level=None, check_same_thread=False)
    db.execute(f"PRAGMA busy_timeout = {busy_timeout_s * 1000}")
    db.execute("PRAGMA journal_mode = WAL")
    db.execute(f"PRAGMA synchronous = {synchronous}")
    db.executescript(schema)
    return db

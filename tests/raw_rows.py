"""What a database holds, read beside Colony's stores on a connection of its own: for tests
that check a column as stored (sealed secrets, say), not as a store answers for it."""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

from colony.storage.open import open_tables


def stored_value(url: str, sql: str, args: Sequence[object]) -> Any:
    """The first column of the one row `sql` finds (closed whatever happens)."""
    tables = open_tables(url, "colony-test-raw")
    try:
        with tables.session() as db:
            (value,) = db.execute(sql, args).fetchone()
    finally:
        tables.close()
    return value

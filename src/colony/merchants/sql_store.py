"""Merchant records, on either backend (tables.py).

A merchant's record never changes once written, and every payment reads its merchant's: the
records read are kept in memory.
"""

from __future__ import annotations

from colony.merchants.model import Merchant
from colony.merchants.rows import (
    MERCHANT_COLUMNS,
    merchant_cache_entries_max,
    merchant_of,
    merchant_row,
)
from colony.storage.open import open_tables
from colony.storage.record_cache import RecordCache
from colony.storage.tables import Tables


class SqlMerchantStore:
    def __init__(self, tables: Tables) -> None:
        self._tables = tables
        self._known: RecordCache[str, Merchant] = RecordCache(merchant_cache_entries_max)

    def insert(self, m: Merchant) -> None:
        """Raises on an id already stored: merchant ids are drawn at random, never reused."""
        with self._tables.write() as db:
            db.execute(
                f"INSERT INTO merchants ({MERCHANT_COLUMNS})"
                " VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)",
                merchant_row(m),
            )

    def by_id(self, merchant_id: str) -> Merchant | None:
        known = self._known.get(merchant_id)
        if known is not None:
            return known
        with self._tables.session() as db:
            row = db.execute(
                f"SELECT {MERCHANT_COLUMNS} FROM merchants WHERE id = ?", (merchant_id,)
            ).fetchone()
        if row is None:
            return None
        found = merchant_of(row)
        self._known.keep(merchant_id, found)
        return found

    def page(self, starting_after: str | None, limit: int) -> list[Merchant]:
        with self._tables.session() as db:
            rows = db.execute(
                f"SELECT {MERCHANT_COLUMNS} FROM merchants WHERE id > ? ORDER BY id LIMIT ?",
                (starting_after or "", limit),
            ).fetchall()
        return [merchant_of(row) for row in rows]

    def named(self, text: str, limit: int) -> list[Merchant]:
        # A scan of the table: the console's occasional search, never a payment's path.
        escaped = text.lower().replace("\\", "\\\\").replace("%", "\\%").replace("_", "\\_")
        pattern = f"%{escaped}%"
        with self._tables.session() as db:
            rows = db.execute(
                f"SELECT {MERCHANT_COLUMNS} FROM merchants WHERE LOWER(legal_name) LIKE ?"
                " ESCAPE '\\' OR LOWER(display_name) LIKE ? ESCAPE '\\' ORDER BY id LIMIT ?",
                (pattern, pattern, limit),
            ).fetchall()
        return [merchant_of(row) for row in rows]

    def close(self) -> None:
        self._tables.close()


def open_merchant_store(url: str, *, synchronous: str = "FULL") -> SqlMerchantStore:
    """Merchant records behind a `sqlite:///PATH` or `postgresql://` URL."""
    return SqlMerchantStore(open_tables(url, "colony-merchants", synchronous=synchronous))

"""Merchant records, on either backend (tables.py).

A merchant's record never changes once written, and every payment reads its merchant's: the
records read are kept in memory. Whether a merchant is suspended is kept apart, in memory
where one process makes every suspension (storage/marked_ids.py, docs/adr/0114).
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from typing import Any

from colony.kernel.one_keeper import Route
from colony.merchants.model import Merchant, MerchantSuspension
from colony.merchants.rows import (
    MERCHANT_COLUMNS,
    merchant_cache_entries_max,
    merchant_of,
    merchant_row,
)
from colony.storage.marked_ids import MarkedIds
from colony.storage.open import open_tables
from colony.storage.record_cache import RecordCache
from colony.storage.tables import Tables

# The changes the keeping process makes for every worker (OneKeeper), by call name.
SUSPEND_CALL = "merchant_suspend"
REINSTATE_CALL = "merchant_reinstate"


class SqlMerchantStore:
    def __init__(self, tables: Tables, *, alone: bool = False) -> None:
        """`alone`: this process is the only one that suspends or reinstates merchants on
        the database, so it may answer `is_suspended` from memory (as wallet freezes)."""
        self._tables = tables
        self._known: RecordCache[str, Merchant] = RecordCache(merchant_cache_entries_max)
        self._suspensions = MarkedIds(
            tables, "merchant_suspensions", "merchant_id", "suspended_at_ns", alone=alone
        )

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

    def suspend(self, suspension: MerchantSuspension) -> bool:
        made = suspension.merchant_id, suspension.reason, suspension.suspended_at_ns
        return self._suspensions.mark(SUSPEND_CALL, *made)

    def reinstate(self, merchant_id: str) -> bool:
        return self._suspensions.unmark(REINSTATE_CALL, merchant_id)

    def is_suspended(self, merchant_id: str) -> bool:
        return self._suspensions.is_marked(merchant_id)

    def suspension_of(self, merchant_id: str) -> MerchantSuspension | None:
        found = self._suspensions.mark_of(merchant_id)
        return None if found is None else MerchantSuspension(merchant_id, *found)

    def suspensions(
        self, limit: int, after: tuple[int, str] | None = None
    ) -> list[MerchantSuspension]:
        return [MerchantSuspension(*mark) for mark in self._suspensions.newest(limit, after)]

    def changes_made_here(self) -> Mapping[str, Callable[..., Any]]:
        marks = self._suspensions
        return {SUSPEND_CALL: marks.mark_here, REINSTATE_CALL: marks.unmark_here}

    def make_changes_via(self, route: Route) -> None:
        self._suspensions.make_changes_via(route)

    def keep_in_memory(self) -> Callable[[], None]:
        """Answer `is_suspended` from memory until the function returned is called; the
        writer's duty among workers (docs/adr/0099)."""
        return self._suspensions.keep_in_memory()

    def close(self) -> None:
        self._tables.close()


def open_merchant_store(
    url: str, *, synchronous: str = "FULL", alone: bool = False
) -> SqlMerchantStore:
    """Merchant records behind a `sqlite:///PATH` or `postgresql://` URL; `alone` as the
    store's."""
    return SqlMerchantStore(
        open_tables(url, "colony-merchants", synchronous=synchronous), alone=alone
    )

"""Merchant records in SQLite (the same file as the ledger journal, their own table).

A merchant's record never changes once written, and every payment reads its merchant's: the
records read are kept in memory.
"""

from __future__ import annotations

import threading
from pathlib import Path

from colony.merchants.model import Merchant
from colony.storage.sqlite_connection import connect

# Merchant records kept in memory; past it, all are dropped.
merchant_cache_entries_max = 100_000


class SqliteMerchantStore:
    def __init__(self, path: Path) -> None:
        self._db = connect(path)
        self._lock = threading.Lock()
        self._known: dict[str, Merchant] = {}

    def insert(self, m: Merchant) -> None:
        row = (
            m.id,
            m.legal_name,
            m.display_name,
            m.mcc,
            m.country,
            m.city,
            m.currency,
            m.ledger,
            m.discount_bps,
            str(m.account_id),
            m.created_at_ns,
        )
        with self._lock:
            self._db.execute("INSERT INTO merchants VALUES (?,?,?,?,?,?,?,?,?,?,?)", row)

    def by_id(self, merchant_id: str) -> Merchant | None:
        known = self._known.get(merchant_id)
        if known is not None:
            return known
        with self._lock:
            row = self._db.execute(
                "SELECT * FROM merchants WHERE id = ?", (merchant_id,)
            ).fetchone()
        if row is None:
            return None
        (mid, legal, display, mcc, country, city, currency, ledger, bps, account_id, created) = row
        found = Merchant(
            mid, legal, display, mcc, country, city, currency, ledger, bps, int(account_id), created
        )
        if len(self._known) >= merchant_cache_entries_max:
            self._known.clear()
        self._known[merchant_id] = found
        return found

    def close(self) -> None:
        self._db.close()

"""Merchant records in SQLite (the same file as the ledger journal, their own table)."""

from __future__ import annotations

import threading
from pathlib import Path

from colony.merchants.model import Merchant
from colony.storage.sqlite_connection import connect

_SCHEMA = """
CREATE TABLE IF NOT EXISTS merchants (
    id TEXT PRIMARY KEY,
    legal_name TEXT NOT NULL,
    display_name TEXT NOT NULL,
    mcc TEXT NOT NULL,
    country TEXT NOT NULL,
    city TEXT NOT NULL,
    currency TEXT NOT NULL,
    ledger INTEGER NOT NULL,
    discount_bps INTEGER NOT NULL,
    account_id TEXT NOT NULL,  -- u128 as decimal text
    created_at_ns INTEGER NOT NULL
);
"""


class SqliteMerchantStore:
    def __init__(self, path: Path) -> None:
        self._db = connect(path, _SCHEMA)
        self._lock = threading.Lock()

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
        with self._lock:
            row = self._db.execute(
                "SELECT * FROM merchants WHERE id = ?", (merchant_id,)
            ).fetchone()
        if row is None:
            return None
        (mid, legal, display, mcc, country, city, currency, ledger, bps, account_id, created) = row
        return Merchant(
            mid, legal, display, mcc, country, city, currency, ledger, bps, int(account_id), created
        )

    def close(self) -> None:
        self._db.close()

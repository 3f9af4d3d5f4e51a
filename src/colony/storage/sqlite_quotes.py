"""FX quotes in SQLite (beside the ledger journal).

Using a quote is one UPDATE that succeeds only while the quote is unused and unexpired;
SQLite applies it atomically for every connection and process on the file, so one payment
alone gets a quote.
"""

from __future__ import annotations

import sqlite3
import threading
from pathlib import Path

from colony.fx.quotes import Quote
from colony.storage.quote_rows import QUOTE_COLUMNS, quote_of, quote_row
from colony.storage.sqlite_connection import connect


class SqliteQuoteStore:
    def __init__(self, path: Path) -> None:
        self._db = connect(path)
        self._lock = threading.Lock()  # one connection, many request threads

    def add(self, quote: Quote) -> bool:
        with self._lock:
            try:
                self._db.execute(
                    f"INSERT INTO fx_quotes ({QUOTE_COLUMNS}) VALUES ({', '.join('?' * 15)})",
                    quote_row(quote),
                )
            except sqlite3.IntegrityError:
                return False
        return True

    def get(self, quote_id: str) -> Quote | None:
        with self._lock:
            row = self._db.execute(
                f"SELECT {QUOTE_COLUMNS} FROM fx_quotes WHERE id = ?", (quote_id,)
            ).fetchone()
        return quote_of(tuple(row)) if row else None

    def mark_used(self, quote_id: str, used_by: str, now_ns: int) -> bool:
        with self._lock:
            changed = self._db.execute(
                "UPDATE fx_quotes SET used_by = ?, used_at_ns = ?"
                " WHERE id = ? AND used_by IS NULL AND expires_at_ns > ?",
                (used_by, now_ns, quote_id, now_ns),
            ).rowcount
        return changed == 1

    def close(self) -> None:
        self._db.close()

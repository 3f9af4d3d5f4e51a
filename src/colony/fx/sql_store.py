"""FX quotes, on either backend (tables.py).

Using a quote is one UPDATE that succeeds only while the quote is unused and unexpired, so one
payment alone gets a quote. SQLite applies it atomically for every connection and process on
the file; on PostgreSQL, when two sessions race, the second waits for the first to commit,
finds the row used (`used_by IS NULL` no longer holds) and changes nothing.
"""

from __future__ import annotations

from colony.fx.quotes import Quote
from colony.fx.rows import QUOTE_COLUMNS, quote_of, quote_row
from colony.storage.open import open_tables
from colony.storage.tables import Tables


class SqlQuoteStore:
    def __init__(self, tables: Tables) -> None:
        self._tables = tables

    def add(self, quote: Quote) -> bool:
        """False when the id is taken."""
        with self._tables.write() as db:
            inserted = db.execute(
                f"INSERT INTO fx_quotes ({QUOTE_COLUMNS}) VALUES ({', '.join('?' * 15)})"
                " ON CONFLICT (id) DO NOTHING",
                quote_row(quote),
            ).rowcount
        return inserted == 1

    def get(self, quote_id: str) -> Quote | None:
        with self._tables.session() as db:
            row = db.execute(
                f"SELECT {QUOTE_COLUMNS} FROM fx_quotes WHERE id = ?", (quote_id,)
            ).fetchone()
        return quote_of(row) if row else None

    def recent(self, before_id: str | None, limit: int) -> list[Quote]:
        # Ids compare byte by byte on both backends ("g" sorts after every hex digit).
        with self._tables.session() as db:
            rows = db.execute(
                f"SELECT {QUOTE_COLUMNS} FROM fx_quotes WHERE id < ? ORDER BY id DESC LIMIT ?",
                (before_id or "fxq_g", limit),
            ).fetchall()
        return [quote_of(r) for r in rows]

    def mark_used(self, quote_id: str, used_by: str, now_ns: int) -> bool:
        with self._tables.write() as db:
            changed = db.execute(
                "UPDATE fx_quotes SET used_by = ?, used_at_ns = ?"
                " WHERE id = ? AND used_by IS NULL AND expires_at_ns > ?",
                (used_by, now_ns, quote_id, now_ns),
            ).rowcount
        return changed == 1

    def close(self) -> None:
        self._tables.close()


def open_quote_store(url: str, *, synchronous: str = "FULL") -> SqlQuoteStore:
    """FX quotes behind a `sqlite:///PATH` or `postgresql://` URL."""
    return SqlQuoteStore(open_tables(url, "colony-fx-quotes", synchronous=synchronous))

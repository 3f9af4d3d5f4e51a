"""FX quotes in PostgreSQL, the twin of `sqlite_quotes.py`.

Using a quote is one UPDATE guarded by `used_by IS NULL`: when two sessions race, the second
waits for the first to commit, finds the row used and changes nothing.
"""

from __future__ import annotations

from colony.fx.quotes import Quote
from colony.storage.postgres_connection import PostgresTables
from colony.storage.quote_rows import QUOTE_COLUMNS, quote_of, quote_row


class PostgresQuoteStore:
    def __init__(self, url: str) -> None:
        self._tables = PostgresTables(url, "colony-fx-quotes")

    def add(self, quote: Quote) -> bool:
        with self._tables.session() as conn:
            inserted = conn.execute(
                f"INSERT INTO fx_quotes ({QUOTE_COLUMNS}) VALUES ({', '.join(['%s'] * 15)})"
                " ON CONFLICT (id) DO NOTHING",
                quote_row(quote),
            ).rowcount
        return inserted == 1

    def get(self, quote_id: str) -> Quote | None:
        with self._tables.session() as conn:
            row = conn.execute(
                f"SELECT {QUOTE_COLUMNS} FROM fx_quotes WHERE id = %s", (quote_id,)
            ).fetchone()
        return quote_of(row) if row else None

    def mark_used(self, quote_id: str, used_by: str, now_ns: int) -> bool:
        with self._tables.session() as conn:
            changed = conn.execute(
                "UPDATE fx_quotes SET used_by = %s, used_at_ns = %s"
                " WHERE id = %s AND used_by IS NULL AND expires_at_ns > %s",
                (used_by, now_ns, quote_id, now_ns),
            ).rowcount
        return changed == 1

    def close(self) -> None:
        self._tables.close()

"""Causes, on either backend (storage/tables.py)."""

from __future__ import annotations

from colony.donations.model import Cause
from colony.donations.rows import CAUSE_COLUMNS, cause_of, cause_row
from colony.storage.open import open_tables
from colony.storage.tables import Tables


class SqlCauseStore:
    def __init__(self, tables: Tables) -> None:
        self._tables = tables

    def insert(self, cause: Cause) -> None:
        """Raises on an id already stored: cause ids are drawn at random, never reused."""
        with self._tables.write() as db:
            db.execute(
                f"INSERT INTO causes ({CAUSE_COLUMNS}) VALUES (?, ?, ?, ?, ?, ?)", cause_row(cause)
            )

    def by_id(self, cause_id: str) -> Cause | None:
        with self._tables.session() as db:
            row = db.execute(
                f"SELECT {CAUSE_COLUMNS} FROM causes WHERE id = ?", (cause_id,)
            ).fetchone()
        return None if row is None else cause_of(row)

    def all(self) -> list[Cause]:
        with self._tables.session() as db:
            rows = db.execute(
                f"SELECT {CAUSE_COLUMNS} FROM causes ORDER BY created_at_ns, id"
            ).fetchall()
        return [cause_of(row) for row in rows]

    def close(self) -> None:
        self._tables.close()


def open_cause_store(url: str) -> SqlCauseStore:
    """Causes behind a `sqlite:///PATH` or `postgresql://` URL."""
    return SqlCauseStore(open_tables(url, "colony-donations"))

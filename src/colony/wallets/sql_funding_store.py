"""Funding partners and their top-ups and withdrawals, on either backend (tables.py), beside
the ledger journal."""

from __future__ import annotations

from colony.storage.open import open_tables
from colony.storage.tables import Tables
from colony.wallets.funding import FundingMovement, FundingPartner
from colony.wallets.funding_rows import (
    MOVEMENT_COLUMNS,
    PARTNER_COLUMNS,
    movement_of,
    movement_row,
    partner_of,
    partner_row,
)


class SqlFundingStore:
    def __init__(self, tables: Tables) -> None:
        self._tables = tables

    def add_partner(self, partner: FundingPartner) -> bool:
        return self._insert(
            f"INSERT INTO funding_partners ({PARTNER_COLUMNS}) VALUES (?, ?, ?, ?)"
            " ON CONFLICT DO NOTHING",
            partner_row(partner),
        )

    def partner(self, name: str, currency: str) -> FundingPartner | None:
        with self._tables.session() as db:
            row = db.execute(
                f"SELECT {PARTNER_COLUMNS} FROM funding_partners WHERE name = ? AND currency = ?",
                (name, currency),
            ).fetchone()
        return partner_of(row) if row else None

    def partners(self, currency: str | None = None) -> list[FundingPartner]:
        where, args = ("WHERE currency = ?", (currency,)) if currency else ("", ())
        with self._tables.session() as db:
            rows = db.execute(
                f"SELECT {PARTNER_COLUMNS} FROM funding_partners {where} ORDER BY name, currency",
                args,
            ).fetchall()
        return [partner_of(r) for r in rows]

    def add_movement(self, m: FundingMovement) -> bool:
        return self._insert(
            f"INSERT INTO funding_movements ({MOVEMENT_COLUMNS})"
            " VALUES (?, ?, ?, ?, ?, ?, ?, ?) ON CONFLICT DO NOTHING",
            movement_row(m),
        )

    def movement(self, movement_id: str) -> FundingMovement | None:
        with self._tables.session() as db:
            row = db.execute(
                f"SELECT {MOVEMENT_COLUMNS} FROM funding_movements WHERE id = ?", (movement_id,)
            ).fetchone()
        if row is None:
            return None
        return movement_of(row)

    def remove_movement(self, movement_id: str) -> None:
        with self._tables.write() as db:
            db.execute("DELETE FROM funding_movements WHERE id = ?", (movement_id,))

    def close(self) -> None:
        self._tables.close()

    def _insert(self, sql: str, row: tuple[object, ...]) -> bool:
        """True when the row went in; False when its key is taken (the insert did nothing)."""
        with self._tables.write() as db:
            inserted = db.execute(sql, row).rowcount
        return inserted == 1


def open_funding_store(url: str, *, synchronous: str = "FULL") -> SqlFundingStore:
    """Funding partners and movements behind a `sqlite:///PATH` or `postgresql://` URL."""
    return SqlFundingStore(open_tables(url, "colony-funding", synchronous=synchronous))

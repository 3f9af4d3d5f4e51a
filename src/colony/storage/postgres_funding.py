"""Funding partners and their top-ups and withdrawals in PostgreSQL (twin of sqlite_funding)."""

from __future__ import annotations

from colony.storage.funding_rows import (
    MOVEMENT_COLUMNS,
    PARTNER_COLUMNS,
    movement_of,
    movement_row,
    partner_of,
    partner_row,
)
from colony.storage.postgres_connection import PostgresTables
from colony.wallets.funding import FundingMovement, FundingPartner


class PostgresFundingStore:
    def __init__(self, url: str) -> None:
        self._tables = PostgresTables(url, "colony-funding")

    def add_partner(self, partner: FundingPartner) -> bool:
        row = partner_row(partner)
        with self._tables.session() as conn:
            inserted = conn.execute(
                f"INSERT INTO funding_partners ({PARTNER_COLUMNS}) VALUES (%s, %s, %s, %s)"
                " ON CONFLICT DO NOTHING",
                row,
            ).rowcount
        return inserted == 1

    def partner(self, name: str, currency: str) -> FundingPartner | None:
        with self._tables.session() as conn:
            row = conn.execute(
                f"SELECT {PARTNER_COLUMNS} FROM funding_partners WHERE name = %s AND currency = %s",
                (name, currency),
            ).fetchone()
        return partner_of(row) if row else None

    def partners(self, currency: str | None = None) -> list[FundingPartner]:
        with self._tables.session() as conn:
            if currency:
                rows = conn.execute(
                    f"SELECT {PARTNER_COLUMNS} FROM funding_partners WHERE currency = %s"
                    " ORDER BY name, currency",
                    (currency,),
                ).fetchall()
            else:
                rows = conn.execute(
                    f"SELECT {PARTNER_COLUMNS} FROM funding_partners ORDER BY name, currency"
                ).fetchall()
        return [partner_of(r) for r in rows]

    def add_movement(self, m: FundingMovement) -> bool:
        row = movement_row(m)
        with self._tables.session() as conn:
            inserted = conn.execute(
                f"INSERT INTO funding_movements ({MOVEMENT_COLUMNS})"
                " VALUES (%s, %s, %s, %s, %s, %s, %s, %s) ON CONFLICT DO NOTHING",
                row,
            ).rowcount
        return inserted == 1

    def movement(self, movement_id: str) -> FundingMovement | None:
        with self._tables.session() as conn:
            row = conn.execute(
                f"SELECT {MOVEMENT_COLUMNS} FROM funding_movements WHERE id = %s", (movement_id,)
            ).fetchone()
        if row is None:
            return None
        return movement_of(row)

    def remove_movement(self, movement_id: str) -> None:
        with self._tables.session() as conn:
            conn.execute("DELETE FROM funding_movements WHERE id = %s", (movement_id,))

    def close(self) -> None:
        self._tables.close()

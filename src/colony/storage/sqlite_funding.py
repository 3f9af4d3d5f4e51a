"""Funding partners and their top-ups and withdrawals in SQLite (beside the ledger journal)."""

from __future__ import annotations

import sqlite3
import threading
from pathlib import Path

from colony.storage.funding_rows import (
    MOVEMENT_COLUMNS,
    PARTNER_COLUMNS,
    movement_of,
    movement_row,
    partner_of,
    partner_row,
)
from colony.storage.sqlite_connection import connect
from colony.wallets.funding import FundingMovement, FundingPartner


class SqliteFundingStore:
    def __init__(self, path: Path) -> None:
        self._db = connect(path)
        self._lock = threading.Lock()  # one connection, many request threads

    def add_partner(self, partner: FundingPartner) -> bool:
        row = partner_row(partner)
        return self._insert(
            f"INSERT INTO funding_partners ({PARTNER_COLUMNS}) VALUES (?,?,?,?)", row
        )

    def partner(self, name: str, currency: str) -> FundingPartner | None:
        with self._lock:
            row = self._db.execute(
                f"SELECT {PARTNER_COLUMNS} FROM funding_partners WHERE name = ? AND currency = ?",
                (name, currency),
            ).fetchone()
        return partner_of(row) if row else None

    def partners(self, currency: str | None = None) -> list[FundingPartner]:
        where, args = ("WHERE currency = ?", (currency,)) if currency else ("", ())
        with self._lock:
            rows = self._db.execute(
                f"SELECT {PARTNER_COLUMNS} FROM funding_partners {where} ORDER BY name, currency",
                args,
            ).fetchall()
        return [partner_of(r) for r in rows]

    def add_movement(self, m: FundingMovement) -> bool:
        row = movement_row(m)
        return self._insert(
            f"INSERT INTO funding_movements ({MOVEMENT_COLUMNS}) VALUES (?,?,?,?,?,?,?,?)", row
        )

    def movement(self, movement_id: str) -> FundingMovement | None:
        with self._lock:
            row = self._db.execute(
                f"SELECT {MOVEMENT_COLUMNS} FROM funding_movements WHERE id = ?", (movement_id,)
            ).fetchone()
        if row is None:
            return None
        return movement_of(row)

    def remove_movement(self, movement_id: str) -> None:
        with self._lock:
            self._db.execute("DELETE FROM funding_movements WHERE id = ?", (movement_id,))

    def close(self) -> None:
        self._db.close()

    def _insert(self, sql: str, row: tuple[object, ...]) -> bool:
        with self._lock:
            try:
                self._db.execute(sql, row)
            except sqlite3.IntegrityError:
                return False
        return True

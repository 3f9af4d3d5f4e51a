"""Wallet records in SQLite (the same file as the ledger journal, their own tables); records
read are kept in memory (wallet_rows.py says why that is safe)."""

from __future__ import annotations

import sqlite3
import threading
from pathlib import Path

from colony.storage.sqlite_connection import connect
from colony.storage.wallet_rows import WALLET_COLUMNS, WalletCache, wallet_of, wallet_row
from colony.wallets.model import Tier, Wallet


class SqliteWalletStore:
    def __init__(self, path: Path) -> None:
        self._db = connect(path)
        self._lock = threading.Lock()  # one connection, many request threads
        self._cache = WalletCache()

    def insert(self, wallet: Wallet) -> bool:
        with self._lock:
            try:
                self._db.execute(
                    f"INSERT INTO wallets ({WALLET_COLUMNS}) VALUES (?,?,?,?,?,?,?,?)",
                    wallet_row(wallet),
                )
            except sqlite3.IntegrityError:
                return False
        return True

    def by_phone(self, phone: str, currency: str) -> Wallet | None:
        found = self._cache.by_phone(phone, currency)
        return (
            found
            if found is not None
            else self._one("phone = ? AND currency = ?", (phone, currency))
        )

    def by_id(self, wallet_id: str) -> Wallet | None:
        found = self._cache.by_id(wallet_id)
        return found if found is not None else self._one("id = ?", (wallet_id,))

    def set_tier(self, wallet_id: str, tier: Tier) -> None:
        with self._lock:
            self._db.execute("UPDATE wallets SET tier = ? WHERE id = ?", (int(tier), wallet_id))
            self._cache.forget(wallet_id)

    def all(self, after_id: str, limit: int) -> list[Wallet]:
        with self._lock:
            rows = self._db.execute(
                f"SELECT {WALLET_COLUMNS} FROM wallets WHERE id > ? ORDER BY id LIMIT ?",
                (after_id, limit),
            ).fetchall()
        return [wallet_of(r) for r in rows]

    def close(self) -> None:
        self._db.close()

    def _one(self, where: str, args: tuple[str, ...]) -> Wallet | None:
        with self._lock:
            row = self._db.execute(
                f"SELECT {WALLET_COLUMNS} FROM wallets WHERE {where}", args
            ).fetchone()
            if row is None:
                return None
            wallet = wallet_of(row)
            # Kept under the lock, so a tier set meanwhile cannot be overwritten by an older read.
            self._cache.keep(wallet)
        return wallet

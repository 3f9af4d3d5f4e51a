"""Wallet records in PostgreSQL (twin of sqlite_wallets); records read are kept in memory
(wallet_rows.py says why that is safe)."""

from __future__ import annotations

from colony.storage.postgres_connection import PostgresTables
from colony.storage.wallet_rows import WALLET_COLUMNS, WalletCache, wallet_of, wallet_row
from colony.wallets.model import Tier, Wallet


# Ids are compared and ordered byte by byte (COLLATE "C"), as SQLite does, so a page of
# `all` after an id holds the same wallets on both backends.
class PostgresWalletStore:
    def __init__(self, url: str) -> None:
        self._tables = PostgresTables(url, "colony-wallets")
        self._cache = WalletCache()

    def insert(self, wallet: Wallet) -> bool:
        """False when the id, or the phone number in that currency, is taken."""
        with self._tables.session() as conn:
            inserted = conn.execute(
                f"INSERT INTO wallets ({WALLET_COLUMNS})"
                " VALUES (%s, %s, %s, %s, %s, %s, %s, %s) ON CONFLICT DO NOTHING",
                wallet_row(wallet),
            ).rowcount
        return inserted == 1

    def by_phone(self, phone: str, currency: str) -> Wallet | None:
        found = self._cache.by_phone(phone, currency)
        return (
            found
            if found is not None
            else self._one("phone = %s AND currency = %s", (phone, currency))
        )

    def by_id(self, wallet_id: str) -> Wallet | None:
        found = self._cache.by_id(wallet_id)
        return found if found is not None else self._one("id = %s", (wallet_id,))

    def set_tier(self, wallet_id: str, tier: Tier) -> None:
        with self._tables.session() as conn:
            conn.execute("UPDATE wallets SET tier = %s WHERE id = %s", (int(tier), wallet_id))
            self._cache.forget(wallet_id)

    def all(self, after_id: str, limit: int) -> list[Wallet]:
        with self._tables.session() as conn:
            rows = conn.execute(
                f"SELECT {WALLET_COLUMNS} FROM wallets WHERE id > %s ORDER BY id LIMIT %s",
                (after_id, limit),
            ).fetchall()
        return [wallet_of(r) for r in rows]

    def close(self) -> None:
        self._tables.close()

    def _one(self, where: str, args: tuple[str, ...]) -> Wallet | None:
        with self._tables.session() as conn:
            row = conn.execute(
                f"SELECT {WALLET_COLUMNS} FROM wallets WHERE {where}", args
            ).fetchone()
            if row is None:
                return None
            wallet = wallet_of(row)
            # Kept under the lock, so a tier set meanwhile cannot be overwritten by an older read.
            self._cache.keep(wallet)
        return wallet

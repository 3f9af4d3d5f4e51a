"""Wallet records, on either backend (tables.py); records read are kept in memory
(rows.py says why that is safe)."""

from __future__ import annotations

from colony.storage.open import open_tables
from colony.storage.tables import Tables
from colony.wallets.model import Tier, Wallet, WalletFreeze
from colony.wallets.rows import WALLET_COLUMNS, WalletCache, wallet_of, wallet_row


# Ids are compared and ordered byte by byte (COLLATE "C" on PostgreSQL, as SQLite does), so a
# page of `all` after an id holds the same wallets on both backends.
class SqlWalletStore:
    def __init__(self, tables: Tables) -> None:
        self._tables = tables
        self._cache = WalletCache()

    def insert(self, wallet: Wallet) -> bool:
        """False when the id, or the phone number in that currency, is taken."""
        with self._tables.session() as db:
            inserted = db.execute(
                f"INSERT INTO wallets ({WALLET_COLUMNS})"
                " VALUES (?, ?, ?, ?, ?, ?, ?, ?) ON CONFLICT DO NOTHING",
                wallet_row(wallet),
            ).rowcount
        return inserted == 1

    def by_phone(self, phone: str, currency: str) -> Wallet | None:
        found = self._cache.by_phone(phone, currency)
        if found is not None:
            return found
        return self._one("phone = ? AND currency = ?", (phone, currency))

    def by_id(self, wallet_id: str) -> Wallet | None:
        found = self._cache.by_id(wallet_id)
        return found if found is not None else self._one("id = ?", (wallet_id,))

    def of_phone(self, phone: str) -> list[Wallet]:
        with self._tables.session() as db:
            rows = db.execute(
                f"SELECT {WALLET_COLUMNS} FROM wallets WHERE phone = ? ORDER BY created_at_ns, id",
                (phone,),
            ).fetchall()
        return [wallet_of(r) for r in rows]

    def set_tier(self, wallet_id: str, tier: Tier) -> None:
        with self._tables.session() as db:
            db.execute("UPDATE wallets SET tier = ? WHERE id = ?", (int(tier), wallet_id))
            self._cache.forget(wallet_id)

    def all(self, after_id: str, limit: int) -> list[Wallet]:
        with self._tables.session() as db:
            rows = db.execute(
                f"SELECT {WALLET_COLUMNS} FROM wallets WHERE id > ? ORDER BY id LIMIT ?",
                (after_id, limit),
            ).fetchall()
        return [wallet_of(r) for r in rows]

    def freeze(self, freeze: WalletFreeze) -> bool:
        with self._tables.session() as db:
            return (
                db.execute(
                    "INSERT INTO wallet_freezes (wallet_id, reason, frozen_at_ns)"
                    " VALUES (?, ?, ?) ON CONFLICT DO NOTHING",
                    (freeze.wallet_id, freeze.reason, freeze.frozen_at_ns),
                ).rowcount
                == 1
            )

    def unfreeze(self, wallet_id: str) -> bool:
        with self._tables.session() as db:
            deleted = db.execute("DELETE FROM wallet_freezes WHERE wallet_id = ?", (wallet_id,))
            return deleted.rowcount == 1

    def freeze_of(self, wallet_id: str) -> WalletFreeze | None:
        with self._tables.session() as db:
            row = db.execute(
                "SELECT wallet_id, reason, frozen_at_ns FROM wallet_freezes WHERE wallet_id = ?",
                (wallet_id,),
            ).fetchone()
        return None if row is None else WalletFreeze(str(row[0]), str(row[1]), int(str(row[2])))

    def close(self) -> None:
        self._tables.close()

    def _one(self, where: str, args: tuple[str, ...]) -> Wallet | None:
        with self._tables.session() as db:
            row = db.execute(f"SELECT {WALLET_COLUMNS} FROM wallets WHERE {where}", args).fetchone()
            if row is None:
                return None
            wallet = wallet_of(row)
            # Kept under the lock, so a tier set meanwhile cannot be overwritten by an older read.
            self._cache.keep(wallet)
        return wallet


def open_wallet_store(url: str, *, synchronous: str = "FULL") -> SqlWalletStore:
    """Wallet records behind a `sqlite:///PATH` or `postgresql://` URL."""
    return SqlWalletStore(open_tables(url, "colony-wallets", synchronous=synchronous))

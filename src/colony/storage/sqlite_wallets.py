"""Wallet records in SQLite (the same file as the ledger journal, their own tables).

Every payment reads its payer's record twice (by token, by phone), so records read are kept
in memory. A record changes only by `set_tier`, which forgets it: the process holding the
ledger's single writer is the only one changing wallets (identity verification moves money).
"""

from __future__ import annotations

import sqlite3
import threading
from pathlib import Path

from colony.storage.sqlite_connection import connect
from colony.wallets.model import Tier, Wallet

# Wallet records kept in memory for each lookup, by id and by phone; past it, all are dropped.
wallet_cache_entries_max = 100_000

_COLUMNS = "id, phone, name, currency, ledger, tier, account_id, created_at_ns"


class SqliteWalletStore:
    def __init__(self, path: Path) -> None:
        self._db = connect(path)
        self._lock = threading.Lock()  # one connection, many request threads
        self._by_id: dict[str, Wallet] = {}
        self._by_phone: dict[tuple[str, str], Wallet] = {}

    def insert(self, wallet: Wallet) -> bool:
        row = (
            wallet.id,
            wallet.phone,
            wallet.name,
            wallet.currency,
            wallet.ledger,
            int(wallet.tier),
            str(wallet.account_id),
            wallet.created_at_ns,
        )
        with self._lock:
            try:
                self._db.execute(f"INSERT INTO wallets ({_COLUMNS}) VALUES (?,?,?,?,?,?,?,?)", row)
            except sqlite3.IntegrityError:
                return False
        return True

    def by_phone(self, phone: str, currency: str) -> Wallet | None:
        found = self._by_phone.get((phone, currency))
        return (
            found
            if found is not None
            else self._one("phone = ? AND currency = ?", (phone, currency))
        )

    def by_id(self, wallet_id: str) -> Wallet | None:
        found = self._by_id.get(wallet_id)
        return found if found is not None else self._one("id = ?", (wallet_id,))

    def set_tier(self, wallet_id: str, tier: Tier) -> None:
        with self._lock:
            self._db.execute("UPDATE wallets SET tier = ? WHERE id = ?", (int(tier), wallet_id))
            cached = self._by_id.pop(wallet_id, None)
            if cached is not None:
                self._by_phone.pop((cached.phone, cached.currency), None)

    def all(self, after_id: str, limit: int) -> list[Wallet]:
        with self._lock:
            rows = self._db.execute(
                f"SELECT {_COLUMNS} FROM wallets WHERE id > ? ORDER BY id LIMIT ?",
                (after_id, limit),
            ).fetchall()
        return [_wallet(r) for r in rows]

    def close(self) -> None:
        self._db.close()

    def _one(self, where: str, args: tuple[str, ...]) -> Wallet | None:
        with self._lock:
            row = self._db.execute(f"SELECT {_COLUMNS} FROM wallets WHERE {where}", args).fetchone()
            if row is None:
                return None
            wallet = _wallet(row)
            # Kept under the lock, so a tier set meanwhile cannot be overwritten by an older read.
            if len(self._by_id) >= wallet_cache_entries_max:
                self._by_id.clear()
                self._by_phone.clear()
            self._by_id[wallet.id] = wallet
            self._by_phone[(wallet.phone, wallet.currency)] = wallet
        return wallet


def _wallet(row: tuple[str, str, str, str, int, int, str, int]) -> Wallet:
    wallet_id, phone, name, currency, ledger, tier, account_id, created = row
    return Wallet(wallet_id, phone, name, currency, ledger, Tier(tier), int(account_id), created)

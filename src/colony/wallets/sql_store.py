"""Wallet records, on either backend (tables.py); records read are kept in memory
(rows.py says why that is safe), and so are the frozen wallets' ids where this process alone
serves the database (docs/adr/0088), or is the ledger's writer among workers that make every
freeze and unfreeze there (docs/adr/0099): storage/marked_ids.py."""

from __future__ import annotations

from collections.abc import Callable, Mapping
from typing import Any

from colony.kernel.one_keeper import Route
from colony.storage.marked_ids import MarkedIds
from colony.storage.open import open_tables
from colony.storage.tables import Tables
from colony.wallets.model import Tier, Wallet, WalletFreeze
from colony.wallets.rows import WALLET_COLUMNS, WalletCache, wallet_of, wallet_row

# The changes the keeping process makes for every worker (OneKeeper), by call name.
FREEZE_CALL = "wallet_freeze"
UNFREEZE_CALL = "wallet_unfreeze"


# Ids are compared and ordered byte by byte (COLLATE "C" on PostgreSQL, as SQLite does), so a
# page of `all` after an id holds the same wallets on both backends.
class SqlWalletStore:
    def __init__(self, tables: Tables, *, alone: bool = False) -> None:
        """`alone`: this process is the only one that freezes or unfreezes wallets on the
        database (`colony serve` with one worker), so it may answer `is_frozen` from memory.
        Among workers, the writer keeps them instead (`keep_in_memory`, a writer duty) and
        every freeze and unfreeze is made there (`make_changes_via`)."""
        self._tables = tables
        self._cache = WalletCache()
        self._freezes = MarkedIds(
            tables, "wallet_freezes", "wallet_id", "frozen_at_ns", alone=alone
        )

    def insert(self, wallet: Wallet) -> bool:
        """False when the id, or the phone number in that currency, is taken."""
        with self._tables.write() as db:
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
        with self._tables.write() as db:
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
        return self._freezes.mark(FREEZE_CALL, freeze.wallet_id, freeze.reason, freeze.frozen_at_ns)

    def unfreeze(self, wallet_id: str) -> bool:
        return self._freezes.unmark(UNFREEZE_CALL, wallet_id)

    def is_frozen(self, wallet_id: str) -> bool:
        return self._freezes.is_marked(wallet_id)

    def changes_made_here(self) -> Mapping[str, Callable[..., Any]]:
        return {FREEZE_CALL: self._freezes.mark_here, UNFREEZE_CALL: self._freezes.unmark_here}

    def make_changes_via(self, route: Route) -> None:
        self._freezes.make_changes_via(route)

    def keep_in_memory(self) -> Callable[[], None]:
        """Answer `is_frozen` from memory from now until the function returned is called;
        the writer's duty among workers (docs/adr/0099)."""
        return self._freezes.keep_in_memory()

    def freeze_of(self, wallet_id: str) -> WalletFreeze | None:
        found = self._freezes.mark_of(wallet_id)
        return None if found is None else WalletFreeze(wallet_id, *found)

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


def open_wallet_store(
    url: str, *, synchronous: str = "FULL", alone: bool = False
) -> SqlWalletStore:
    """Wallet records behind a `sqlite:///PATH` or `postgresql://` URL; `alone`: see
    `SqlWalletStore`."""
    return SqlWalletStore(open_tables(url, "colony-wallets", synchronous=synchronous), alone=alone)

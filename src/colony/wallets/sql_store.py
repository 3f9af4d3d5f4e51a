"""Wallet records, on either backend (tables.py); records read are kept in memory
(rows.py says why that is safe), and so are the frozen wallets' ids where this process alone
serves the database (docs/adr/0088), or is the ledger's writer among workers that make every
freeze and unfreeze there (docs/adr/0099)."""

from __future__ import annotations

from collections.abc import Callable, Mapping
from typing import Any

from colony.kernel.one_keeper import OneKeeper, Route
from colony.storage.open import open_tables
from colony.storage.tables import Tables
from colony.wallets.model import Tier, Wallet, WalletFreeze
from colony.wallets.rows import WALLET_COLUMNS, WalletCache, wallet_of, wallet_row

# Frozen wallets' ids kept in memory (`SqlWalletStore`'s `alone`); past it, none are and every
# payment reads its wallet's freeze from the table, as with several processes.
frozen_ids_kept_max = 100_000
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
        # The frozen wallets' ids, read once when first asked (None: not read yet), then
        # kept in step by `freeze` and `unfreeze` under the keeper's lock, which the read
        # holds too: a freeze committed while they are read is not lost.
        self._frozen: set[str] | None = None
        self._freezes_in_memory = alone  # False past frozen_ids_kept_max, too
        self._keeper = OneKeeper(keeping=alone)

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
        return bool(self._keeper.change(FREEZE_CALL, self.freeze_here, freeze))

    def unfreeze(self, wallet_id: str) -> bool:
        return bool(self._keeper.change(UNFREEZE_CALL, self.unfreeze_here, wallet_id))

    def freeze_here(self, freeze: WalletFreeze) -> bool:
        with self._keeper.changing():
            with self._tables.write() as db:
                made = (
                    db.execute(
                        "INSERT INTO wallet_freezes (wallet_id, reason, frozen_at_ns)"
                        " VALUES (?, ?, ?) ON CONFLICT DO NOTHING",
                        (freeze.wallet_id, freeze.reason, freeze.frozen_at_ns),
                    ).rowcount
                    == 1
                )
            if self._frozen is not None:
                self._frozen.add(freeze.wallet_id)  # committed: from now on it is frozen
                if len(self._frozen) > frozen_ids_kept_max:
                    self._stop_keeping_freezes()
        return made

    def unfreeze_here(self, wallet_id: str) -> bool:
        with self._keeper.changing():
            with self._tables.write() as db:
                deleted = db.execute(
                    "DELETE FROM wallet_freezes WHERE wallet_id = ?", (wallet_id,)
                ).rowcount
            if self._frozen is not None:
                self._frozen.discard(wallet_id)  # committed (a failed one leaves it frozen)
        return deleted == 1

    def is_frozen(self, wallet_id: str) -> bool:
        frozen = self._frozen
        if frozen is None and self._freezes_in_memory:  # not read yet: no lock once it is
            frozen = self._read_frozen()
        if frozen is None:
            return self.freeze_of(wallet_id) is not None
        return wallet_id in frozen

    def _read_frozen(self) -> set[str] | None:
        """The frozen wallets' ids, read now if they are to be kept and were not yet; None
        when they are not kept (another process may freeze, or there are too many)."""
        with self._keeper.lock:
            if self._frozen is None and self._freezes_in_memory:
                with self._tables.session() as db:
                    rows = db.execute(
                        "SELECT wallet_id FROM wallet_freezes LIMIT ?",
                        (frozen_ids_kept_max + 1,),
                    ).fetchall()
                self._frozen = {str(row[0]) for row in rows}
                if len(self._frozen) > frozen_ids_kept_max:
                    self._stop_keeping_freezes()
            return self._frozen

    def _stop_keeping_freezes(self) -> None:
        """Past `frozen_ids_kept_max`: every ask reads the table again (under the lock)."""
        self._frozen = None
        self._freezes_in_memory = False

    def changes_made_here(self) -> Mapping[str, Callable[..., Any]]:
        return {FREEZE_CALL: self.freeze_here, UNFREEZE_CALL: self.unfreeze_here}

    def make_changes_via(self, route: Route) -> None:
        self._keeper.make_changes_via(route)

    def keep_in_memory(self) -> Callable[[], None]:
        """Answer `is_frozen` from memory from now (read afresh when first asked) until the
        function returned is called; the writer's duty among workers (docs/adr/0099)."""

        def start() -> None:
            self._frozen, self._freezes_in_memory = None, True

        def stop() -> None:
            self._frozen, self._freezes_in_memory = None, False

        return self._keeper.keep(start, stop)

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


def open_wallet_store(
    url: str, *, synchronous: str = "FULL", alone: bool = False
) -> SqlWalletStore:
    """Wallet records behind a `sqlite:///PATH` or `postgresql://` URL; `alone`: see
    `SqlWalletStore`."""
    return SqlWalletStore(open_tables(url, "colony-wallets", synchronous=synchronous), alone=alone)

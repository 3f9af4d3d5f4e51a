"""What the wallets context keeps outside the ledger: who owns which wallet, and its tier."""

from __future__ import annotations

from collections.abc import Iterator
from typing import Protocol

from colony.wallets.model import Tier, Wallet, WalletFreeze


class WalletStore(Protocol):
    def insert(self, wallet: Wallet) -> bool:
        """Store a new wallet; False if its phone number already has one in that currency."""
        ...

    def by_phone(self, phone: str, currency: str) -> Wallet | None: ...

    def by_id(self, wallet_id: str) -> Wallet | None: ...

    def of_phone(self, phone: str) -> list[Wallet]:
        """Every wallet of the number, one per currency, oldest first."""

    def set_tier(self, wallet_id: str, tier: Tier) -> None: ...

    def all(self, after_id: str, limit: int) -> list[Wallet]:
        """A page of wallets in id order, for reconciliation."""
        ...

    def freeze(self, freeze: WalletFreeze) -> bool:
        """Keep the freeze; False (and nothing changed) when the wallet is frozen already."""

    def unfreeze(self, wallet_id: str) -> bool:
        """Lift the wallet's freeze; False when it had none."""

    def freeze_of(self, wallet_id: str) -> WalletFreeze | None:
        """The wallet's freeze, read from the table every time (never from a cache): a freeze
        made in one process stops spending in every other at once."""

    def is_frozen(self, wallet_id: str) -> bool:
        """Whether the wallet is frozen: from the table as `freeze_of`, or from memory where
        this process alone freezes and unfreezes wallets (docs/adr/0088)."""


def every_wallet(store: WalletStore, page: int = 1000) -> Iterator[Wallet]:
    after = ""
    while True:
        batch = store.all(after, page)
        if not batch:
            return
        yield from batch
        after = batch[-1].id

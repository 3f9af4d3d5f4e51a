"""How wallet records map to table rows, and the records read kept in memory, on every backend.

Every payment reads its payer's record twice (by token, by phone), so records read are kept
in memory. A record changes only by `set_tier`, which forgets it: the process holding the
ledger's single writer is the only one changing wallets (identity verification moves money).
"""

from __future__ import annotations

from colony.wallets.model import Tier, Wallet

# Wallet records kept in memory for each lookup, by id and by phone; past it, all are dropped.
wallet_cache_entries_max = 100_000

WALLET_COLUMNS = "id, phone, name, currency, ledger, tier, account_id, created_at_ns"


def wallet_row(w: Wallet) -> tuple[object, ...]:
    # The ledger's u128 account id does not fit a 64-bit column: kept as decimal text.
    return (
        w.id,
        w.phone,
        w.name,
        w.currency,
        w.ledger,
        int(w.tier),
        str(w.account_id),
        w.created_at_ns,
    )


def wallet_of(row: tuple[object, ...]) -> Wallet:
    wallet_id, phone, name, currency, ledger, tier, account_id, created = row
    return Wallet(
        str(wallet_id),
        str(phone),
        str(name),
        str(currency),
        int(str(ledger)),
        Tier(int(str(tier))),
        int(str(account_id)),
        int(str(created)),
    )


class WalletCache:
    """Wallet records read, by id and by phone; the store calls it under its own lock."""

    def __init__(self) -> None:
        self._by_id: dict[str, Wallet] = {}
        self._by_phone: dict[tuple[str, str], Wallet] = {}

    def by_id(self, wallet_id: str) -> Wallet | None:
        return self._by_id.get(wallet_id)

    def by_phone(self, phone: str, currency: str) -> Wallet | None:
        return self._by_phone.get((phone, currency))

    def keep(self, wallet: Wallet) -> None:
        if len(self._by_id) >= wallet_cache_entries_max:
            self._by_id.clear()
            self._by_phone.clear()
        self._by_id[wallet.id] = wallet
        self._by_phone[(wallet.phone, wallet.currency)] = wallet

    def forget(self, wallet_id: str) -> None:
        cached = self._by_id.pop(wallet_id, None)
        if cached is not None:
            self._by_phone.pop((cached.phone, cached.currency), None)

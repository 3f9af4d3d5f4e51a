"""The wallet store's contract on each backend: one wallet per phone and currency, lookups by
id and phone, a tier set seen at once, and pages in byte order of id."""

from __future__ import annotations

from dataclasses import replace

from colony.wallets.model import Tier, Wallet
from colony.wallets.sql_store import open_wallet_store
from colony.wallets.store import every_wallet

ALICE = Wallet("wal_a1", "+6591234567", "Alice", "SGD", 702, Tier.phone_only, 2**127 + 1, 5)


def test_one_wallet_per_phone_and_currency(store_url: str) -> None:
    store = open_wallet_store(store_url)
    assert store.insert(ALICE)
    assert not store.insert(replace(ALICE, id="wal_a2"))  # the phone has one in SGD
    assert not store.insert(replace(ALICE, phone="+6500000000"))  # the id is taken
    euro = replace(ALICE, id="wal_a3", currency="EUR", ledger=978)
    assert store.insert(euro)
    assert store.by_phone(ALICE.phone, "SGD") == ALICE
    assert store.by_phone(ALICE.phone, "EUR") == euro
    assert store.by_id("wal_a3") == euro
    assert store.by_phone(ALICE.phone, "USD") is None and store.by_id("wal_none") is None
    store.close()


def test_a_tier_set_is_seen_by_every_lookup_after_a_reopen_too(store_url: str) -> None:
    store = open_wallet_store(store_url)
    assert store.insert(ALICE)
    assert store.by_id(ALICE.id) == ALICE  # now held in memory
    store.set_tier(ALICE.id, Tier.identity_verified)
    for seen in (store.by_id(ALICE.id), store.by_phone(ALICE.phone, "SGD")):
        assert seen is not None and seen.tier is Tier.identity_verified
    store.close()
    reopened = open_wallet_store(store_url)
    seen = reopened.by_id(ALICE.id)
    assert seen is not None and seen.tier is Tier.identity_verified
    reopened.close()


def test_pages_run_in_byte_order_of_id(store_url: str) -> None:
    store = open_wallet_store(store_url)
    # Upper case sorts before lower case and "_" between them byte by byte, unlike in
    # most language collations: both backends must page the same way.
    ids = ["wal_b", "wal_B", "wal__", "wal_a", "wal_A0", "wal_a_b", "walZ"]
    for n, wallet_id in enumerate(ids):
        assert store.insert(replace(ALICE, id=wallet_id, phone=f"+65900000{n:02d}"))
    assert [w.id for w in every_wallet(store, page=2)] == sorted(ids)
    assert [w.id for w in store.all("wal_B", 2)] == sorted(ids)[sorted(ids).index("wal_B") + 1 :][
        :2
    ]
    store.close()

"""The merchant store's contract on each backend: a record is stored whole (its u128 account
id too) and read back by id, after a reopen as well."""

from __future__ import annotations

from colony.merchants.model import Merchant
from colony.merchants.sql_store import open_merchant_store

HAWKER = Merchant(
    "mer_0a1b", "Hawker Chan Pte Ltd", "Hawker Chan", "5812", "SG", "Singapore", "SGD", 702,
    150, 2**127 + 3, 1_700_000_000_000_000_000,
)  # fmt: skip


def test_a_merchant_is_read_back_whole(store_url: str) -> None:
    store = open_merchant_store(store_url)
    store.insert(HAWKER)
    assert store.by_id(HAWKER.id) == HAWKER
    assert store.by_id(HAWKER.id) == HAWKER  # again, from memory
    assert store.by_id("mer_none") is None
    store.close()
    reopened = open_merchant_store(store_url)
    assert reopened.by_id(HAWKER.id) == HAWKER
    reopened.close()

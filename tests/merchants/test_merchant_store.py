"""The merchant store's contract on each backend: a record is stored whole (its u128 account
id too) and read back by id, after a reopen as well; the list pages by id, and a name is found
in any case, its LIKE wildcards taken as they are."""

from __future__ import annotations

import dataclasses

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


def test_merchants_page_by_id_and_are_found_by_a_name(store_url: str) -> None:
    store = open_merchant_store(store_url)
    kopi = dataclasses.replace(HAWKER, id="mer_0c", legal_name="Kopi 100% Ltd", display_name="Kopi")
    other = dataclasses.replace(HAWKER, id="mer_0b", legal_name="Other_Co", display_name="Tea")
    for merchant in (kopi, HAWKER, other):
        store.insert(merchant)
    assert [m.id for m in store.page(None, 2)] == ["mer_0a1b", "mer_0b"]
    assert [m.id for m in store.page("mer_0b", 2)] == ["mer_0c"]
    assert [m.id for m in store.named("hawker", 10)] == ["mer_0a1b"]  # any case
    assert [m.id for m in store.named("KOPI", 10)] == ["mer_0c"]  # the display name too
    assert [m.id for m in store.named("100%", 10)] == ["mer_0c"]
    assert store.named("0%L", 10) == [] and store.named("t_e", 10) == []  # no wildcards
    assert [m.id for m in store.named("er_c", 10)] == ["mer_0b"]
    store.close()

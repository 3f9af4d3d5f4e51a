"""The cause store's contract on each backend: a cause is stored whole (its u128 account id
too), read back by id and listed oldest first, after a reopen as well."""

from __future__ import annotations

from colony.donations.model import Cause
from colony.donations.sql_store import open_cause_store

FOOD_BANK = Cause(
    "cau_0a", "Food Bank Singapore", "SGD", 702, 2**127 + 5, 1_700_000_000_000_000_000
)
SHELTER = Cause("cau_0b", "Animal Shelter", "SGD", 702, 2**64 + 1, 1_700_000_000_000_000_001)


def test_a_cause_is_read_back_whole_and_listed_oldest_first(store_url: str) -> None:
    store = open_cause_store(store_url)
    assert store.all() == []
    store.insert(SHELTER)
    store.insert(FOOD_BANK)
    assert store.by_id(FOOD_BANK.id) == FOOD_BANK
    assert store.by_id("cau_none") is None
    assert store.all() == [FOOD_BANK, SHELTER]
    store.close()
    reopened = open_cause_store(store_url)
    assert reopened.all() == [FOOD_BANK, SHELTER]
    reopened.close()

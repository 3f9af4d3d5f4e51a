"""Frozen wallets' ids kept in memory by a process that serves the database alone
(docs/adr/0088): it answers from memory, stays in step with its own freezes and unfreezes,
and stops keeping them past its limit; a store that is not alone reads every time. On both
backends; "another process" is a second store on the same database."""

from __future__ import annotations

from collections.abc import Iterator

import pytest

from colony.storage import marked_ids
from colony.wallets.model import WalletFreeze
from colony.wallets.sql_store import SqlWalletStore, open_wallet_store


@pytest.fixture
def stores(store_url: str) -> Iterator[tuple[SqlWalletStore, SqlWalletStore]]:
    """(this process's store, serving alone; another process's store on the same database)."""
    alone = open_wallet_store(store_url, alone=True)
    other = open_wallet_store(store_url)
    yield alone, other
    alone.close()
    other.close()


def _freeze(wallet_id: str) -> WalletFreeze:
    return WalletFreeze(wallet_id, "card testing", 1_000)


def test_a_store_serving_alone_answers_from_memory_in_step_with_its_own_freezes(
    stores: tuple[SqlWalletStore, SqlWalletStore],
) -> None:
    alone, other = stores
    assert other.freeze(_freeze("w-before"))  # frozen before this process first asks
    assert alone.is_frozen("w-before")
    assert not alone.is_frozen("w-1")
    assert alone.freeze(_freeze("w-1"))
    assert alone.is_frozen("w-1")
    assert not alone.freeze(_freeze("w-1"))  # frozen already: still frozen
    assert alone.is_frozen("w-1")
    assert alone.unfreeze("w-1")
    assert not alone.is_frozen("w-1")
    assert not alone.unfreeze("w-1")
    # From memory: a change another process makes is not seen (why only one alone may).
    assert other.freeze(_freeze("w-2"))
    assert other.unfreeze("w-before")
    assert not alone.is_frozen("w-2")
    assert alone.is_frozen("w-before")
    # The table is what every other reader sees, and it agrees with what was done here.
    assert other.freeze_of("w-1") is None
    assert other.is_frozen("w-2")


def test_a_store_not_alone_sees_another_processs_freeze_at_once(
    stores: tuple[SqlWalletStore, SqlWalletStore],
) -> None:
    alone, other = stores
    assert not other.is_frozen("w-1")
    assert alone.freeze(_freeze("w-1"))
    assert other.is_frozen("w-1")
    assert alone.unfreeze("w-1")
    assert not other.is_frozen("w-1")


def test_past_its_limit_a_store_stops_keeping_freezes_and_reads_the_table(
    stores: tuple[SqlWalletStore, SqlWalletStore], monkeypatch: pytest.MonkeyPatch
) -> None:
    alone, other = stores
    monkeypatch.setattr(marked_ids, "marked_ids_kept_max", 2)
    assert alone.freeze(_freeze("w-1"))
    assert alone.freeze(_freeze("w-2"))
    assert alone.is_frozen("w-1")  # read into memory: two, at the limit
    assert other.freeze(_freeze("w-x"))
    assert not alone.is_frozen("w-x")  # still from memory
    assert alone.freeze(_freeze("w-3"))  # the third: past the limit
    assert alone.is_frozen("w-x")  # from the table now
    assert other.unfreeze("w-1")
    assert not alone.is_frozen("w-1")
    assert alone.is_frozen("w-3")


def test_too_many_freezes_at_the_first_ask_are_not_kept(
    stores: tuple[SqlWalletStore, SqlWalletStore], monkeypatch: pytest.MonkeyPatch
) -> None:
    alone, other = stores
    monkeypatch.setattr(marked_ids, "marked_ids_kept_max", 1)
    assert other.freeze(_freeze("w-1"))
    assert other.freeze(_freeze("w-2"))
    assert alone.is_frozen("w-2")
    assert other.unfreeze("w-2")
    assert not alone.is_frozen("w-2")  # read again: nothing was kept

"""Frozen wallets, suspended merchants (docs/adr/0114) and wallet tokens kept in memory by
the ledger's writer among workers (docs/adr/0099): a freeze, an unfreeze, a suspension or a
revocation asked of any worker is made by the writer, so the writer may answer from memory;
a follower reads the database; a writer that steps down stops keeping and refuses changes,
and the next writer reads afresh. Two `ElectedLedger`s over one database stand for two worker
processes, as `colony serve` wires them (`kept_by_the_writer`), on each backend."""

from __future__ import annotations

import shutil
import tempfile
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

import pytest

from colony.api import auth as api_auth
from colony.api.sql_store import SqlApiStore, open_api_store
from colony.cli.serve import kept_by_the_writer
from colony.kernel.clock import ManualClock
from colony.kernel.errors import StorageUnavailable
from colony.merchants.model import MerchantSuspension
from colony.merchants.sql_store import SqlMerchantStore, open_merchant_store
from colony.wallets.model import WalletFreeze
from colony.wallets.sql_store import (
    FREEZE_CALL,
    UNFREEZE_CALL,
    SqlWalletStore,
    open_wallet_store,
)
from colony.workers import ElectedLedger
from tests.workers.test_elected_ledger import SECRET, _eventually

TOKEN = api_auth.digest(api_auth.WALLET_TOKEN_PREFIX + "ef" * 32)


@dataclass
class Worker:
    ledger: ElectedLedger
    wallets: SqlWalletStore
    merchants: SqlMerchantStore
    api: SqlApiStore

    def close(self) -> None:
        self.ledger.close()
        self.wallets.close()
        self.merchants.close()
        self.api.close()


def _worker(url: str, address: str) -> Worker:
    ledger = ElectedLedger(url, ManualClock(), address=address, authkey=SECRET)
    wallets = open_wallet_store(url)
    merchants = open_merchant_store(url)
    api = open_api_store(url, shared_claims=True, claims=ledger.key_claims())
    kept_by_the_writer(ledger, wallets, merchants, api)
    return Worker(ledger, wallets, merchants, api)


@pytest.fixture
def url(journal_url: str) -> str:
    """One database on each backend in turn, the ledger's and the stores' alike."""
    return journal_url


@pytest.fixture
def workers(url: str) -> Iterator[tuple[Worker, Worker]]:
    folder = tempfile.mkdtemp(prefix="colony-test-")  # a Unix socket's path is short
    address = str(Path(folder) / "ledger.sock")
    writer = _worker(url, address)
    follower = _worker(url, address)
    assert writer.ledger.is_writer and not follower.ledger.is_writer
    yield writer, follower
    writer.close()
    follower.close()
    shutil.rmtree(folder, ignore_errors=True)


def _freeze(wallet_id: str) -> WalletFreeze:
    return WalletFreeze(wallet_id, "card testing", 1_000)


def test_a_followers_freezes_are_made_by_the_writer_which_answers_from_memory(
    workers: tuple[Worker, Worker], url: str
) -> None:
    writer, follower = workers
    elsewhere = open_wallet_store(url)  # the table itself, behind everyone's back
    try:
        assert elsewhere.freeze(_freeze("w-before"))
        assert writer.wallets.is_frozen("w-before")  # read afresh when first asked
        assert follower.wallets.freeze(_freeze("w-1"))
        assert not follower.wallets.freeze(_freeze("w-1"))  # frozen already
        assert writer.wallets.is_frozen("w-1")
        assert follower.wallets.is_frozen("w-1")
        # The writer answers from memory: a row changed behind its back is not seen there,
        # and the follower, which reads the table, sees it.
        assert elsewhere.unfreeze("w-1")
        assert writer.wallets.is_frozen("w-1")
        assert not follower.wallets.is_frozen("w-1")
        assert elsewhere.freeze(_freeze("w-1"))
        # What the follower lifts, the writer's memory lifts too, and the writer's own
        # changes go the same way.
        assert follower.wallets.unfreeze("w-1")
        assert not writer.wallets.is_frozen("w-1")
        assert not follower.wallets.unfreeze("w-1")
        assert writer.wallets.freeze(_freeze("w-2"))
        assert writer.wallets.is_frozen("w-2") and follower.wallets.is_frozen("w-2")
    finally:
        elsewhere.close()


def test_a_followers_suspensions_are_made_by_the_writer_which_answers_from_memory(
    workers: tuple[Worker, Worker], url: str
) -> None:
    writer, follower = workers
    elsewhere = open_merchant_store(url)  # the table itself, behind everyone's back
    made = MerchantSuspension("mer_1", "card testing", 1_000)
    try:
        assert follower.merchants.suspend(made)
        assert not follower.merchants.suspend(made)  # suspended already
        assert writer.merchants.is_suspended("mer_1") and follower.merchants.is_suspended("mer_1")
        assert elsewhere.reinstate("mer_1")
        assert writer.merchants.is_suspended("mer_1")  # from memory
        assert not follower.merchants.is_suspended("mer_1")  # from the table
        assert elsewhere.suspend(made)
        assert follower.merchants.reinstate("mer_1")
        assert not writer.merchants.is_suspended("mer_1")
        assert writer.merchants.suspension_of("mer_1") is None
    finally:
        elsewhere.close()


def test_a_token_revoked_through_a_follower_is_refused_by_the_writer_at_once(
    workers: tuple[Worker, Worker],
) -> None:
    writer, follower = workers
    writer.api.add_token(TOKEN, "wal_alice", 1)
    assert writer.api.wallet_for_token(TOKEN) == "wal_alice"  # cached now
    assert follower.api.wallet_for_token(TOKEN) == "wal_alice"
    assert follower.api.revoke_tokens("wal_alice", 2, only=TOKEN) == 1
    assert writer.api.wallet_for_token(TOKEN) is None
    assert follower.api.wallet_for_token(TOKEN) is None
    assert follower.api.revoke_tokens("wal_alice", 3) == 0  # nothing left to revoke


def test_the_writer_caches_tokens_and_a_follower_reads_them(
    workers: tuple[Worker, Worker], url: str
) -> None:
    writer, follower = workers
    writer.api.add_token(TOKEN, "wal_alice", 1)
    assert writer.api.wallet_for_token(TOKEN) == "wal_alice"
    assert follower.api.wallet_for_token(TOKEN) == "wal_alice"
    # Revoked behind everyone's back (no worker does this): the writer's cache still knows
    # the token, the follower reads the table.
    elsewhere = open_api_store(url)
    try:
        assert elsewhere.revoke_tokens("wal_alice", 2) == 1
    finally:
        elsewhere.close()
    assert writer.api.wallet_for_token(TOKEN) == "wal_alice"
    assert follower.api.wallet_for_token(TOKEN) is None


def test_a_writer_that_steps_down_refuses_changes_and_the_next_reads_afresh(
    workers: tuple[Worker, Worker],
) -> None:
    writer, follower = workers
    writer.api.add_token(TOKEN, "wal_alice", 1)
    assert writer.api.wallet_for_token(TOKEN) == "wal_alice"
    assert writer.wallets.freeze(_freeze("w-1"))
    assert writer.wallets.is_frozen("w-1")
    writer.ledger.close()  # steps down: its duties stop, keeping among them
    _eventually(lambda: follower.ledger.is_writer)
    # A change that reaches the old writer's store now (a call in flight when it stepped
    # down, as the route makes it) is refused, and changes nothing.
    made_here = writer.wallets.changes_made_here()
    with pytest.raises(StorageUnavailable):
        made_here[FREEZE_CALL]("w-2", "card testing", 1_000)
    with pytest.raises(StorageUnavailable):
        made_here[UNFREEZE_CALL]("w-1")
    with pytest.raises(StorageUnavailable):
        writer.api.revoke_here("wal_alice", 2)
    # The new writer keeps now: it read what the old one made, and makes changes itself.
    assert follower.wallets.is_frozen("w-1")
    assert not follower.wallets.is_frozen("w-2")
    assert follower.wallets.unfreeze("w-1")
    assert not follower.wallets.is_frozen("w-1")
    assert follower.api.wallet_for_token(TOKEN) == "wal_alice"
    assert follower.api.revoke_tokens("wal_alice", 3) == 1
    assert follower.api.wallet_for_token(TOKEN) is None
    # The old writer's store no longer answers from memory: it reads the table.
    assert not writer.wallets.is_frozen("w-1")
    assert writer.api.wallet_for_token(TOKEN) is None


def test_a_token_read_across_another_writers_term_is_not_kept(
    url: str, monkeypatch: pytest.MonkeyPatch
) -> None:
    """A read that stalls while this process stops keeping and keeps again (another writer
    between, which may have revoked the token) is not kept in the cache."""
    api = open_api_store(url, shared_claims=True)
    elsewhere = open_api_store(url)
    try:
        stop = api.keep_in_memory()
        api.add_token(TOKEN, "wal_alice", 1)
        read_one = api._read_one

        def stalled(sql: str, args: tuple[object, ...]) -> object:
            nonlocal stop
            row = read_one(sql, args)
            stop()  # steps down; another writer's term passes ...
            stop = api.keep_in_memory()  # ... and this process is the writer again
            return row

        monkeypatch.setattr(api, "_read_one", stalled)
        assert api.wallet_for_token(TOKEN) == "wal_alice"
        monkeypatch.undo()
        assert elsewhere.revoke_tokens("wal_alice", 2) == 1  # the other writer's revocation
        assert api.wallet_for_token(TOKEN) is None  # read again, not answered from memory
        stop()
    finally:
        api.close()
        elsewhere.close()

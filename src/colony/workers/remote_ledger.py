"""A follower's ledger: every call goes to the elected writer's `LedgerServer`."""

from __future__ import annotations

import queue
from collections.abc import Iterator, Sequence
from concurrent.futures import Future
from multiprocessing.connection import Client, Connection
from typing import Any

from colony.kernel.errors import InvalidInput, StorageUnavailable
from colony.ledger import (
    Account,
    AccountBalance,
    CreateAccountResult,
    CreateTransferResult,
    LedgerTotals,
    StatementPage,
    Transfer,
    TransferPendingStatus,
)
from colony.ledger.service import statement_page_default
from colony.workers.wire import FAILURE_BUG, FAILURE_INVALID_INPUT, FAILURE_STORAGE

# Connections kept open to the writer; a request thread beyond them opens one for its call.
pool_connections_max = 64


class RemoteLedger:
    def __init__(self, address: str, authkey: bytes) -> None:
        self._address = address
        self._authkey = authkey
        self._idle: queue.LifoQueue[Connection] = queue.LifoQueue()
        self._closed = False

    # ------------------------------------------------------------------------- transport

    def _connection(self) -> Connection:
        try:
            return self._idle.get_nowait()
        except queue.Empty:
            pass
        try:
            return Client(self._address, family="AF_UNIX", authkey=self._authkey)
        except (OSError, EOFError) as exc:
            raise StorageUnavailable(f"the ledger writer is not reachable: {exc}") from exc

    def _call(self, name: str, *args: Any, **kwargs: Any) -> Any:
        if self._closed:
            raise StorageUnavailable("the ledger is closed")
        conn = self._connection()
        try:
            conn.send((name, args, kwargs))
            answer = conn.recv()
        except (OSError, EOFError) as exc:
            conn.close()
            # A write may or may not have happened: the caller retries with the same ids,
            # and the ledger answers `exists` for what did.
            raise StorageUnavailable(
                f"lost the ledger writer during {name}: its outcome is unknown ({exc})"
            ) from exc
        if self._idle.qsize() < pool_connections_max:
            self._idle.put(conn)
        else:
            conn.close()
        kind, value = answer
        if kind == "ok":
            return value
        if kind == FAILURE_INVALID_INPUT:
            raise InvalidInput(value)
        if kind == FAILURE_STORAGE:
            raise StorageUnavailable(value)
        assert kind == FAILURE_BUG, kind
        raise RuntimeError(f"the ledger writer failed: {value}")

    def reachable(self) -> bool:
        try:
            return bool(self._call("ping"))
        except StorageUnavailable:
            return False

    def close(self) -> None:
        self._closed = True
        while True:
            try:
                self._idle.get_nowait().close()
            except queue.Empty:
                return

    # ---------------------------------------------------------------------------- writes

    def create_accounts(self, events: Sequence[Account]) -> list[CreateAccountResult]:
        result: list[CreateAccountResult] = self._call("create_accounts", list(events))
        return result

    def create_transfers(self, events: Sequence[Transfer]) -> list[CreateTransferResult]:
        result: list[CreateTransferResult] = self._call("create_transfers", list(events))
        return result

    def submit_accounts(self, events: Sequence[Account]) -> Future[list[int]]:
        return _done([int(r) for r in self.create_accounts(events)])

    def submit_transfers(self, events: Sequence[Transfer]) -> Future[list[int]]:
        return _done([int(r) for r in self.create_transfers(events)])

    def pulse(self) -> int:
        expired: int = self._call("pulse")
        return expired

    # ---------------------------------------------------------------------------- queries

    @property
    def journal_seq(self) -> int:
        seq: int = self._call("journal_seq")
        return seq

    def lookup_accounts(self, ids: Sequence[int]) -> list[Account]:
        found: list[Account] = self._call("lookup_accounts", list(ids))
        return found

    def lookup_transfers(self, ids: Sequence[int]) -> list[Transfer]:
        found: list[Transfer] = self._call("lookup_transfers", list(ids))
        return found

    def pending_status(self, transfer_id: int) -> TransferPendingStatus | None:
        status: TransferPendingStatus | None = self._call("pending_status", transfer_id)
        return status

    def expired_at(self, transfer_id: int) -> int | None:
        at: int | None = self._call("expired_at", transfer_id)
        return at

    def statement(
        self,
        account_id: int,
        *,
        after_timestamp: int = 0,
        before_timestamp: int | None = None,
        limit: int = statement_page_default,
        reverse: bool = False,
    ) -> StatementPage:
        page: StatementPage = self._call(
            "statement",
            account_id,
            after_timestamp=after_timestamp,
            before_timestamp=before_timestamp,
            limit=limit,
            reverse=reverse,
        )
        return page

    def balance_at(self, account_id: int, timestamp: int) -> AccountBalance | None:
        balance: AccountBalance | None = self._call("balance_at", account_id, timestamp)
        return balance

    def totals(self) -> list[LedgerTotals]:
        totals: list[LedgerTotals] = self._call("totals")
        return totals

    def all_accounts(self) -> Iterator[Account]:
        accounts: list[Account] = self._call("all_accounts")
        return iter(accounts)

    def all_transfers(self) -> Iterator[Transfer]:
        transfers: list[Transfer] = self._call("all_transfers")
        return iter(transfers)

    def snapshot_for_verify(
        self,
    ) -> tuple[list[Account], list[Transfer], dict[int, TransferPendingStatus]]:
        snapshot: tuple[list[Account], list[Transfer], dict[int, TransferPendingStatus]] = (
            self._call("snapshot_for_verify")
        )
        return snapshot


def _done(results: list[int]) -> Future[list[int]]:
    future: Future[list[int]] = Future()
    future.set_result(results)
    return future

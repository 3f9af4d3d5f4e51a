"""A follower's ledger: every call goes to the elected writer's `LedgerServer`."""

from __future__ import annotations

import queue
from collections.abc import Sequence
from concurrent.futures import Future
from multiprocessing.connection import Client, Connection
from typing import Any, cast

from colony.kernel.errors import InvalidInput, StorageUnavailable
from colony.ledger import Account, Transfer
from colony.workers.forwarding import ForwardingLedger
from colony.workers.wire import FAILURE_BUG, FAILURE_INVALID_INPUT, FAILURE_STORAGE

# Connections kept open to the writer; a request thread beyond them opens one for its call.
pool_connections_max = 64


class RemoteLedger(ForwardingLedger):
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

    def _forward(self, name: str, *args: Any, **kwargs: Any) -> Any:
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
            return bool(self._forward("ping"))
        except StorageUnavailable:
            return False

    def close(self) -> None:
        self._closed = True
        while True:
            try:
                self._idle.get_nowait().close()
            except queue.Empty:
                return

    # ------------------------------------------------------------------ LedgerPort, sent
    # The other calls are ForwardingLedger's, sent as they are by `_forward`.

    # A future cannot cross the socket: the follower waits for the outcome, then hands it
    # over already resolved.
    def submit_accounts(self, events: Sequence[Account]) -> Future[list[int]]:
        return _done([int(r) for r in self.create_accounts(events)])

    def submit_transfers(self, events: Sequence[Transfer]) -> Future[list[int]]:
        return _done([int(r) for r in self.create_transfers(events)])

    @property
    def journal_seq(self) -> int:
        return cast(int, self._forward("journal_seq"))


def _done(results: list[int]) -> Future[list[int]]:
    future: Future[list[int]] = Future()
    future.set_result(results)
    return future

"""The elected writer serves its ledger to the other workers over a local socket."""

from __future__ import annotations

import contextlib
import logging
import os
import socket
import threading
from multiprocessing import AuthenticationError
from multiprocessing.connection import Connection, Listener
from typing import Any

from colony.kernel.errors import InvalidInput, StorageUnavailable
from colony.ledger import Ledger
from colony.workers.wire import CALLS, FAILURE_BUG, FAILURE_INVALID_INPUT, FAILURE_STORAGE

log = logging.getLogger(__name__)

# Follower connections served at once (each follower keeps a pool; see remote_ledger.py).
server_connections_max = 256


class LedgerServer:
    """Answers followers' ledger calls, one thread per connection.

    Writes from every connection meet in the ledger's own queue, so they share group commits
    with the writer's own requests: the single-writer rule holds because only this process
    has a `Ledger` at all.
    """

    def __init__(self, ledger: Ledger, address: str, authkey: bytes) -> None:
        self._ledger = ledger
        with contextlib.suppress(FileNotFoundError):
            os.unlink(address)  # a dead writer's socket file: its lock is gone, so is it
        self._listener = Listener(address, family="AF_UNIX", authkey=authkey)
        os.chmod(address, 0o600)
        self.address = address
        self._connections: set[Connection] = set()
        self._mutex = threading.Lock()
        self._closed = False
        self._acceptor = threading.Thread(target=self._accept, name="ledger-server", daemon=True)
        self._acceptor.start()

    def _accept(self) -> None:
        while not self._closed:
            try:
                conn = self._listener.accept()
            except (OSError, EOFError, AuthenticationError) as exc:  # closed, or a bad caller
                if self._closed:
                    return
                log.warning("ledger server: refused a connection: %s", exc)
                continue
            with self._mutex:
                if len(self._connections) >= server_connections_max:
                    conn.close()
                    continue
                self._connections.add(conn)
            threading.Thread(
                target=self._serve, args=(conn,), name="ledger-server-conn", daemon=True
            ).start()

    def _serve(self, conn: Connection) -> None:
        try:
            while True:
                try:
                    name, args, kwargs = conn.recv()
                except (EOFError, OSError):
                    return
                conn.send(self._answer(name, args, kwargs))
        except (EOFError, OSError):
            return
        finally:
            with self._mutex:
                self._connections.discard(conn)
            conn.close()

    def _answer(self, name: str, args: tuple[Any, ...], kwargs: dict[str, Any]) -> tuple[Any, ...]:
        if name not in CALLS:
            return (FAILURE_BUG, f"not a ledger call: {name!r}")
        try:
            if name == "ping":
                return ("ok", True)
            if name == "journal_seq":
                return ("ok", self._ledger.journal_seq)
            result = getattr(self._ledger, name)(*args, **kwargs)
            if name in ("all_accounts", "all_transfers"):
                result = list(result)
            return ("ok", result)
        except InvalidInput as exc:
            return (FAILURE_INVALID_INPUT, str(exc))
        except StorageUnavailable as exc:
            return (FAILURE_STORAGE, str(exc))
        except Exception as exc:
            log.exception("ledger server: %s failed", name)
            return (FAILURE_BUG, f"{type(exc).__name__}: {exc}")

    def close(self) -> None:
        self._closed = True
        self._listener.close()
        with self._mutex:
            connections = list(self._connections)
        for conn in connections:
            # Shut down, not closed: the thread blocked reading it sees the end and closes it.
            with (
                contextlib.suppress(OSError),
                socket.fromfd(conn.fileno(), socket.AF_UNIX, socket.SOCK_STREAM) as dup,
            ):
                dup.shutdown(socket.SHUT_RDWR)
        self._acceptor.join(timeout=5)

"""The elected writer serves its ledger to the other workers over a local socket."""

from __future__ import annotations

import contextlib
import logging
import os
import queue
import socket
import threading
from collections.abc import Callable, Mapping
from concurrent.futures import Future
from multiprocessing import AuthenticationError
from multiprocessing.connection import Connection, Listener
from typing import Any

from colony.kernel import lock_order
from colony.kernel.errors import InvalidInput, StorageUnavailable
from colony.kernel.key_claims import HeldClaims
from colony.ledger import CreateAccountResult, CreateTransferResult, Ledger
from colony.workers.wire import (
    CALLS,
    FAILURE_BUG,
    FAILURE_INVALID_INPUT,
    FAILURE_STORAGE,
    calls_per_message_max,
)

log = logging.getLogger(__name__)

# Follower connections served at once (each follower keeps one; see remote_ledger.py).
server_connections_max = 256
# Writes are submitted without waiting (their answers follow when durable): the ledger method
# that queues each, and the result type its raw codes become.
_SUBMITS: dict[str, tuple[str, type[CreateTransferResult] | type[CreateAccountResult]]] = {
    "create_transfers": ("submit_transfers", CreateTransferResult),
    "create_accounts": ("submit_accounts", CreateAccountResult),
}


class LedgerServer:
    """Answers followers' ledger calls, one thread per connection.

    Writes from every connection meet in the ledger's own queue, so they share group commits
    with the writer's own requests: the single-writer rule holds because only this process
    has a `Ledger` at all.
    """

    def __init__(
        self,
        ledger: Ledger,
        address: str,
        authkey: bytes,
        claims: HeldClaims | None = None,
        shared: Mapping[str, Callable[..., Any]] | None = None,
    ) -> None:
        """`claims`: the Idempotency-Key claims every worker makes here (the writer's own
        requests make theirs in it directly). `shared`: state the writer holds for every
        worker, by call name (risk control's counters, docs/adr/0068), answered at once in
        the connection's thread, or, when a handler answers a future (a payment served on
        the writer's event loop, docs/adr/0078), once that future is done; the mapping is
        read at each call, so names shared after the server started are answered too (and
        until then as the storage being unavailable: the follower's caller retries)."""
        self._ledger = ledger
        self._claims = claims if claims is not None else HeldClaims()
        self._shared: Mapping[str, Callable[..., Any]] = shared if shared is not None else {}
        with contextlib.suppress(FileNotFoundError):
            os.unlink(address)  # a dead writer's socket file: its lock is gone, so is it
        self._listener = Listener(address, family="AF_UNIX", authkey=authkey)
        os.chmod(address, 0o600)
        self.address = address
        self._connections: set[Connection] = set()
        self._mutex = lock_order.lock("ledger server")
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
        """Read a follower's messages of calls. Writes are submitted to the ledger without
        waiting, so the calls of many messages share its group commits; a responder thread
        sends each answer when it is ready, with whatever else is ready by then."""
        answers: queue.SimpleQueue[tuple[int, str, Any] | None] = queue.SimpleQueue()
        # The claims made over this connection and not dropped yet: they live no longer
        # than it (docs/adr/0037), so a follower that lost its link, or gave up waiting for
        # a claim's answer and reconnected, leaves no key claimed for claim_stale_s.
        claimed: dict[tuple[str, str, str], int] = {}  # (scope, key, holder) -> claimed at
        responder = threading.Thread(
            target=self._respond, args=(conn, answers), name="ledger-server-respond", daemon=True
        )
        responder.start()
        try:
            while True:
                try:
                    calls = conn.recv()
                except (EOFError, OSError):
                    return
                for call_id, name, args, kwargs in calls:
                    if name in ("claim_key", "drop_key"):
                        answers.put((call_id, *self._claim_call(name, args, claimed)))
                    elif name in self._shared:
                        self._shared_call(call_id, name, args, answers)
                    else:
                        self._start(call_id, name, args, kwargs, answers)
        finally:
            for (scope, key, holder), claimed_at_ns in claimed.items():
                self._claims.drop_if_claimed_at(scope, key, holder, claimed_at_ns)
            answers.put(None)
            responder.join(timeout=5)
            with self._mutex:
                self._connections.discard(conn)
            conn.close()

    def _claim_call(
        self, name: str, args: tuple[Any, ...], claimed: dict[tuple[str, str, str], int]
    ) -> tuple[Any, ...]:
        """`claim_key(scope, key, sha256, now_ns, holder)` or `drop_key(scope, key, holder)`,
        remembering the claims this connection holds (only those granted, so a connection
        that lives for days keeps no trace of the keys it was refused)."""
        try:
            if name == "claim_key":
                scope, key, _, now_ns, holder = args
                held = self._claims.claim(*args)
                if held is None:
                    claimed[(scope, key, holder)] = now_ns
                return ("ok", held)
            scope, key, holder = args
            self._claims.drop(scope, key, holder)
            claimed.pop((scope, key, holder), None)
            return ("ok", None)
        except Exception as exc:  # a malformed call from a follower of another version
            log.exception("ledger server: %s failed", name)
            return (FAILURE_BUG, f"{type(exc).__name__}: {exc}")

    def _shared_call(
        self,
        call_id: int,
        name: str,
        args: tuple[Any, ...],
        answers: queue.SimpleQueue[tuple[int, str, Any] | None],
    ) -> None:
        """Answered at once, or, for a handler that answers a future (a payment served on
        the writer's event loop, docs/adr/0078), when that future is done."""
        try:
            result = self._shared[name](*args)
        except Exception as exc:
            answers.put((call_id, *_failure(name, exc)))
            return
        if isinstance(result, Future):
            _answer_when_done(call_id, name, result, answers, lambda value: value)
        else:
            answers.put((call_id, "ok", result))

    def _start(
        self,
        call_id: int,
        name: str,
        args: tuple[Any, ...],
        kwargs: dict[str, Any],
        answers: queue.SimpleQueue[tuple[int, str, Any] | None],
    ) -> None:
        submit = _SUBMITS.get(name)
        if submit is None:
            answers.put((call_id, *self._answer(name, args, kwargs)))
            return
        try:
            future: Future[list[int]] = getattr(self._ledger, submit[0])(*args)
        except Exception as exc:
            answers.put((call_id, *_failure(name, exc)))
            return
        result_type = submit[1]
        _answer_when_done(
            call_id, name, future, answers, lambda codes: [result_type(r) for r in codes]
        )

    @staticmethod
    def _respond(conn: Connection, answers: queue.SimpleQueue[tuple[int, str, Any] | None]) -> None:
        while True:
            first = answers.get()
            if first is None:
                return
            batch = [first]
            while len(batch) < calls_per_message_max:
                try:
                    more = answers.get_nowait()
                except queue.Empty:
                    break
                if more is None:
                    answers.put(None)
                    break
                batch.append(more)
            try:
                conn.send(batch)
            except (OSError, EOFError, ValueError):
                return

    def _answer(self, name: str, args: tuple[Any, ...], kwargs: dict[str, Any]) -> tuple[Any, ...]:
        if name not in CALLS:
            # Followers run this release's code, so a name neither a ledger call nor shared
            # yet is one the writer registers as it finishes starting: ask again later.
            return (FAILURE_STORAGE, f"the ledger writer does not answer {name!r} (yet)")
        try:
            if name == "ping":
                return ("ok", True)
            if name == "journal_seq":
                return ("ok", self._ledger.journal_seq)
            result = getattr(self._ledger, name)(*args, **kwargs)
            if name in ("all_accounts", "all_transfers"):
                result = list(result)
            return ("ok", result)
        except Exception as exc:
            return _failure(name, exc)

    def close(self) -> None:
        self._closed = True
        # The acceptor is blocked in accept(), which closing the listener does not end (on
        # Linux): it waited out the join's 5 s below, and a writer stepping down kept the
        # ledger's lock as long. A connection that says nothing fails its handshake, and the
        # acceptor, finding the server closed, ends.
        # Without waiting: with the backlog full (the acceptor held by a silent caller's
        # handshake) it would wait for an accept that never comes; the join below is bounded.
        with (
            contextlib.suppress(OSError),
            socket.socket(socket.AF_UNIX, socket.SOCK_STREAM) as wake,
        ):
            wake.setblocking(False)
            wake.connect(self.address)
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


def _answer_when_done(
    call_id: int,
    name: str,
    future: Future[Any],
    answers: queue.SimpleQueue[tuple[int, str, Any] | None],
    value: Callable[[Any], Any],
) -> None:
    """Answer the call with `value` of the future's result once it is done, or its failure;
    a future cancelled (the writer stopping) leaves the outcome unknown, as a lost link does."""

    def done(f: Future[Any]) -> None:
        if f.cancelled():
            answers.put((call_id, FAILURE_STORAGE, f"{name} was cancelled at the writer"))
            return
        exc = f.exception()
        answers.put(
            (call_id, "ok", value(f.result())) if exc is None else (call_id, *_failure(name, exc))
        )

    future.add_done_callback(done)


def _failure(name: str, exc: BaseException) -> tuple[str, str]:
    """A call's failure as it crosses: storage and input failures as their kinds (the
    follower raises the same), anything else as a bug, logged here."""
    if isinstance(exc, StorageUnavailable):
        return (FAILURE_STORAGE, str(exc))
    if isinstance(exc, InvalidInput):
        return (FAILURE_INVALID_INPUT, str(exc))
    log.error("ledger server: shared call %s failed", name, exc_info=exc)
    return (FAILURE_BUG, f"{type(exc).__name__}: {exc}")

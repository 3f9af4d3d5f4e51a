"""A follower's ledger: every call goes to the elected writer's `LedgerServer`.

All of a follower's request threads share one connection to the writer. A sender thread
takes every call queued while it was busy and sends them as one message, and the writer
answers each as soon as it is done, several answers to a message when they finish together.
Under load, then, many payments cross the socket in one round trip and share one group
commit, instead of a round trip (and a thread hand-off at each end) apiece. Calls made on
an event loop are handed to the sender once a turn of the loop (the calls of a gathering of
payments together, docs/adr/0095): each hand-over wakes the sender thread, which then
takes the interpreter's lock from the loop.
"""

from __future__ import annotations

import asyncio
import contextlib
import itertools
import queue
import socket
import threading
from collections.abc import Sequence
from concurrent.futures import Future
from concurrent.futures import TimeoutError as FutureTimeout
from multiprocessing.connection import Client, Connection
from typing import Any, cast

from colony.kernel import lock_order
from colony.kernel.errors import InvalidInput, StorageUnavailable
from colony.kernel.promise import Promise
from colony.ledger import Account, Transfer
from colony.ledger.service import request_timeout_s
from colony.workers.forwarding import ForwardingLedger
from colony.workers.wire import (
    FAILURE_BUG,
    FAILURE_INVALID_INPUT,
    FAILURE_STORAGE,
    calls_per_message_max,
)

# How long a caller waits for the writer's answer, in seconds: the ledger's own limit on a
# batch, and a little more for the trip.
call_timeout_s = request_timeout_s + 5.0

Answer = tuple[str, Any]
# A call as it crosses: (id, name, args, kwargs).
_Call = tuple[int, str, tuple[Any, ...], dict[str, Any]]


class RemoteLedger(ForwardingLedger):
    def __init__(self, address: str, authkey: bytes) -> None:
        self._address = address
        self._authkey = authkey
        self._lock = lock_order.lock("remote ledger link")
        self._link: _Link | None = None
        self._closed = False

    # ------------------------------------------------------------------------- transport

    def _live_link(self) -> _Link:
        with self._lock:
            if self._closed:
                raise StorageUnavailable("the ledger is closed")
            link = self._link
            if link is None or link.dead:
                try:
                    conn = Client(self._address, family="AF_UNIX", authkey=self._authkey)
                except (OSError, EOFError) as exc:
                    raise StorageUnavailable(f"the ledger writer is not reachable: {exc}") from exc
                link = self._link = _Link(conn)
            return link

    @property
    def messages_sent(self) -> int:
        """Messages sent to the writer over the current connection: fewer than calls under
        load, because calls queued together travel together."""
        link = self._link
        return link.messages_sent if link is not None else 0

    def _forward(self, name: str, *args: Any, **kwargs: Any) -> Any:
        link = self._live_link()
        future = link.call(name, args, kwargs)
        try:
            kind, value = future.result(timeout=call_timeout_s)
        except FutureTimeout as exc:
            link.abandon(future)  # a late answer finds no one waiting, and is dropped
            raise StorageUnavailable(
                f"the ledger writer did not answer {name} in {call_timeout_s:.0f} s: "
                "its outcome is unknown"
            ) from exc
        return _value(kind, value)

    def _forward_later(self, name: str, *args: Any, with_the_turn: bool = False) -> Future[Any]:
        """`_forward` without waiting: a future of the answer, set when it arrives (a
        caller that waits on it does so for at most its own timeout). `with_the_turn`: sent
        with the other calls of the event loop's turn (`_Link.call`), for callers that
        hand the future on as it is (a thread blocking on it sends the turn at once)."""
        link = self._live_link()
        answered = link.call(name, args, {}, with_the_turn=with_the_turn)
        value: Promise[Any] = Promise()
        if with_the_turn:
            value.on_block = link.hand_over_turn  # a caller blocking on the loop sends it now

        def settle(done: Future[Answer]) -> None:
            try:
                value.set_result(_value(*done.result()))
            except Exception as exc:
                value.set_exception(exc)

        answered.add_done_callback(settle)
        return value

    def reachable(self) -> bool:
        try:
            return bool(self._forward("ping"))
        except StorageUnavailable:
            return False

    def close(self) -> None:
        with self._lock:
            self._closed = True
            link, self._link = self._link, None
        if link is not None:
            link.close()

    # ------------------------------------------------------------------ LedgerPort, sent
    # The other calls are ForwardingLedger's, sent as they are by `_forward`.

    # Sent in the order submitted (one link, answered in order of arrival), so a chain
    # submitted behind its accounts is applied after them; on an event loop, with the other
    # calls of the loop's turn (docs/adr/0095). The future is set when the writer's answer
    # arrives: an event loop awaits it without holding a thread.
    def submit_accounts(self, events: Sequence[Account]) -> Future[list[int]]:
        return self._forward_later("create_accounts", list(events), with_the_turn=True)

    def submit_transfers(self, events: Sequence[Transfer]) -> Future[list[int]]:
        return self._forward_later("create_transfers", list(events), with_the_turn=True)

    @property
    def journal_seq(self) -> int:
        return cast(int, self._forward("journal_seq"))

    # ---------------------------------------------------- Idempotency-Key claims, sent

    def claim_key(
        self, scope: str, key: str, request_sha256: str, now_ns: int, holder: str
    ) -> str | None:
        """`HeldClaims.claim` in the writer."""
        held = self._forward("claim_key", scope, key, request_sha256, now_ns, holder)
        return cast("str | None", held)

    def drop_key(self, scope: str, key: str, holder: str) -> Future[None]:
        """`HeldClaims.drop` in the writer: the future is done once it is dropped."""
        return self._forward_later("drop_key", scope, key, holder)

    # ------------------------------------------------------ state shared in the writer, sent

    def shared(self, name: str, *args: Any) -> Any:
        """A call the writer answers from state it holds for every worker."""
        return self._forward(name, *args)

    def shared_later(self, name: str, *args: Any) -> Future[Any]:
        """`shared` without waiting for the answer; on an event loop, with the other calls
        of the loop's turn (a gathering's forwarded payments, risk control's counters)."""
        return self._forward_later(name, *args, with_the_turn=True)


class _Link:
    """One connection to the writer, shared by every caller: calls queue, a sender thread
    sends what is queued as one message, a receiver thread hands each answer to its caller."""

    def __init__(self, conn: Connection) -> None:
        self._conn = conn
        self._ids = itertools.count(1)
        self._waiting: dict[int, tuple[str, Future[Answer]]] = {}
        self._mutex = lock_order.lock("remote ledger turn")
        # A call, or the calls of one turn of an event loop, for the sender; None: stop.
        self._outbox: queue.SimpleQueue[_Call | list[_Call] | None] = queue.SimpleQueue()
        # The calls made on an event loop in its current turn, handed over when it ends.
        self._turn: list[_Call] | None = None
        self._turn_loop: asyncio.AbstractEventLoop | None = None
        self.dead = False
        self.messages_sent = 0
        threading.Thread(target=self._send, name="ledger-link-send", daemon=True).start()
        threading.Thread(target=self._receive, name="ledger-link-receive", daemon=True).start()

    def call(
        self,
        name: str,
        args: tuple[Any, ...],
        kwargs: dict[str, Any],
        *,
        with_the_turn: bool = False,
    ) -> Future[Answer]:
        """Queue a call for the writer. `with_the_turn`: made on an event loop by a caller
        that will not block on it there, it goes with the other such calls of the loop's
        turn, when the turn ends; any other call goes at once, after the calls of the turn
        open so far (calls reach the writer in the order they were made)."""
        future: Future[Answer] = Promise()
        loop = _running_loop() if with_the_turn else None
        with self._mutex:
            if self.dead:
                raise StorageUnavailable("lost the ledger writer: reconnect and retry")
            call_id = next(self._ids)
            self._waiting[call_id] = (name, future)
            call = (call_id, name, args, kwargs)
            if self._turn_loop is not None and self._turn_loop.is_closed():
                self._hand_over_turn_locked()  # a loop closed before its turn ended
            if loop is not None:
                if self._turn is None:
                    self._turn, self._turn_loop = [call], loop
                    loop.call_soon(self.hand_over_turn)
                    return future
                if self._turn_loop is loop:
                    self._turn.append(call)
                    return future
            # Anything made before this call goes before it: the turn open now, whichever
            # loop's (steps that submitted on the loop may go on on a thread, and submit).
            self._hand_over_turn_locked()
            self._outbox.put(call)
        return future

    def hand_over_turn(self) -> None:
        """The calls of the turn open on the running event loop, to the sender as one (at
        the turn's end, or at once for a caller about to block on one of them)."""
        loop = _running_loop()
        if loop is None:
            return
        with self._mutex:
            if self._turn_loop is loop:
                self._hand_over_turn_locked()

    def _hand_over_turn_locked(self) -> None:
        turn, self._turn, self._turn_loop = self._turn, None, None
        if turn:
            self._outbox.put(turn)

    def abandon(self, future: Future[Answer]) -> None:
        with self._mutex:
            for call_id, (_, waiting) in list(self._waiting.items()):
                if waiting is future:
                    del self._waiting[call_id]
                    return

    def _send(self) -> None:
        get = self._outbox.get
        carried: list[_Call] = []  # taken from the queue past a full message: sent next
        while True:
            if not carried:
                first = get()
                if first is None:
                    return
                carried = first if isinstance(first, list) else [first]
            calls, carried = carried[:calls_per_message_max], carried[calls_per_message_max:]
            while len(calls) < calls_per_message_max and not carried:
                try:
                    more = self._outbox.get_nowait()
                except queue.Empty:
                    break
                if more is None:
                    self._outbox.put(None)  # stop after sending what was queued before it
                    break
                more_calls = more if isinstance(more, list) else [more]
                room = calls_per_message_max - len(calls)
                calls += more_calls[:room]
                carried = more_calls[room:]
            try:
                self._conn.send(calls)
            except (OSError, EOFError, ValueError) as exc:
                self._fail(exc)
                return
            self.messages_sent += 1

    def _receive(self) -> None:
        while True:
            try:
                answers = self._conn.recv()
            except (OSError, EOFError, ValueError) as exc:
                self._fail(exc)
                return
            for call_id, kind, value in answers:
                with self._mutex:
                    waiting = self._waiting.pop(call_id, None)
                if waiting is not None:
                    waiting[1].set_result((kind, value))

    def _fail(self, cause: BaseException) -> None:
        """The connection is gone: every call still waiting has an unknown outcome."""
        with self._mutex:
            self.dead = True
            waiting, self._waiting = self._waiting, {}
        self._outbox.put(None)
        _hang_up(self._conn)
        for name, future in waiting.values():
            # A write may or may not have happened: the caller retries with the same ids,
            # and the ledger answers `exists` for what did.
            future.set_exception(
                StorageUnavailable(
                    f"lost the ledger writer during {name}: its outcome is unknown ({cause})"
                )
            )

    def close(self) -> None:
        self._fail(StorageUnavailable("the ledger is closed"))


def _hang_up(conn: Connection) -> None:
    """Shut the socket down (a thread blocked reading it sees the end), then close it."""
    with (
        contextlib.suppress(OSError, ValueError),
        socket.fromfd(conn.fileno(), socket.AF_UNIX, socket.SOCK_STREAM) as dup,
    ):
        dup.shutdown(socket.SHUT_RDWR)
    with contextlib.suppress(OSError):
        conn.close()


def _value(kind: str, value: Any) -> Any:
    """A call's answer, or its failure raised as its own kind."""
    if kind == "ok":
        return value
    if kind == FAILURE_INVALID_INPUT:
        raise InvalidInput(value)
    if kind == FAILURE_STORAGE:
        raise StorageUnavailable(value)
    assert kind == FAILURE_BUG, kind
    raise RuntimeError(f"the ledger writer failed: {value}")


def _running_loop() -> asyncio.AbstractEventLoop | None:
    """The event loop running on this thread; None on a thread of its own."""
    try:
        return asyncio.get_running_loop()
    except RuntimeError:
        return None

"""A follower's QR payment served whole by the ledger's writer, in one call (docs/adr/0078).

Under `colony serve --workers N` one process holds the ledger and the others follow it. A
payment a follower took used to cross to the writer four times in a row (the Idempotency-Key
claim, risk control's counters, the transfer, the claim's release), each trip waiting for a
thread of a busy process, and cost about 1.4 ms of CPU in all against 0.6 ms in one process
(docs/adr/0072). Now the follower keeps what is its own (HTTP, the rate limits, the wallet's
token, the body's validation and its hash) and sends the writer the payment as one call; the
writer's event loop serves it as it serves its own requests, and answers the response's
status, headers and body, which the follower relays unchanged. A refusal is answered by the
writer's own handlers, so a follower answers every payment exactly as the writer would.

A link lost while the call is out is answered `503 storage_unavailable`: the payment's
outcome is unknown, and a retry with the same Idempotency-Key finds it made or makes it.

The payments that reach the writer together (a follower sends what its own gathering held
as one message) start on its event loop together, with one wake-up of the loop and one
look-up of their Idempotency-Keys' stored answers (docs/adr/0093).

A follower's other API writes cross whole too, as HTTP requests the writer's app serves in
process (`request`, api/forwarded_requests.py, docs/adr/0106).
"""

from __future__ import annotations

import asyncio
from collections.abc import Awaitable, Callable, Coroutine, Mapping, Sequence
from concurrent.futures import Future
from contextlib import asynccontextmanager
from functools import partial
from typing import Any, Protocol

from fastapi import FastAPI
from starlette.requests import Request
from starlette.responses import Response

from colony.api.forwarded_requests import Answer, ForwardedRequest, answered
from colony.api.gather import GuardedLookAhead
from colony.api.idempotency import idempotency_key_chars_max
from colony.kernel import lock_order
from colony.kernel.errors import StorageUnavailable
from colony.kernel.promise import Promise
from colony.kernel.steps import failed
from colony.ledger.service import request_timeout_s
from colony.wallets import Wallet

# The writer's call that serves a follower's payment: (wallet, Idempotency-Key, body, hash).
PAY_BY_QR = "pay_by_qr"
# The writer's call that serves any other API write of a follower's, whole (docs/adr/0106).
SERVE_REQUEST = "serve_request"
# How long a follower waits for the writer's answer, in seconds: a payment's own limit on
# its ledger batch, and a little more for the trip.
forward_timeout_s = request_timeout_s + 5.0
# How long a follower waits for a run over many records it sent (`/v1/credit_lines/runs`), in
# seconds: such a run serves where every other write is served, or two processes would
# change one record under two locks (docs/adr/0106).
run_forward_timeout_s = 15 * 60.0

# How the writer serves a payment here: the route's own function, given what the follower
# found (the wallet, the key as sent, the validated body and the request's hash).
ServePayment = Callable[[Wallet, str | None, Any, str], Awaitable[Response]]
# The app's answer to an exception a route raised (api/errors.py); None for a bug.
HandlerFor = Callable[[Exception], Callable[[Request, Exception], Awaitable[Response]] | None]
# One read for the stored answers of payments about to begin: (wallet id, key) each.
LookAhead = Callable[[Sequence[tuple[str, str]]], None]
# A follower's payment waiting for the writer's loop: (wallet, key, body, hash, its answer).
_Arrival = tuple[Wallet, str | None, Any, str, Future["Answer"]]


class WriterLink(Protocol):
    """What forwarding needs of the worker's place in the writer election (ElectedLedger)."""

    @property
    def claims_are_remote(self) -> bool: ...

    def share(self, handlers: Mapping[str, Callable[..., Any]]) -> None: ...

    def shared_call_later(self, name: str, *args: Any) -> Future[Any]: ...


class PaymentForwarding:
    """A worker's side of it: sends its payments to the writer while it follows, and serves
    the followers' while it writes (`serve_here`)."""

    def __init__(self, link: WriterLink) -> None:
        self._link = link
        self._loop: asyncio.AbstractEventLoop | None = None
        self._serve: ServePayment | None = None
        self._app: FastAPI | None = None
        self._handler_for: HandlerFor | None = None
        self._look_ahead: GuardedLookAhead | None = None
        self.served = 0  # followers' payments this process started serving as the writer
        self.served_requests = 0  # and their other API writes
        self.looked_ahead = 0  # gatherings of them whose keys were looked up together
        # The followers' payments being served here: the writer finishes them before it stops.
        self._in_flight: set[Future[Answer]] = set()
        self._tasks: set[asyncio.Task[Answer]] = set()  # serving them, on the loop
        # Those arrived and not yet started, and whether the loop is woken for them already.
        self._arrivals: list[_Arrival] = []
        self._woken = False
        self._arrivals_lock = lock_order.lock("forwarded arrivals")
        # Shared at once, before this process's app exists: a follower asking while the writer
        # is still starting is told to retry (503), not that the call is unknown.
        self._link.share({PAY_BY_QR: self._served, SERVE_REQUEST: self._served_request})

    @property
    def follows(self) -> bool:
        """Whether this process's payments go to another (it is not the writer now)."""
        return self._link.claims_are_remote

    # ------------------------------------------------------------------------- follower

    async def pay(self, wallet: Wallet, key: str | None, body: Any, sha256: str) -> Response:
        return await _waited(self._link.shared_call_later(PAY_BY_QR, wallet, key, body, sha256))

    async def request(self, request: ForwardedRequest, timeout_s: float | None = None) -> Response:
        """A write served by the writer's app, its answer relayed (docs/adr/0106); waited
        for `timeout_s`, or `forward_timeout_s`."""
        return await _waited(self._link.shared_call_later(SERVE_REQUEST, request), timeout_s)

    def pay_waiting(self, wallet: Wallet, key: str | None, body: Any, sha256: str) -> Response:
        """`pay` from a thread of the pool (where the payment route runs off the loop)."""
        answer = self._link.shared_call_later(PAY_BY_QR, wallet, key, body, sha256)
        try:
            sent = answer.result(timeout=forward_timeout_s)
        except TimeoutError as exc:
            raise _no_answer(forward_timeout_s) from exc
        return _relayed(sent)

    # --------------------------------------------------------------------------- writer

    def serve_here(
        self,
        app: FastAPI,
        serve: ServePayment,
        handler_for: HandlerFor,
        look_ahead: LookAhead | None = None,
    ) -> None:
        """Answer the followers' payments on this app's event loop while this process is the
        writer: the loop is the one the app's lifespan starts on. `look_ahead`, if given,
        is called with the (wallet id, key) of the payments that start together."""
        self._serve = serve
        self._app = app
        self._handler_for = handler_for
        self._look_ahead = None if look_ahead is None else GuardedLookAhead(look_ahead, "forwarded")
        started = app.router.lifespan_context

        @asynccontextmanager
        async def lifespan(running: Any) -> Any:
            async with started(running) as state:
                self._loop = asyncio.get_running_loop()
                try:
                    yield state
                finally:
                    # Stopping: no new payment is taken; those being served are finished,
                    # as the server finishes its own requests, within their own limit.
                    self._loop = None
                    if self._in_flight:
                        serving = [asyncio.wrap_future(f) for f in list(self._in_flight)]
                        await asyncio.wait(serving, timeout=forward_timeout_s)

        app.router.lifespan_context = lifespan

    def _served(self, wallet: Wallet, key: str | None, body: Any, sha256: str) -> Future[Answer]:
        """Called on the writer's socket thread: the payment, served on the event loop with
        those that arrived with it (the loop is woken once for them all)."""
        loop = self._loop
        if loop is None or loop.is_closed():
            return failed(_not_serving())
        answer = self._in_flight_answer()
        with self._arrivals_lock:
            self._arrivals.append((wallet, key, body, sha256, answer))
            wake, self._woken = not self._woken, True
        if wake:
            try:
                loop.call_soon_threadsafe(self._start_arrived)
            except RuntimeError:  # the loop closed in between: none of them was started
                self._refuse_arrived()
        return answer

    def _served_request(self, request: ForwardedRequest) -> Future[Answer]:
        """Called on the writer's socket thread: a follower's API write, served by this
        process's app on its event loop."""
        loop, app = self._loop, self._app
        if loop is None or loop.is_closed() or app is None:
            return failed(_not_serving())
        answer = self._in_flight_answer()
        try:
            loop.call_soon_threadsafe(self._start_request, app, request, answer)
        except RuntimeError:  # the loop closed in between: not started
            answer.set_exception(_not_serving())
        return answer

    def _in_flight_answer(self) -> Future[Answer]:
        """A follower's call's answer-to-be, held among those the writer finishes before it
        stops until it is settled."""
        answer: Future[Answer] = Promise()
        self._in_flight.add(answer)
        answer.add_done_callback(self._in_flight.discard)
        return answer

    def _start(self, serving: Coroutine[Any, Any, Answer], answer: Future[Answer]) -> None:
        """On the event loop: `serving` run as a task whose end settles `answer`."""
        try:
            task = asyncio.ensure_future(serving)
        except Exception as exc:  # a bug: this one's follower answers 500, the rest go on
            answer.set_exception(exc)
            return
        self._tasks.add(task)  # held until done: the loop keeps only weak references
        task.add_done_callback(self._tasks.discard)
        task.add_done_callback(partial(_settle, answer))

    def _start_request(
        self, app: FastAPI, request: ForwardedRequest, answer: Future[Answer]
    ) -> None:
        self.served_requests += 1
        self._start(answered(app, request), answer)

    def _start_arrived(self) -> None:
        """On the event loop: start every payment that arrived since the last call, their
        stored answers looked up together first (docs/adr/0093)."""
        with self._arrivals_lock:
            arrived, self._arrivals, self._woken = self._arrivals, [], False
        keys = [
            (wallet.id, key)
            for wallet, key, _, _, _ in arrived
            if key and len(key) <= idempotency_key_chars_max  # a longer one is refused anyway
        ]
        if self._look_ahead is not None and len(keys) > 1 and self._look_ahead(keys):
            self.looked_ahead += 1
        for wallet, key, body, sha256, answer in arrived:
            self._start(self._answer(wallet, key, body, sha256), answer)

    def _refuse_arrived(self) -> None:
        with self._arrivals_lock:
            arrived, self._arrivals, self._woken = self._arrivals, [], False
        for *_, answer in arrived:
            answer.set_exception(_not_serving())

    async def _answer(self, wallet: Wallet, key: str | None, body: Any, sha256: str) -> Answer:
        assert self._serve is not None and self._handler_for is not None
        self.served += 1
        try:
            response = await self._serve(wallet, key, body, sha256)
        except Exception as exc:
            handler = self._handler_for(exc)
            if handler is None:
                raise  # a bug: the follower answers 500, as for its own
            response = await handler(Request({"type": "http", "headers": []}), exc)
        return response.status_code, list(response.raw_headers), bytes(response.body)


def _settle(answer: Future[Answer], task: asyncio.Future[Answer]) -> None:
    """The writer's answer to a follower's payment, from the task that served it; a task
    cancelled (the writer stopping) leaves the outcome unknown, as a lost link does."""
    if task.cancelled():
        answer.set_exception(
            StorageUnavailable("the ledger writer stopped serving the request: outcome unknown")
        )
    elif (error := task.exception()) is not None:
        answer.set_exception(error)
    else:
        answer.set_result(task.result())


def _not_serving() -> StorageUnavailable:
    return StorageUnavailable("the ledger writer is not serving")


async def _waited(answer: Future[Answer], timeout_s: float | None = None) -> Response:
    """The writer's answer, relayed; a `StorageUnavailable` past `timeout_s` (by default
    `forward_timeout_s`)."""
    limit_s = forward_timeout_s if timeout_s is None else timeout_s
    try:
        # Shielded: should this process have become the writer in between, the call runs
        # here, and giving up waiting must not cancel it half made.
        waiting = asyncio.shield(asyncio.wrap_future(answer))
        sent = await asyncio.wait_for(waiting, limit_s)
    except TimeoutError as exc:
        raise _no_answer(limit_s) from exc
    return _relayed(sent)


def _relayed(sent: Answer) -> Response:
    status, headers, body = sent
    response = Response(body, status_code=status)
    response.raw_headers = list(headers)
    return response


def _no_answer(limit_s: float) -> StorageUnavailable:
    return StorageUnavailable(
        f"the ledger writer did not answer in {limit_s:.0f} s: its outcome is unknown"
    )

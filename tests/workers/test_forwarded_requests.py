"""A follower's API writes served whole by the ledger's writer (docs/adr/0106): the follower
answers each exactly as the writer does, its reads stay with it, and the writer's app answers
a request in process whole (a stream gathered, a bug's 500 kept, no answer a bug)."""

from __future__ import annotations

import asyncio
import logging
from collections.abc import AsyncIterator

import httpx
import pytest
from fastapi import FastAPI
from fastapi.responses import StreamingResponse
from starlette.requests import ClientDisconnect
from starlette.types import Receive, Scope, Send

from colony.api import forwarded_payments
from colony.api.app import RATE_TAKEN, _whole_body, request_bytes_max
from colony.api.forwarded_payments import PaymentForwarding
from colony.api.forwarded_requests import NoAnswer, answered, forwarded, scope_of
from colony.api.rate_limit import RateLimiter
from colony.kernel.clock import SystemClock
from colony.kernel.errors import StorageUnavailable
from tests.api.test_wallet_api import auth, open_wallet
from tests.workers.test_elected_ledger import address
from tests.workers.test_forwarded_payments import (
    Workers,
    _forwarding,
    _QuietWriter,
    _same,
    two_workers,
)

__all__ = ["address", "two_workers"]  # the workers' fixtures

ALICE, BOB = "+6591234567", "+6591234568"


def _balance(client: httpx.Client, wallet: dict[str, object]) -> int:
    me = client.get("/v1/wallets/me", headers=auth(wallet))
    assert me.status_code == 200, me.text
    return int(me.json()["balance"]["amount_minor"])


def test_a_followers_writes_are_served_by_the_writer_as_its_own(two_workers: Workers) -> None:
    writer, writer_ctx, follower, follower_ctx = two_workers
    served = _forwarding(writer_ctx)
    assert _forwarding(follower_ctx).follows and not served.follows
    # A phone proved and a wallet opened through the follower: two writes that crossed.
    alice = open_wallet(follower, ALICE)
    assert served.served_requests == 2
    bob = open_wallet(follower, BOB)
    assert served.served_requests == 4
    assert writer_ctx.wallets.cash_in(ALICE, "SGD", 10_000).result.name == "ok"
    # Reads stay where they arrive.
    before = _balance(follower, alice)
    assert served.served_requests == 4

    def send(client: httpx.Client, key: str, amount_minor: int) -> httpx.Response:
        return client.post(
            "/v1/wallets/me/transfers",
            json={"to_phone": BOB, "amount_minor": amount_minor},
            headers=auth(alice) | {"Idempotency-Key": key},
        )

    sent = send(follower, "p-1", 250)
    assert sent.status_code == 201, sent.text
    assert served.served_requests == 5
    # Its replay through either worker: the first answer, the money moved once.
    _same(send(writer, "p-1", 250), send(follower, "p-1", 250))
    assert _balance(writer, alice) == before - 250 and _balance(follower, bob) == 1 + 250
    # Refusals through each worker with keys of their own, and a key reused with another
    # body: the same answers.
    _same(send(writer, "w-big", 10**9), send(follower, "f-big", 10**9))
    _same(send(writer, "p-1", 251), send(follower, "p-1", 251))
    _same(send(writer, "w-zero", 0), send(follower, "f-zero", 0))

    # A quote, as a cross-border payment begins (refused alike here: no fresh rate loaded).
    def quote(client: httpx.Client, key: str) -> httpx.Response:
        asked = {"sell_currency": "SGD", "buy_currency": "EUR", "buy_amount_minor": 100}
        return client.post(
            "/v1/fx/quotes", json=asked, headers=auth(alice) | {"Idempotency-Key": key}
        )

    _same(quote(writer, "w-q"), quote(follower, "f-q"))
    # An unknown route and a wrong method crossed too, and were answered as the writer does.
    _same(writer.post("/v1/nowhere", json={}), follower.post("/v1/nowhere", json={}))
    _same(writer.delete("/v1/wallets/me"), follower.delete("/v1/wallets/me"))
    # The transfer, its replay, three refusals (by the follower), the quote, two unknowns.
    assert served.served_requests == 4 + 1 + 1 + 3 + 1 + 2


def test_a_followers_limits_are_taken_once_and_its_own_routes_stay(two_workers: Workers) -> None:
    """The follower takes a crossing write's rate limit and body limit; the writer takes no
    second limit; a batch route, and a form's answer's security headers, stay the
    follower's."""
    writer, writer_ctx, follower, follower_ctx = two_workers
    served = _forwarding(writer_ctx)
    alice = open_wallet(writer, ALICE)
    open_wallet(writer, BOB)
    assert writer_ctx.wallets.cash_in(ALICE, "SGD", 10_000).result.name == "ok"
    clock = SystemClock()
    # A second's worth: three writes through the follower's limit; the writer's allows one.
    follower_ctx.limiter = RateLimiter(clock, 1, 3)
    writer_ctx.limiter = RateLimiter(clock, 1, 1)
    before = served.served_requests

    def send(key: str) -> httpx.Response:
        return follower.post(
            "/v1/wallets/me/transfers",
            json={"to_phone": BOB, "amount_minor": 1},
            headers=auth(alice) | {"Idempotency-Key": key},
        )

    assert [send(f"r-{n}").status_code for n in range(4)] == [201, 201, 201, 429]
    assert served.served_requests == before + 3  # the refused one never crossed
    # A body past the limit: refused by the follower, unread, never crossed.
    too_large = follower.post(
        "/v1/wallets/me/transfers",
        content=b"{" + b" " * request_bytes_max + b"}",
        headers={"Content-Type": "application/json"},
    )
    assert too_large.status_code == 413
    # A batch route is served where it arrives.
    batch = follower.post("/v1/ledger/transfers/batch", json={"transfers": []})
    assert batch.status_code == 401, batch.text
    assert served.served_requests == before + 3
    # A credit line's form crosses; a sign-in form (an Argon2 check on the loop) does not.
    # Either answer carries the security headers once.
    for path, crossed in (("/app/credit/score", 1), ("/console/signin", 0)):
        counted = served.served_requests
        by_writer = writer.post(path, data={"email": "x@example.com"}, follow_redirects=False)
        by_follower = follower.post(path, data={"email": "x@example.com"}, follow_redirects=False)
        assert served.served_requests == counted + crossed, path
        _same(by_writer, by_follower)
        policies = [
            v for k, v in by_follower.headers.multi_items() if k == "content-security-policy"
        ]
        assert len(policies) == 1, path


def test_a_body_cut_off_by_its_client_is_never_served_as_whole() -> None:
    messages = iter(
        [{"type": "http.request", "body": b'{"a"', "more_body": True}, {"type": "http.disconnect"}]
    )

    async def receive() -> dict[str, object]:
        return next(messages)

    with pytest.raises(ClientDisconnect):
        asyncio.run(_whole_body(receive))  # type: ignore[arg-type]


def test_a_forwarded_request_keeps_what_the_followers_edge_took() -> None:
    scope: Scope = {
        "type": "http",
        "method": "POST",
        "scheme": "https",
        "path": "/v1/wallets/me/transfers",
        "raw_path": b"/v1/wallets/me/transfers",
        "query_string": b"a=1",
        "headers": [(b"authorization", b"Bearer t")],
        "client": ("10.0.0.7", 5123),
        "server": ("127.0.0.1", 8000),
        "http_version": "1.1",
    }
    request = forwarded(scope, b"{}", {RATE_TAKEN: True})
    again = scope_of(request)
    for name in ("method", "scheme", "path", "raw_path", "query_string", "headers", "client"):
        assert again[name] == scope[name], name
    # The rate limit is not taken twice: the writer's own skips a request marked taken.
    assert again[RATE_TAKEN] is True


def _app() -> FastAPI:
    app = FastAPI()

    @app.post("/v1/stream")
    async def stream() -> StreamingResponse:
        async def parts() -> AsyncIterator[bytes]:
            for part in (b"one,", b"two,", b"three"):
                yield part

        return StreamingResponse(parts(), media_type="text/plain")

    @app.post("/v1/echo")
    async def echo(body: dict[str, int]) -> dict[str, int]:
        return {k: v + 1 for k, v in body.items()}

    @app.post("/v1/bug")
    async def bug() -> None:
        raise RuntimeError("a bug at the writer")

    return app


def _request(path: str, body: bytes = b"") -> object:
    scope: Scope = {
        "type": "http",
        "method": "POST",
        "path": path,
        "headers": [(b"content-type", b"application/json")],
    }
    return forwarded(scope, body, {})


def test_the_writers_app_answers_a_request_whole(caplog: pytest.LogCaptureFixture) -> None:
    app = _app()
    status, _, body = asyncio.run(answered(app, _request("/v1/stream")))  # type: ignore[arg-type]
    assert (status, body) == (200, b"one,two,three")
    status, _, body = asyncio.run(answered(app, _request("/v1/echo", b'{"a": 1}')))  # type: ignore[arg-type]
    assert (status, body) == (200, b'{"a":2}')
    # A bug the app's server-error layer answered: its 500 crosses, and the bug is logged.
    with caplog.at_level(logging.ERROR):
        status, _, body = asyncio.run(answered(app, _request("/v1/bug")))  # type: ignore[arg-type]
    assert status == 500 and "a bug at the writer" in caplog.text


def test_an_app_that_does_not_answer_is_a_bug() -> None:
    async def silent(scope: Scope, receive: Receive, send: Send) -> None:
        await send({"type": "http.response.start", "status": 200, "headers": []})

    async def broken(scope: Scope, receive: Receive, send: Send) -> None:
        raise ValueError("broken before answering")

    with pytest.raises(NoAnswer, match="without a whole response"):
        asyncio.run(answered(silent, _request("/v1/x")))  # type: ignore[arg-type]
    with pytest.raises(ValueError, match="broken before answering"):
        asyncio.run(answered(broken, _request("/v1/x")))  # type: ignore[arg-type]


def test_a_follower_gives_up_on_a_writer_that_does_not_answer(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    writer = _QuietWriter()
    forwarding = PaymentForwarding(writer)
    monkeypatch.setattr(forwarded_payments, "forward_timeout_s", 0.05)

    async def never_answered() -> None:
        await forwarding.request(_request("/v1/x"))  # type: ignore[arg-type]

    with pytest.raises(StorageUnavailable, match="did not answer"):
        asyncio.run(never_answered())
    assert not writer.calls[0].cancelled()  # given up waiting, not cancelled

"""Payments past a bound in flight are turned away at once (docs/adr/0108): through the
served app, a payment that comes while the bound is in flight is answered 503 server_busy
with Retry-After, nothing of it begun, and the same request sent again once there is room is
served as new; a client still sending its body holds no place; the count is given back
however a payment ends."""

from __future__ import annotations

import asyncio
import json
import logging
import sqlite3
import threading
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any

import pytest

from colony.api import auth as api_auth
from colony.api.admission import PaymentsInFlight, busy_log_every_s, busy_retry_after_s
from colony.api.app import PaymentsEdge, served_app
from colony.api.context import ApiContext
from colony.bench import api_bench
from colony.cli.serve import build_context
from colony.ledger.verify import verify
from tests.api.served_payment import answer


async def _served(
    app: Any,
    body: bytes,
    token: str,
    key: str,
    receive: Any = None,
    headers: dict[bytes, bytes | None] | None = None,
) -> tuple[int, dict[bytes, bytes], Any]:
    """The payment's status, headers (by name) and JSON answer."""
    status, answered, body_sent = await answer(app, body, token, key, receive, headers)
    return status, dict(answered), json.loads(body_sent)


@contextmanager
def _writes_held(path: Path) -> Iterator[threading.Event]:
    """The database file's write lock taken by another connection, as another process's
    long transaction would: Colony's commits wait for it (on their own threads). Given
    back when the event is set, or after 20 s whatever happens (so a test cannot hang)."""
    db = sqlite3.connect(path, isolation_level=None, check_same_thread=False)
    db.execute("BEGIN IMMEDIATE")
    give_back = threading.Event()

    def hold() -> None:
        give_back.wait(20)
        db.execute("ROLLBACK")
        db.close()

    holder = threading.Thread(target=hold)
    holder.start()
    try:
        yield give_back
    finally:
        give_back.set()
        holder.join()


async def _until(condition: Any, timeout_s: float = 10.0) -> None:
    loop = asyncio.get_running_loop()
    deadline = loop.time() + timeout_s
    while not condition():
        assert loop.time() < deadline, "the condition never held"
        await asyncio.sleep(0.005)


def _served_with_bound(path: Path, bound: int) -> tuple[ApiContext, PaymentsEdge, str, bytes]:
    """The served app over a fresh SQLite file at `path`, at most `bound` payments in flight,
    each going straight on (no gathering); a funded wallet's token, and a payment's body."""
    ctx = build_context(f"sqlite:///{path}")
    ctx.payment_gather_s = 0
    ctx.payments_in_flight = PaymentsInFlight(bound)
    seeded = api_bench.seed(ctx, 1)
    body = json.dumps({"payload": seeded.payload, "amount_minor": api_bench.payment_minor})
    return ctx, served_app(ctx), seeded.wallet_tokens[0], body.encode()


def test_a_payment_past_the_bound_is_turned_away_and_served_when_sent_again(
    tmp_path: Path,
) -> None:
    path = tmp_path / "colony.db"
    ctx, edge, token, body = _served_with_bound(path, 2)
    wallet_id = ctx.api_store.wallet_for_token(api_auth.digest(token))
    paying = ctx.wallet_store.by_id(wallet_id or "")
    assert paying is not None

    async def scenario(give_back: threading.Event) -> dict[str, Any]:
        held = [asyncio.create_task(_served(edge, body, token, k)) for k in ("held-1", "held-2")]
        # Both let in, then waiting for their records' commit.
        await _until(lambda: ctx.payments_in_flight.in_flight == 2)
        turned_away = await _served(edge, body, token, "late")
        # Another spelling of the content type goes to FastAPI's route: turned away too.
        spelled = {b"content-type": b"Application/JSON"}
        turned_away_spelled = await _served(edge, body, token, "spelled", headers=spelled)
        still_held = [not task.done() for task in held]
        give_back.set()
        answered = await asyncio.gather(*held)
        again = await _served(edge, body, token, "late")
        return {
            "turned_away": turned_away,
            "turned_away_spelled": turned_away_spelled,
            "still_held": still_held,
            "answered": answered,
            "again": again,
            "in_flight_after": ctx.payments_in_flight.in_flight,
        }

    try:
        balance_before = ctx.wallets.balance(paying)
        with _writes_held(path) as give_back:
            got = asyncio.run(asyncio.wait_for(scenario(give_back), 60))
        status, headers, answer = got["turned_away"]
        assert status == 503, answer
        assert headers[b"retry-after"] == str(busy_retry_after_s).encode()
        assert answer["error"]["code"] == "server_busy"
        assert answer["error"]["type"] == "api_error"
        status, _, answer = got["turned_away_spelled"]
        assert (status, answer["error"]["code"]) == (503, "server_busy")
        # Answered at once, while the two let in were still waiting.
        assert got["still_held"] == [True, True]
        assert [a[0] for a in got["answered"]] == [201, 201]
        # Its key was never claimed: sent again with it, it is served as new, not replayed.
        status, headers, answer = got["again"]
        assert status == 201, answer
        assert b"idempotent-replayed" not in headers
        assert got["in_flight_after"] == 0
        assert ctx.payments_in_flight.turned_away == 2
        # Three payments made, the one turned away not among them.
        assert balance_before - ctx.wallets.balance(paying) == 3 * api_bench.payment_minor
        ids = {got["again"][2]["id"]} | {a[2]["id"] for a in got["answered"]}
        assert len(ids) == 3
    finally:
        assert verify(*ctx.ledger.snapshot_for_verify()).ok
        ctx.ledger.close()
        ctx.close_stores()


def test_a_client_still_sending_its_body_holds_no_place(tmp_path: Path) -> None:
    """A payment is counted once its body is whole: a client that sends headers and then
    nothing (or a trickle) cannot fill the bound and shut honest payments out."""
    path = tmp_path / "colony.db"
    ctx, edge, token, body = _served_with_bound(path, 1)

    async def scenario() -> tuple[int, int]:
        body_never_comes = asyncio.Event()

        async def slow_receive() -> dict[str, Any]:
            await body_never_comes.wait()
            return {"type": "http.disconnect"}

        slow = asyncio.create_task(_served(edge, body, token, "slow", slow_receive))
        await asyncio.sleep(0.05)
        honest = await _served(edge, body, token, "honest")
        in_flight_meanwhile = ctx.payments_in_flight.in_flight
        body_never_comes.set()  # the slow client goes away without a body
        with pytest.raises(KeyError):  # nothing answered it: nobody to answer
            await slow
        return honest[0], in_flight_meanwhile

    try:
        assert asyncio.run(asyncio.wait_for(scenario(), 30)) == (201, 0)
        assert ctx.payments_in_flight.turned_away == 0
    finally:
        ctx.ledger.close()
        ctx.close_stores()


def test_a_payment_refused_or_served_elsewhere_gives_its_place_back(tmp_path: Path) -> None:
    """Through the served app: a refusal the route raises (a token nobody holds, a missing
    Idempotency-Key), a body FastAPI's route serves (another spelling of the content type),
    a body FastAPI refuses, and a payment made: each ends with no place held."""
    path = tmp_path / "colony.db"
    ctx, edge, token, body = _served_with_bound(path, 1)

    async def scenario() -> list[int]:
        statuses = []
        for sent, sent_token, headers in [
            (body, "not-a-token", None),
            (body, token, {b"idempotency-key": None}),
            (body, token, {b"content-type": b"Application/JSON"}),
            (b'{"payload": 5}', token, None),
            (body, token, None),
        ]:
            status, _, _ = await answer(edge, sent, sent_token, f"k-{len(statuses)}", None, headers)
            statuses.append(status)
            assert ctx.payments_in_flight.in_flight == 0, statuses
        return statuses

    try:
        assert asyncio.run(asyncio.wait_for(scenario(), 30)) == [401, 400, 201, 400, 201]
        assert ctx.payments_in_flight.turned_away == 0
    finally:
        ctx.ledger.close()
        ctx.close_stores()


def test_a_payment_cancelled_in_flight_gives_its_place_back(tmp_path: Path) -> None:
    """A payment waiting on its commit whose task is cancelled (the server stopping, its
    client gone) gives its place back: the next payment is let in, not turned away."""
    path = tmp_path / "colony.db"
    ctx, edge, token, body = _served_with_bound(path, 1)

    async def scenario(give_back: threading.Event) -> tuple[int, int]:
        waiting = asyncio.create_task(_served(edge, body, token, "cancelled"))
        await _until(lambda: ctx.payments_in_flight.in_flight == 1)
        waiting.cancel()
        with pytest.raises(asyncio.CancelledError):
            await waiting
        after_cancel = ctx.payments_in_flight.in_flight
        give_back.set()
        status, _, _ = await _served(edge, body, token, "next")
        return after_cancel, status

    try:
        with _writes_held(path) as give_back:
            assert asyncio.run(asyncio.wait_for(scenario(give_back), 60)) == (0, 201)
        assert ctx.payments_in_flight.turned_away == 0
    finally:
        ctx.ledger.close()
        ctx.close_stores()


def test_payments_turned_away_are_logged_now_and_then(caplog: pytest.LogCaptureFixture) -> None:
    """At most one line every `busy_log_every_s`, however many are turned away; those after
    the last line are told once a payment is let in after that long."""
    now = [1_000.0]
    in_flight = PaymentsInFlight(1, lambda: now[0])
    with caplog.at_level(logging.WARNING, logger="colony.api.admission"):
        assert in_flight.enter()
        assert [in_flight.enter() for _ in range(5)] == [False] * 5
        in_flight.leave()
        assert in_flight.enter()  # within the moment: nothing more said
        assert len(caplog.records) == 1
        assert "1 turned away" in caplog.records[0].getMessage()
        now[0] += busy_log_every_s  # the moment has passed
        in_flight.leave()
        assert in_flight.enter()
    assert len(caplog.records) == 2
    assert "4 turned away" in caplog.records[1].getMessage()


def test_a_place_is_given_back_however_the_payment_ends() -> None:
    """`enter` takes a place only while one is free, each `leave` gives one back; those
    turned away are counted."""
    in_flight = PaymentsInFlight(2)
    assert [in_flight.enter() for _ in range(3)] == [True, True, False]
    assert (in_flight.in_flight, in_flight.turned_away) == (2, 1)
    in_flight.leave()
    assert in_flight.enter() is True
    assert in_flight.enter() is False
    assert (in_flight.in_flight, in_flight.turned_away) == (2, 2)


def test_the_bound_is_at_least_one() -> None:
    with pytest.raises(ValueError, match="at least one payment"):
        PaymentsInFlight(0)

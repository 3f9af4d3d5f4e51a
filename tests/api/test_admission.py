"""Payments past a bound in flight are turned away at once (docs/adr/0108): through the
served app, a payment that comes while the bound is in flight is answered 503 server_busy
with Retry-After, nothing of it begun, and the same request sent again once there is room is
served as new; a client still sending its body holds no place; the count is given back
however a payment ends."""

from __future__ import annotations

import asyncio
import json
import sqlite3
import threading
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any

import pytest

from colony.api import auth as api_auth
from colony.api.admission import PaymentsInFlight, busy_retry_after_s
from colony.api.app import served_app
from colony.bench import api_bench
from colony.cli.serve import build_context
from colony.ledger.verify import verify
from tests.api.served_payment import answer


async def _served(
    app: Any, body: bytes, token: str, key: str, receive: Any = None
) -> tuple[int, dict[bytes, bytes], Any]:
    """The payment's status, headers (by name) and JSON answer."""
    status, headers, body_sent = await answer(app, body, token, key, receive)
    return status, dict(headers), json.loads(body_sent)


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


def test_a_payment_past_the_bound_is_turned_away_and_served_when_sent_again(
    tmp_path: Path,
) -> None:
    path = tmp_path / "colony.db"
    ctx = build_context(f"sqlite:///{path}")
    ctx.payment_gather_s = 0  # each payment straight on (no gathering)
    ctx.payments_in_flight_max = 2
    seeded = api_bench.seed(ctx, 1)
    token = seeded.wallet_tokens[0]
    wallet_id = ctx.api_store.wallet_for_token(api_auth.digest(token))
    paying = ctx.wallet_store.by_id(wallet_id or "")
    assert paying is not None
    edge = served_app(ctx)
    body = json.dumps({"payload": seeded.payload, "amount_minor": api_bench.payment_minor}).encode()

    async def scenario(give_back: threading.Event) -> dict[str, Any]:
        held = [asyncio.create_task(_served(edge, body, token, k)) for k in ("held-1", "held-2")]
        # Both let in, then waiting for their records' commit.
        await _until(lambda: edge.in_flight.in_flight == 2)
        turned_away = await _served(edge, body, token, "late")
        still_held = [not task.done() for task in held]
        give_back.set()
        answered = await asyncio.gather(*held)
        again = await _served(edge, body, token, "late")
        return {
            "turned_away": turned_away,
            "still_held": still_held,
            "answered": answered,
            "again": again,
            "in_flight_after": edge.in_flight.in_flight,
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
        # Answered at once, while the two let in were still waiting.
        assert got["still_held"] == [True, True]
        assert [a[0] for a in got["answered"]] == [201, 201]
        # Its key was never claimed: sent again with it, it is served as new, not replayed.
        status, headers, answer = got["again"]
        assert status == 201, answer
        assert b"idempotent-replayed" not in headers
        assert got["in_flight_after"] == 0
        assert edge.in_flight.turned_away == 1
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
    ctx = build_context(f"sqlite:///{tmp_path}/colony.db")
    ctx.payment_gather_s = 0
    ctx.payments_in_flight_max = 1
    seeded = api_bench.seed(ctx, 1)
    token = seeded.wallet_tokens[0]
    edge = served_app(ctx)
    body = json.dumps({"payload": seeded.payload, "amount_minor": api_bench.payment_minor}).encode()

    async def scenario() -> tuple[int, int]:
        body_never_comes = asyncio.Event()

        async def slow_receive() -> dict[str, Any]:
            await body_never_comes.wait()
            return {"type": "http.disconnect"}

        slow = asyncio.create_task(_served(edge, body, token, "slow", slow_receive))
        await asyncio.sleep(0.05)
        honest = await _served(edge, body, token, "honest")
        in_flight_meanwhile = edge.in_flight.in_flight
        body_never_comes.set()  # the slow client goes away without a body
        with pytest.raises(KeyError):  # nothing answered it: nobody to answer
            await slow
        return honest[0], in_flight_meanwhile

    try:
        assert asyncio.run(asyncio.wait_for(scenario(), 30)) == (201, 0)
        assert edge.in_flight.turned_away == 0
    finally:
        ctx.ledger.close()
        ctx.close_stores()


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

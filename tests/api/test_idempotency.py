"""A request whose server died mid-way: its key is not stuck, and money still moves once."""

from __future__ import annotations

import httpx

from colony.api import idempotency
from colony.api.context import ApiContext
from colony.kernel.clock import ManualClock
from tests.api.test_wallet_api import auth, open_wallet


def test_an_abandoned_claim_is_taken_over_after_the_limit(
    served: tuple[httpx.Client, ApiContext],
) -> None:
    client, ctx = served
    clock = ManualClock(ctx.clock.now_ns())
    ctx.clock = clock
    alice = open_wallet(client, "+6591234567")
    open_wallet(client, "+6598765432")
    assert ctx.wallets.cash_in("+6591234567", "SGD", 5_000).result.name == "ok"
    body = {"to_phone": "+6598765432", "amount_minor": 1_000}
    headers = auth(alice) | {"Idempotency-Key": "send-1"}
    first = client.post("/v1/wallets/me/transfers", json=body, headers=headers)
    assert first.status_code == 201
    # A second send, claimed by a server that died before answering it.
    request_hash = idempotency.request_hash(body)
    now = clock.now_ns()
    assert ctx.api_store.begin(str(alice["id"]), "send-2", request_hash, now, 0)[0] == "new"
    stuck = client.post(
        "/v1/wallets/me/transfers", json=body, headers=auth(alice) | {"Idempotency-Key": "send-2"}
    )
    assert stuck.status_code == 409
    assert stuck.json()["error"]["code"] == "idempotency_key_in_use"
    clock.advance(idempotency.in_flight_abandoned_s + 1)
    retried = client.post(
        "/v1/wallets/me/transfers", json=body, headers=auth(alice) | {"Idempotency-Key": "send-2"}
    )
    assert retried.status_code == 201, retried.text
    me = client.get("/v1/wallets/me", headers=auth(alice)).json()
    assert me["balance"]["amount_minor"] == 5_001 - 2 * 1_000
    replay = client.post(
        "/v1/wallets/me/transfers", json=body, headers=auth(alice) | {"Idempotency-Key": "send-2"}
    )
    assert replay.headers["Idempotent-Replayed"] == "true"

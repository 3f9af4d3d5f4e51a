"""Webhooks over real HTTP: events derived from the ledger, signed, retried, logged, once."""

from __future__ import annotations

import json
from collections.abc import Iterator

import httpx
import pytest

from colony.api.context import ApiContext
from colony.cli.serve import webhook_dispatcher
from colony.kernel.clock import NS_PER_S, ManualClock
from colony.merchants.webhook_signature import HEADER, SignatureError, verify
from colony.webhooks import dispatcher as relay
from colony.webhooks.http_sender import HttpSender
from colony.webhooks.model import Attempt, EventStatus
from tests.api.test_payment_api import merchant_headers, onboard, static_code
from tests.api.test_wallet_api import auth as wallet_auth
from tests.api.test_wallet_api import open_wallet
from tests.webhooks.conftest import LOOPBACK_TARGETS
from tests.webhooks.receiver import receiver

Served = tuple[httpx.Client, ApiContext]


@pytest.fixture
def sender() -> Iterator[HttpSender]:
    s = HttpSender(LOOPBACK_TARGETS, timeout_s=5)
    yield s
    s.close()


def shop_and_payer(
    client: httpx.Client, ctx: ApiContext
) -> tuple[dict[str, object], dict[str, object]]:
    """A merchant, and a wallet with 200.00 in it."""
    merchant = onboard(client, ctx)
    alice = open_wallet(client, "+6591234567")
    assert ctx.wallets.cash_in("+6591234567", "SGD", 20_000).result.name == "ok"
    return merchant, alice


def set_endpoint(client: httpx.Client, merchant: dict[str, object], url: str) -> str:
    response = client.post(
        "/v1/merchants/me/webhook_endpoint",
        json={"url": url},
        headers=merchant_headers(merchant, f"hook-{url}"),
    )
    assert response.status_code == 201, response.text
    secret = str(response.json()["secret"])
    assert secret.startswith("whsec_")
    return secret


def pay(
    client: httpx.Client, wallet: dict[str, object], code: str, key: str, **extra: object
) -> str:
    body = {"payload": code, "amount_minor": 1_000} | extra
    response = client.post(
        "/v1/payments", json=body, headers=wallet_auth(wallet) | {"Idempotency-Key": key}
    )
    assert response.status_code == 201, response.text
    return str(response.json()["id"])


def merchant_post(
    client: httpx.Client, merchant: dict[str, object], path: str, key: str, body: object = None
) -> None:
    response = client.post(path, json=body or {}, headers=merchant_headers(merchant, key))
    assert response.status_code in (200, 201), response.text


def test_every_payment_change_is_announced_signed_and_once(
    served: Served, sender: HttpSender
) -> None:
    client, ctx = served
    merchant = onboard(client, ctx)
    code = static_code(client, merchant)
    alice = open_wallet(client, "+6591234567")
    assert ctx.wallets.cash_in("+6591234567", "SGD", 20_000).result.name == "ok"
    before = pay(client, alice, code, "before")  # before the endpoint: not announced
    with receiver() as got:
        secret = set_endpoint(client, merchant, got.url)
        paid = pay(client, alice, code, "p1")
        held = pay(client, alice, code, "p2", capture=False)
        merchant_post(client, merchant, f"/v1/payments/{held}/capture", "c1", {"amount_minor": 600})
        dropped = pay(client, alice, code, "p3", capture=False)
        merchant_post(client, merchant, f"/v1/payments/{dropped}/void", "v1")
        merchant_post(client, merchant, f"/v1/payments/{paid}/refunds", "r1", {"amount_minor": 400})
        clock = ManualClock(ctx.clock.now_ns())
        dispatcher = relay.WebhookDispatcher(
            ctx.ledger, ctx.merchants.by_id, ctx.webhook_store, clock, sender
        )
        assert dispatcher.run_once() == (6, 6)
        assert dispatcher.run_once() == (0, 0)  # nothing new, nothing due: nothing sent twice
    sent = [json.loads(body) for body in got.bodies]
    assert [(e["type"], e["data"]["object"].get("id")) for e in sent] == [
        ("payment.succeeded", paid),
        ("payment.requires_capture", held),
        ("payment.succeeded", held),
        ("payment.requires_capture", dropped),
        ("payment.canceled", dropped),
        ("payment.refunded", sent[5]["data"]["object"]["id"]),
    ]
    assert before not in str(sent)
    assert sent[2]["data"]["object"]["amount_minor"] == 600  # what was captured
    assert sent[4]["data"]["object"]["cancellation_reason"] == "voided"
    assert sent[5]["data"]["object"] | {"id": None} == {
        "id": None,
        "object": "refund",
        "payment": paid,
        "amount_minor": 400,
        "currency": "SGD",
        "merchant": merchant["id"],
    }
    now_s = clock.now_ns() // NS_PER_S
    for body, headers in zip(got.bodies, got.headers, strict=True):
        verify(body, headers[HEADER], secret.encode(), now_s)
        assert headers["Colony-Event-Id"] == json.loads(body)["id"]
    with pytest.raises(SignatureError, match="no signature matches"):
        verify(
            got.bodies[0].replace(b"1000", b"9000"), got.headers[0][HEADER], secret.encode(), now_s
        )
    with pytest.raises(SignatureError, match="no signature matches"):
        verify(got.bodies[0], got.headers[0][HEADER], b"whsec_forged", now_s)


def test_failed_deliveries_back_off_and_stop_after_the_limit(
    served: Served, sender: HttpSender
) -> None:
    client, ctx = served
    merchant, alice = shop_and_payer(client, ctx)
    clock = ManualClock(ctx.clock.now_ns())
    with receiver(script=[500, 503]) as flaky:
        set_endpoint(client, merchant, flaky.url)
        paid = pay(client, alice, static_code(client, merchant), "p1")
        dispatcher = relay.WebhookDispatcher(
            ctx.ledger, ctx.merchants.by_id, ctx.webhook_store, clock, sender
        )
        assert dispatcher.run_once() == (1, 0)  # 500
        assert dispatcher.run_once() == (0, 0)  # not due yet
        clock.advance(relay.retry_delay_s(1))
        assert dispatcher.run_once() == (0, 0)  # 503
        clock.advance(relay.retry_delay_s(2) - 1)
        assert dispatcher.run_once() == (0, 0)  # one second early
        clock.advance(1)
        assert dispatcher.run_once() == (0, 1)  # third time lucky
    assert len(flaky.bodies) == 3 and len(set(flaky.bodies)) == 1
    log = client.get(
        "/v1/merchants/me/webhook_events",
        headers={"Authorization": f"Bearer {merchant['api_key']}"},
    ).json()
    (event,) = log["data"]
    assert event["status"] == "delivered" and event["payload"]["data"]["object"]["id"] == paid
    assert [(d["attempt"], d["status_code"]) for d in event["deliveries"]] == [
        (1, 500),
        (2, 503),
        (3, 200),
    ]
    assert "endpoint answered 500" in event["deliveries"][0]["error"]


def test_an_endpoint_that_never_answers_is_given_up_on(served: Served, sender: HttpSender) -> None:
    client, ctx = served
    merchant, alice = shop_and_payer(client, ctx)
    with receiver() as gone:
        url = gone.url
    set_endpoint(client, merchant, url)  # nothing listens there any more
    pay(client, alice, static_code(client, merchant), "p1")
    clock = ManualClock(ctx.clock.now_ns())
    dispatcher = relay.WebhookDispatcher(
        ctx.ledger, ctx.merchants.by_id, ctx.webhook_store, clock, sender
    )
    waits = []
    for attempt in range(1, relay.attempts_max + 1):
        assert dispatcher.run_once()[1] == 0
        waits.append(relay.retry_delay_s(attempt))
        clock.advance(relay.retry_cap_s)
    assert dispatcher.run_once() == (0, 0)  # failed: no more attempts
    (event,) = ctx.webhook_store.events(str(merchant["id"]), 10, None)[0]
    assert event.status.value == "failed" and event.attempts == relay.attempts_max
    attempts = ctx.webhook_store.attempts_of([event.id])[event.id]
    assert len(attempts) == relay.attempts_max
    assert all(a.status_code is None and "ConnectError" in a.error for a in attempts)
    assert waits[:4] == [10, 20, 40, 80] and waits[-1] <= relay.retry_cap_s


def test_a_restarted_relay_neither_loses_nor_repeats(served: Served, sender: HttpSender) -> None:
    client, ctx = served
    merchant, alice = shop_and_payer(client, ctx)
    with receiver() as got:
        set_endpoint(client, merchant, got.url)
        code = static_code(client, merchant)
        pay(client, alice, code, "p1")
        first = webhook_dispatcher(ctx, sender)
        assert first.collect() == 1  # recorded, then the process "dies" before delivering
        pay(client, alice, code, "p2")
        second = webhook_dispatcher(ctx, sender)
        assert second.run_once() == (1, 2)  # only the new change; both delivered
        assert first.run_once() == (0, 0)
    assert len(got.bodies) == 2


def test_endpoints_and_logs_are_each_merchants_own(served: Served) -> None:
    client, ctx = served
    shop = onboard(client, ctx, "Shop A")
    other = onboard(client, ctx, "Shop B")
    for url, code in [
        ("ftp://example.com/x", "url_invalid"),
        ("not a url", "url_invalid"),
        ("http://example.com/hooks", "url_insecure"),
    ]:
        response = client.post(
            "/v1/merchants/me/webhook_endpoint",
            json={"url": url},
            headers=merchant_headers(shop, f"bad-{url}"),
        )
        assert response.status_code == 400 and response.json()["error"]["code"] == code
        assert response.json()["error"]["param"] == "url"
    set_endpoint(client, shop, "https://shop-a.example/hooks")
    read = client.get(
        "/v1/merchants/me/webhook_endpoint", headers={"Authorization": f"Bearer {shop['api_key']}"}
    )
    assert read.json()["url"] == "https://shop-a.example/hooks" and "secret" not in read.json()
    missing = client.get(
        "/v1/merchants/me/webhook_endpoint", headers={"Authorization": f"Bearer {other['api_key']}"}
    )
    assert missing.status_code == 404
    alice = open_wallet(client, "+6591234567")
    assert ctx.wallets.cash_in("+6591234567", "SGD", 20_000).result.name == "ok"
    pay(client, alice, static_code(client, shop), "p1")
    webhook_dispatcher(ctx, lambda *_: relay.Answer(None, "unreachable")).collect()
    (event,) = ctx.webhook_store.events(str(shop["id"]), 10, None)[0]
    theirs = client.get(
        "/v1/merchants/me/webhook_events",
        params={"starting_after": event.id},
        headers={"Authorization": f"Bearer {other['api_key']}"},
    )
    assert theirs.status_code == 400 and theirs.json()["error"]["param"] == "starting_after"
    empty = client.get(
        "/v1/merchants/me/webhook_events", headers={"Authorization": f"Bearer {other['api_key']}"}
    )
    assert empty.json()["data"] == []
    anonymous = client.get("/v1/merchants/me/webhook_events")
    assert anonymous.status_code == 401


def test_the_delivery_log_pages(served: Served) -> None:
    client, ctx = served
    merchant, alice = shop_and_payer(client, ctx)
    set_endpoint(client, merchant, "https://shop.example/hooks")
    code = static_code(client, merchant)
    paid = [pay(client, alice, code, f"p{i}", amount_minor=100 + i) for i in range(7)]
    webhook_dispatcher(ctx, lambda *_: relay.Answer(None, "unreachable")).collect()
    # Each event its own number of failed attempts (0, 1, 2, 0, ...), so a page shows every
    # event with its own deliveries and no other's.
    stored, _ = ctx.webhook_store.events(str(merchant["id"]), 10, None)
    tried = {e.id: [n + 1 for n in range(i % 3)] for i, e in enumerate(stored)}
    for event_id, numbers in tried.items():
        for n in numbers:
            attempt = Attempt(event_id, n, n * NS_PER_S, 500, "HTTP 500", 7)
            ctx.webhook_store.record_attempt(attempt, EventStatus.pending, (n + 60) * NS_PER_S)
    seen: list[str] = []
    delivered: dict[str, list[int]] = {}
    cursor = None
    headers = {"Authorization": f"Bearer {merchant['api_key']}"}
    while True:
        params: dict[str, str | int] = {"limit": 3}
        if cursor:
            params["starting_after"] = cursor
        page = client.get("/v1/merchants/me/webhook_events", params=params, headers=headers).json()
        seen += [e["payload"]["data"]["object"]["id"] for e in page["data"]]
        delivered |= {e["id"]: [d["attempt"] for d in e["deliveries"]] for e in page["data"]}
        cursor = page["next_cursor"]
        if not page["has_more"]:
            break
    assert seen == list(reversed(paid))  # newest first, each once
    assert delivered == tried
    too_many = client.get("/v1/merchants/me/webhook_events", params={"limit": 101}, headers=headers)
    assert too_many.status_code == 400 and too_many.json()["error"]["param"] == "limit"

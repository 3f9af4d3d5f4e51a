"""A payment's first answer is kept with its record, not as an answer of its own
(docs/adr/0033): given again the same for the same request, whatever happened to the payment
since; refused for another request with the key, as every route refuses it; on both backends."""

from __future__ import annotations

import inspect
import json

import httpx
import pytest

from colony.api.context import ApiContext
from colony.api.payment_views import parse_payment_ref
from colony.payments import router as payments_router
from tests.api.test_edge_input import Shop, shop_on_each_backend  # noqa: F401 (a fixture)
from tests.api.test_payment_api import merchant_headers, static_code
from tests.api.test_wallet_api import auth


def _first_try(
    shop: Shop, key: str, **fields: object
) -> tuple[dict[str, str], dict[str, object], httpx.Response]:
    """Alice pays the shop's static code under `key` with `fields`: the request's headers
    and body, and its answer."""
    client, _, merchant, alice = shop
    headers = auth(alice) | {"Idempotency-Key": key}
    body = {"payload": static_code(client, merchant), **fields}
    return headers, body, client.post("/v1/payments", json=body, headers=headers)


def test_a_payments_first_answer_is_given_again_from_its_record(
    shop_on_each_backend: Shop,  # noqa: F811
) -> None:
    client, ctx, merchant, alice = shop_on_each_backend
    headers, body, paid = _first_try(
        shop_on_each_backend, "kept-1", amount_minor=1_000, description="noodles"
    )
    assert paid.status_code == 201, paid.text
    assert "Idempotent-Replayed" not in paid.headers
    pid = parse_payment_ref(paid.json()["id"])
    assert pid is not None and ctx.payments.records is not None
    record = ctx.payments.records.by_id(pid)
    assert record is not None and record.request_sha256 is not None
    # No answer of its own was written: the record keeps it.
    assert ctx.api_store._stored_answer(str(alice["id"]), "kept-1") is None  # type: ignore[attr-defined]

    refunded = client.post(
        f"/v1/payments/{paid.json()['id']}/refunds",
        json={"amount_minor": 400},
        headers=merchant_headers(merchant, "kept-r1"),
    )
    assert refunded.status_code == 201, refunded.text
    again = client.post("/v1/payments", json=body, headers=headers)
    assert again.status_code == 201, again.text
    assert again.headers["Idempotent-Replayed"] == "true"
    assert again.content == paid.content  # as it was made, not as it stands now

    other = client.post("/v1/payments", json=body | {"amount_minor": 999}, headers=headers)
    assert other.status_code == 409, other.text
    assert other.json()["error"]["code"] == "idempotency_key_reused"
    assert "Idempotent-Replayed" not in other.headers
    # The refusal is kept nowhere: the first request is still answered as it was.
    assert client.post("/v1/payments", json=body, headers=headers).content == paid.content
    balance = client.get("/v1/wallets/me", headers=auth(alice)).json()["balance"]
    assert (
        balance["amount_minor"] == 1 + 20_000 - 1_000 + 400
    )  # opened with 1, paid once, refunded once


def test_an_authorisations_first_answer_stays_as_it_was_made(
    shop_on_each_backend: Shop,  # noqa: F811
) -> None:
    client, _, merchant, _ = shop_on_each_backend
    headers, body, held = _first_try(
        shop_on_each_backend, "kept-a1", amount_minor=3_000, capture=False
    )
    assert held.status_code == 201 and held.json()["status"] == "requires_capture"
    captured = client.post(
        f"/v1/payments/{held.json()['id']}/capture",
        json={},
        headers=merchant_headers(merchant, "kept-c1"),
    )
    assert captured.status_code == 200 and captured.json()["status"] == "succeeded"
    again = client.post("/v1/payments", json=body, headers=headers)
    assert again.headers["Idempotent-Replayed"] == "true"
    assert again.content == held.content


def test_a_payment_retried_after_its_payer_is_frozen_is_given_its_first_answer(
    shop_on_each_backend: Shop,  # noqa: F811
) -> None:
    """The money moved once: a freeze since refuses new money, not the answer of money
    that moved (a retry whose first answer was lost on the way)."""
    client, ctx, _, alice = shop_on_each_backend
    headers, body, paid = _first_try(shop_on_each_backend, "kept-frozen", amount_minor=1_500)
    assert paid.status_code == 201, paid.text
    assert ctx.wallets.freeze(str(alice["id"]), "reported").name == "ok"
    again = client.post("/v1/payments", json=body, headers=headers)
    assert again.status_code == 201, again.text
    assert again.headers["Idempotent-Replayed"] == "true" and again.content == paid.content
    fresh = client.post("/v1/payments", json=body, headers=headers | {"Idempotency-Key": "k2"})
    assert fresh.status_code == 409 and fresh.json()["error"]["code"] == "wallet_frozen"
    # The same key with another request is still another request.
    other = client.post("/v1/payments", json=body | {"amount_minor": 1}, headers=headers)
    assert other.json()["error"]["code"] == "wallet_frozen", other.text
    balance = client.get("/v1/wallets/me", headers=auth(alice)).json()["balance"]
    assert balance["amount_minor"] == 1 + 20_000 - 1_500


def test_a_refused_payment_keeps_its_answer_under_the_key(
    shop_on_each_backend: Shop,  # noqa: F811
) -> None:
    """A refusal moves no money, so the record cannot give it again: it is kept as before."""
    client = shop_on_each_backend[0]
    headers, body, refused = _first_try(shop_on_each_backend, "kept-poor", amount_minor=50_000)
    assert refused.status_code == 402, refused.text
    again = client.post("/v1/payments", json=body, headers=headers)
    assert again.headers["Idempotent-Replayed"] == "true" and again.content == refused.content


def test_the_payment_routes_fast_path_serves_what_the_route_declares() -> None:
    """`PaymentsFirst` (api/app.py) calls the route with its body and request only: a new
    parameter of the route (a query, a dependency) would not be seen by it, so this fails
    first and the fast path is changed with the route."""
    from colony.payments.router import create_payment

    assert list(inspect.signature(create_payment).parameters) == ["body", "request"]


async def _broken(*_: object) -> None:
    """A payment path with a bug in it."""
    raise RuntimeError("a bug")


def test_a_bug_on_the_payment_routes_fast_path_is_a_500_in_the_apis_shape(
    shop: tuple[httpx.Client, ApiContext, dict[str, object], dict[str, object]],
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    """The edge serves payments without the app's server-error layer (api/app.py,
    `PaymentsEdge`): a bug there is still answered as that layer answers one."""
    client, _, merchant, alice = shop

    monkeypatch.setattr(payments_router, "create_payment", _broken)
    answer = client.post(
        "/v1/payments",
        json={"payload": static_code(client, merchant), "amount_minor": 1_000},
        headers=auth(alice) | {"Idempotency-Key": "bug"},
    )
    assert answer.status_code == 500
    assert answer.json()["error"]["code"] == "internal_error"
    assert answer.json()["error"]["type"] == "api_error"


def test_a_bug_on_a_payment_handed_on_to_the_app_is_answered_and_logged_once(
    shop: tuple[httpx.Client, ApiContext, dict[str, object], dict[str, object]],
    monkeypatch: pytest.MonkeyPatch,
    caplog: pytest.LogCaptureFixture,
) -> None:
    """A body the fast path hands on (a JSON type it does not read itself) is answered by the
    app, a bug there by the app's own server-error layer: the edge neither answers it a
    second time nor logs it twice."""
    client, _, merchant, alice = shop

    monkeypatch.setattr(payments_router, "_pay_on_loop", _broken)
    body = json.dumps({"payload": static_code(client, merchant), "amount_minor": 1_000})
    answer = client.post(
        "/v1/payments",
        content=body,
        headers=auth(alice)
        | {"Idempotency-Key": "bug", "Content-Type": "application/payment+json"},
    )
    assert answer.status_code == 500
    assert answer.json()["error"]["code"] == "internal_error"
    logged = [r for r in caplog.records if r.getMessage() == "unhandled error"]
    assert len(logged) == 1

"""What the edge accepts, over real HTTP on both backends: an amount or a text that storage
cannot hold is a 400 naming its parameter before anything is written, never a 500 or a 503,
and a bad request never fails anyone else's payment (docs/adr/0029)."""

from __future__ import annotations

import dataclasses
import json
from collections.abc import Iterator
from concurrent.futures import ThreadPoolExecutor

import httpx
import pytest
from fastapi.routing import APIRoute
from pydantic import BaseModel

from colony.api.app import ROUTERS, batch_request_bytes_max, request_bytes_max
from colony.api.context import ApiContext
from colony.api.input_limits import RequestBody
from colony.cli.serve import build_context
from colony.kernel.money import amount_minor_max
from tests.api.test_payment_api import (
    SHOP,
    merchant_headers,
    onboard,
    operator_headers,
    static_code,
)
from tests.api.test_wallet_api import auth, on_loopback, open_wallet, proof_of

ALICE, BOB = "+6591234567", "+6598765432"
Shop = tuple[httpx.Client, ApiContext, dict[str, object], dict[str, object]]
# Past a signed 64-bit column (BIGINT, SQLite's INTEGER), and past the ledger's u128.
PAST_BIGINT = 2**63
PAST_U128 = 2**128


@pytest.fixture
def shop_on_each_backend(store_url: str) -> Iterator[Shop]:
    """A merchant, and Alice's wallet with money in it, on SQLite and PostgreSQL in turn."""
    ctx = build_context(store_url)
    with on_loopback(ctx) as client:
        merchant = onboard(client, ctx)
        alice = open_wallet(client, ALICE)
        open_wallet(client, BOB)
        assert ctx.wallets.cash_in(ALICE, "SGD", 20_000).result.name == "ok"
        yield client, ctx, merchant, alice


def refused(response: httpx.Response, param: str, code: str = "parameter_invalid") -> None:
    assert response.status_code == 400, response.text
    error = response.json()["error"]
    assert (error["code"], error["param"]) == (code, param), error


def post(
    client: httpx.Client, path: str, body: dict[str, object], headers: dict[str, str]
) -> httpx.Response:
    """`body` as JSON with every non-ASCII character escaped: a lone surrogate (which JSON
    can carry) arrives as the server's decoder makes it."""
    json_headers = headers | {"Content-Type": "application/json"}
    return client.post(path, content=json.dumps(body), headers=json_headers)


def pay(
    client: httpx.Client, alice: dict[str, object], code: str, key: str, **body: object
) -> httpx.Response:
    payment = {"payload": code, "amount_minor": 100} | body
    return post(client, "/v1/payments", payment, auth(alice) | {"Idempotency-Key": key})


def test_every_request_body_is_held_to_what_storage_holds() -> None:
    """Every route's JSON body is a `RequestBody` (its texts checked), and every amount in it
    is bounded by `amount_minor_max` at most: a new route cannot forget either."""
    bodies = {
        param.field_info.annotation
        for router in ROUTERS
        for route in router.routes
        if isinstance(route, APIRoute)
        for param in route.dependant.body_params
    }
    models = [b for b in bodies if isinstance(b, type) and issubclass(b, BaseModel)]
    assert len(models) >= 15
    for model in models:
        assert issubclass(model, RequestBody), model
        assert model.name_fields <= set(model.model_fields), model
        for name, schema in model.model_json_schema()["properties"].items():
            if name.endswith("amount_minor"):
                maxima = [s.get("maximum") for s in [schema, *schema.get("anyOf", [])]]
                assert any(m is not None and m <= amount_minor_max for m in maxima), (model, name)


def test_amounts_past_what_storage_holds_are_named(shop_on_each_backend: Shop) -> None:
    client, _, merchant, alice = shop_on_each_backend
    code = static_code(client, merchant)
    refused(pay(client, alice, code, "big", amount_minor=PAST_BIGINT), "amount_minor")
    refused(pay(client, alice, code, "huge", amount_minor=PAST_U128), "amount_minor")
    by_code = post(
        client,
        "/v1/payments/code",
        {"code": "28" + "0" * 16, "amount_minor": PAST_BIGINT},
        merchant_headers(merchant, "code-big"),
    )
    refused(by_code, "amount_minor")
    held = pay(client, alice, code, "held", capture=False)
    assert held.status_code == 201, held.text
    payment = held.json()["id"]
    for action in ("capture", "refunds"):
        answer = post(
            client,
            f"/v1/payments/{payment}/{action}",
            {"amount_minor": PAST_U128},
            merchant_headers(merchant, f"{action}-huge"),
        )
        refused(answer, "amount_minor")
    p2p = post(
        client,
        f"/v1/wallets/{alice['id']}/transfers",
        {"to_phone": BOB, "amount_minor": PAST_U128},
        auth(alice) | {"Idempotency-Key": "p2p-huge"},
    )
    refused(p2p, "amount_minor")
    # The honest payment beside them went through.
    assert client.get(f"/v1/payments/{payment}", headers=auth(alice)).status_code == 200


@pytest.mark.parametrize("bad", ["nul\x00in", "bell\x07", "esc\x1b[31m", "lone \ud800"])
def test_texts_storage_cannot_hold_are_named(shop_on_each_backend: Shop, bad: str) -> None:
    client, _ctx, merchant, alice = shop_on_each_backend
    code = static_code(client, merchant)
    refused(pay(client, alice, code, f"d-{bad!r}", description=bad), "description")
    refused(pay(client, alice, code, f"r-{bad!r}", reference=bad), "reference")
    wallet = post(
        client,
        "/v1/wallets",
        {"phone": "+6590000001", "name": bad, "currency": "SGD"} | proof_of(client, "+6590000001"),
        {"Idempotency-Key": f"w-{bad!r}"},
    )
    refused(wallet, "name")
    key = post(
        client,
        "/v1/merchants/me/api_keys",
        {"name": bad},
        merchant_headers(merchant, f"k-{bad!r}"),
    )
    refused(key, "name")


def test_honest_payments_never_fail_beside_bad_ones(shop_on_each_backend: Shop) -> None:
    """A trickle of requests storage cannot hold, among honest payments at the same moment
    (so in the same group commits): every honest payment succeeds, every bad one is a 400."""
    client, _, merchant, alice = shop_on_each_backend
    code = static_code(client, merchant)
    bad = [{"amount_minor": PAST_BIGINT}, {"description": "x\x00y"}, {"reference": "\ud800"}]

    def attempt(n: int) -> tuple[bool, httpx.Response]:
        if n % 4 == 3:
            return False, pay(client, alice, code, f"bad-{n}", **bad[n % len(bad)])
        return True, pay(client, alice, code, f"honest-{n}", amount_minor=10)

    with ThreadPoolExecutor(max_workers=16) as pool:
        answers = list(pool.map(attempt, range(120)))
    honest = [r for ok, r in answers if ok]
    assert [r.status_code for r in honest] == [201] * len(honest), [
        r.text for r in honest if r.status_code != 201
    ][:3]
    assert {r.status_code for ok, r in answers if not ok} == {400}


def test_what_reaches_storage_unstorable_is_a_400_not_an_outage(
    shop_on_each_backend: Shop, monkeypatch: pytest.MonkeyPatch
) -> None:
    """Past the edge's checks (as a future field might slip by them), a value the database
    refuses is answered as bad input on both backends, never 500 nor 503 "retry"."""
    client, ctx, merchant, alice = shop_on_each_backend
    code = static_code(client, merchant)
    store = ctx.payments.records
    assert store is not None
    # A payment's record is written by `add_later` on the event loop, by `add` on a thread.
    add, add_later = store.add, store.add_later
    monkeypatch.setattr(
        store, "add", lambda r: add(dataclasses.replace(r, amount_minor=PAST_BIGINT))
    )
    monkeypatch.setattr(
        store,
        "add_later",
        lambda r: add_later(dataclasses.replace(r, amount_minor=PAST_BIGINT)),
    )
    answer = pay(client, alice, code, "slipped")
    assert answer.status_code == 400, answer.text
    assert answer.json()["error"]["code"] == "parameter_invalid"
    monkeypatch.setattr(store, "add", add)
    monkeypatch.setattr(store, "add_later", add_later)
    assert pay(client, alice, code, "honest").status_code == 201


@pytest.mark.parametrize("depth", [2_000, 30_000])  # within the body limit
def test_a_body_nested_too_deep_is_a_400(shop_on_each_backend: Shop, depth: int) -> None:
    """Python's JSON reader gives up past the interpreter's recursion limit: whoever reads a
    body (FastAPI for a model, the ledger's batch route itself) answers 400, never 500."""
    client, ctx, _, alice = shop_on_each_backend
    nested = "[" * depth + "]" * depth
    operator = operator_headers(ctx)
    for path, body, headers in [
        ("/v1/ledger/transfers/batch", f'{{"transfers": {nested}}}', operator),
        ("/v1/payments", f'{{"payload": "x", "extra": {nested}}}', auth(alice)),
        ("/v1/merchants", f'{{"legal_name": {nested}}}', operator),
    ]:
        answer = client.post(
            path,
            content=body,
            headers=headers | {"Content-Type": "application/json", "Idempotency-Key": path},
        )
        assert answer.status_code == 400, answer.text
        error = answer.json()["error"]
        assert error["code"] == "parameter_invalid" and "nested" in error["message"], error


def test_request_bodies_are_capped_batch_routes_higher(shop_on_each_backend: Shop) -> None:
    """A body past `request_bytes_max` is refused 413 in Colony's error shape, whether its
    Content-Length says so or it streams in chunks; the batch routes take up to
    `batch_request_bytes_max`."""
    client, ctx, _, alice = shop_on_each_backend
    padding = "x" * request_bytes_max
    wallet = {"phone": "+6590000003", "name": "A", "currency": "SGD", "pad": padding}
    too_large = client.post("/v1/wallets", json=wallet, headers={"Idempotency-Key": "big"})
    assert too_large.status_code == 413, too_large.text
    assert too_large.json()["error"]["code"] == "request_too_large"

    def chunks() -> Iterator[bytes]:  # no Content-Length: the bytes are counted as they come
        yield b'{"payload": "'
        for _ in range(request_bytes_max // 1024 + 1):
            yield b"x" * 1024
        yield b'"}'

    streamed = client.post(
        "/v1/payments",
        content=chunks(),
        headers=auth(alice) | {"Idempotency-Key": "streamed", "Content-Type": "application/json"},
    )
    assert streamed.status_code == 413, streamed.text
    assert streamed.json()["error"]["code"] == "request_too_large"
    # A batch past the ordinary cap is read (and its malformed events named), up to its own.
    operator = operator_headers(ctx)
    batch = {"transfers": [{"id": n, "note": padding} for n in range(2)]}
    read = client.post(
        "/v1/ledger/transfers/batch", json=batch, headers=operator | {"Idempotency-Key": "b1"}
    )
    assert read.status_code == 400, read.text
    statement = "id,amount_minor,currency\n" + "pay_x,1,SGD\n" * (request_bytes_max // 10)
    reconciled = client.post(
        "/v1/settlements/2026-03-14/reconciliations",
        params={"partner": "ptn_none"},
        content=statement,
        headers=operator | {"Idempotency-Key": "statement", "Content-Type": "text/csv"},
    )
    assert reconciled.status_code == 404, reconciled.text  # read, then its partner looked up
    huge = {"transfers": ["x" * batch_request_bytes_max]}
    refused = client.post(
        "/v1/ledger/transfers/batch", json=huge, headers=operator | {"Idempotency-Key": "b2"}
    )
    assert refused.status_code == 413, refused.text
    assert refused.json()["error"]["code"] == "request_too_large"


def test_names_refuse_controls_bidi_overrides_and_unknown_countries(
    shop_on_each_backend: Shop,
) -> None:
    client, ctx, _, _ = shop_on_each_backend
    operator = operator_headers(ctx)
    for field, value in [
        ("display_name", "evil\u202egnp.exe"),
        ("legal_name", "Isolated \u2066name\u2069"),
        ("legal_name", "Tab\tName"),
        ("city", "Sing\u202apore"),
        ("country", "ZZ"),  # shaped like a code, assigned to no country
        ("country", "XK"),  # in use for Kosovo, but not assigned by ISO 3166-1
    ]:
        answer = post(
            client,
            "/v1/merchants",
            SHOP | {field: value},
            operator | {"Idempotency-Key": f"m-{field}-{value!r}"},
        )
        refused(answer, field, "invalid_country" if field == "country" else "parameter_invalid")
    partner = {"name": "GCash", "brand": "GCash", "country": "PH", "currency": "PHP"}
    for field, value in [("name", "G\u202eCash"), ("brand", "G\x00Cash"), ("country", "QQ")]:
        answer = post(
            client,
            "/v1/partners",
            partner | {field: value},
            operator | {"Idempotency-Key": f"p-{field}-{value!r}"},
        )
        refused(answer, field, "unknown_country" if field == "country" else "parameter_invalid")
    cause = post(
        client,
        "/v1/causes",
        {"name": "Food \u2067Bank", "currency": "SGD"},
        operator | {"Idempotency-Key": "cause-bidi"},
    )
    refused(cause, "name")
    wallet = post(
        client,
        "/v1/wallets",
        {"phone": "+6590000002", "name": "Ann\u202dA", "currency": "SGD"}
        | proof_of(client, "+6590000002"),
        {"Idempotency-Key": "w-bidi"},
    )
    refused(wallet, "name")
    # Names in any script are welcome: only the invisible reordering marks are refused.
    welcome = post(
        client,
        "/v1/merchants",
        SHOP | {"display_name": "مطعم 東京 Café", "country": "AE"},
        operator | {"Idempotency-Key": "m-welcome"},
    )
    assert welcome.status_code == 201, welcome.text

"""The HTTP API over real HTTP on loopback: responses, the ledger behind them, and security."""

from __future__ import annotations

import contextlib
import re
import sqlite3
import threading
import time
from collections.abc import Callable, Iterator
from pathlib import Path

import httpx
import pytest
import uvicorn

from colony.api import auth as api_auth
from colony.api.app import served_app
from colony.api.context import ApiContext
from colony.api.idempotency import request_hash
from colony.cli.serve import build_context
from colony.ledger.verify import verify
from colony.payments.emv_qr import MerchantQr, generate
from tests.api.conformance import Conformance

# How long the test server may take to start, in seconds.
server_start_timeout_s = 10.0


@contextlib.contextmanager
def on_loopback(ctx: ApiContext) -> Iterator[httpx.Client]:
    """The API over `ctx` served by uvicorn on a free loopback port, and a client for it; on
    the way out the server stops, the ledger must verify, and the stores close."""
    edge = served_app(ctx)
    server = uvicorn.Server(uvicorn.Config(edge, host="127.0.0.1", port=0, log_level="warning"))
    thread = threading.Thread(target=server.run, daemon=True)
    thread.start()
    deadline = time.monotonic() + server_start_timeout_s
    while not server.started:
        assert time.monotonic() < deadline, "server did not start"
        time.sleep(0.01)
    port = server.servers[0].sockets[0].getsockname()[1]
    operator_headers(ctx)  # the outbox's reader, for `open_wallet`
    # Every answer is checked against the OpenAPI description as it arrives.
    hooks = {"response": [Conformance(edge.app.openapi())]}
    with httpx.Client(base_url=f"http://127.0.0.1:{port}", timeout=10, event_hooks=hooks) as client:
        yield client
    server.should_exit = True
    thread.join(timeout=10)
    assert verify(*ctx.ledger.snapshot_for_verify()).ok
    ctx.ledger.close()
    ctx.close_stores()


@pytest.fixture
def served(tmp_path: Path) -> Iterator[tuple[httpx.Client, ApiContext]]:
    ctx = build_context(f"sqlite:///{tmp_path}/api.db")
    with on_loopback(ctx) as client:
        yield client, ctx


# The operator key the tests use: it reads the SMS outbox, where the codes are.
OPERATOR_KEY = api_auth.OPERATOR_KEY_PREFIX + "11" * 32
OPERATOR = {"Authorization": f"Bearer {OPERATOR_KEY}"}


def operator_headers(ctx: ApiContext) -> dict[str, str]:
    if ctx.api_store.key_owner(api_auth.digest(OPERATOR_KEY)) is None:
        ctx.api_store.add_key(api_auth.digest(OPERATOR_KEY), "operator", "operator",
                              ctx.clock.now_ns())  # fmt: skip
    return dict(OPERATOR)


def sent_code(client: httpx.Client, phone: str) -> str:
    """The newest code texted to `phone`, read from the operator's outbox (other texts, such
    as a request for money, may have come since)."""
    page = client.get("/v1/sms_outbox", params={"phone": phone, "limit": 10}, headers=OPERATOR)
    assert page.status_code == 200, page.text
    texts = [str(message["text"]) for message in page.json()["data"]]
    codes = [found.group() for text in texts if (found := re.match(r"[0-9]{6}\b", text))]
    assert codes, page.text
    return codes[0]


def proof_of(client: httpx.Client, phone: str, key: str | None = None) -> dict[str, str]:
    """What opening a wallet on `phone` needs besides its fields: a verification started for
    it, and the code texted to it."""
    started = client.post(
        "/v1/phone_verifications",
        json={"phone": phone, "purpose": "open_wallet"},
        headers={"Idempotency-Key": key or f"prove-{phone}"},
    )
    assert started.status_code == 202, started.text
    return {"verification": str(started.json()["id"]), "code": sent_code(client, phone)}


def open_wallet(
    client: httpx.Client, phone: str, key: str | None = None, currency: str = "SGD"
) -> dict[str, object]:
    """Open a wallet over HTTP as a person does: prove the number, then open."""
    response = client.post(
        "/v1/wallets",
        json={"phone": phone, "name": "Test Person", "currency": currency}
        | proof_of(client, phone, f"prove-{key or phone}-{currency}"),
        headers={"Idempotency-Key": key or f"open-{phone}"},
    )
    assert response.status_code == 201, response.text
    return response.json()  # type: ignore[no-any-return]


def auth(wallet: dict[str, object]) -> dict[str, str]:
    return {"Authorization": f"Bearer {wallet['token']}"}


def test_open_wallet_and_read_it_back(served: tuple[httpx.Client, ApiContext]) -> None:
    client, ctx = served
    wallet = open_wallet(client, "+6591234567")
    assert str(wallet["id"]).startswith("wal_") and str(wallet["token"]).startswith("wtok_")
    assert wallet["balance"] == {"amount_minor": 1, "currency": "SGD", "formatted": "SGD0.01"}
    me = client.get("/v1/wallets/me", headers=auth(wallet))
    assert me.status_code == 200 and me.json()["id"] == wallet["id"]
    assert "token" not in me.json()  # shown once only
    stored = ctx.wallet_store.by_id(str(wallet["id"]))
    assert stored is not None and ctx.wallets.balance(stored) == 1  # the ledger agrees


def test_the_code_is_kept_with_the_request_only_as_a_keyed_digest(
    served: tuple[httpx.Client, ApiContext], tmp_path: Path
) -> None:
    """The Idempotency-Key record hashes the request: were the code in it in clear, a reader
    of the database could find it by hashing the million codes, and open another currency
    on the number while the proof lasts."""
    client, _ = served
    body = {"phone": "+6591234567", "name": "Ann", "currency": "SGD"} | proof_of(
        client, "+6591234567"
    )
    assert client.post("/v1/wallets", json=body, headers={"Idempotency-Key": "k1"}).is_success
    with sqlite3.connect(tmp_path / "api.db") as db:
        kept = {row[0] for row in db.execute("SELECT request_sha256 FROM api_idempotency")}
    assert kept and request_hash(body) not in kept
    # The same code still makes the same request: a retry replays, another code is a reuse.
    again = client.post("/v1/wallets", json=body, headers={"Idempotency-Key": "k1"})
    assert again.status_code == 201 and again.headers["Idempotent-Replayed"] == "true"
    wrong = str((int(body["code"]) + 1) % 1_000_000).zfill(6)
    other = client.post(
        "/v1/wallets", json={**body, "code": wrong}, headers={"Idempotency-Key": "k1"}
    )
    assert other.status_code == 409 and other.json()["error"]["code"] == "idempotency_key_reused"


def test_idempotency_key_replays_and_refuses_other_bodies(
    served: tuple[httpx.Client, ApiContext],
) -> None:
    client, _ = served
    body = {"phone": "+6591234567", "name": "Ann", "currency": "SGD"} | proof_of(
        client, "+6591234567"
    )
    first = client.post("/v1/wallets", json=body, headers={"Idempotency-Key": "k1"})
    again = client.post("/v1/wallets", json=body, headers={"Idempotency-Key": "k1"})
    assert first.status_code == again.status_code == 201
    assert again.headers["Idempotent-Replayed"] == "true"
    # A replay shows the record but not its secret: the token is shown once, and it is never
    # stored in clear, not even in the idempotency records.
    expected = {k: v for k, v in first.json().items() if k != "token"}
    assert again.json() == expected and "token" in first.json()
    other = client.post(
        "/v1/wallets", json={**body, "name": "Bob"}, headers={"Idempotency-Key": "k1"}
    )
    assert other.status_code == 409 and other.json()["error"]["code"] == "idempotency_key_reused"
    # A stranger opening another number with the same key is another caller, not a reuse.
    stranger = {"phone": "+6598765432", "name": "Cai", "currency": "SGD"} | proof_of(
        client, "+6598765432"
    )
    theirs = client.post("/v1/wallets", json=stranger, headers={"Idempotency-Key": "k1"})
    assert theirs.status_code == 201 and "Idempotent-Replayed" not in theirs.headers
    assert theirs.json()["id"] != first.json()["id"] and "token" in theirs.json()
    missing = client.post("/v1/wallets", json=body)
    assert missing.status_code == 400
    assert missing.json()["error"] == {
        "type": "invalid_request_error",
        "code": "idempotency_key_missing",
        "message": "every POST needs an Idempotency-Key header",
        "param": "Idempotency-Key",
    }
    # The number's holder, who typed its code, is told which wallet the number already has.
    taken = client.post("/v1/wallets", json=body, headers={"Idempotency-Key": "k2"})
    assert taken.status_code == 409 and taken.json()["error"]["code"] == "phone_taken"
    assert str(first.json()["id"]) in taken.json()["error"]["message"]


def p2p_sent(
    client: httpx.Client, ctx: ApiContext
) -> tuple[dict[str, str], httpx.Response, Callable[[], tuple[int, int]]]:
    """Alice, with 100.00 SGD, sends Bob 25.00 once over HTTP: her request's headers, its
    answer, and how to read both balances (each wallet gets 0.01 on opening)."""
    alice, bob = open_wallet(client, "+6591234567"), open_wallet(client, "+6598765432")
    assert ctx.wallets.cash_in("+6591234567", "SGD", 10_000).result.name == "ok"
    headers = auth(alice) | {"Idempotency-Key": "pay-1"}
    first = client.post("/v1/wallets/me/transfers", json=P2P_SEND, headers=headers)
    assert first.status_code == 201, first.text

    def balances() -> tuple[int, int]:
        a, b = (
            client.get("/v1/wallets/me", headers=auth(w)).json()["balance"]["amount_minor"]
            for w in (alice, bob)
        )
        return a, b

    return headers, first, balances


P2P_SEND = {"to_phone": "+6598765432", "amount_minor": 2_500}


def test_p2p_over_http_moves_money_once(served: tuple[httpx.Client, ApiContext]) -> None:
    client, ctx = served
    headers, first, balances = p2p_sent(client, ctx)
    assert first.json()["status"] == "succeeded" and str(first.json()["id"]).startswith("tr_")
    retry = client.post("/v1/wallets/me/transfers", json=P2P_SEND, headers=headers)
    assert retry.json() == first.json()
    assert balances() == (7_501, 2_501)


@pytest.mark.parametrize(
    ("body", "status", "code", "param"),
    [
        (
            {"to_phone": "+6598765432", "amount_minor": 999_999},
            402,
            "insufficient_funds",
            "amount_minor",
        ),
        ({"to_phone": "+6500000000", "amount_minor": 1}, 404, "unknown_wallet", "to_phone"),
        (
            {"to_phone": "+6598765432", "amount_minor": 1.5},
            400,
            "parameter_invalid",
            "amount_minor",
        ),
        (
            {"to_phone": "+6598765432", "amount_minor": "100"},
            400,
            "parameter_invalid",
            "amount_minor",
        ),
        ({"to_phone": "+6598765432", "amount_minor": 0}, 400, "parameter_invalid", "amount_minor"),
        ({"to_phone": "+6598765432"}, 400, "parameter_invalid", "amount_minor"),
    ],
    ids=["insufficient", "unknown-receiver", "float", "string", "zero", "missing"],
)
def test_p2p_refusals_name_the_problem(
    served: tuple[httpx.Client, ApiContext],
    body: dict[str, object],
    status: int,
    code: str,
    param: str,
) -> None:
    client, _ = served
    alice = open_wallet(client, "+6591234567")
    open_wallet(client, "+6598765432")
    response = client.post(
        "/v1/wallets/me/transfers", json=body, headers=auth(alice) | {"Idempotency-Key": "x"}
    )
    assert response.status_code == status, response.text
    error = response.json()["error"]
    assert (error["code"], error["param"]) == (code, param)


def test_the_balance_cap_is_named_over_http(served: tuple[httpx.Client, ApiContext]) -> None:
    client, ctx = served
    alice, _ = open_wallet(client, "+6591234567"), open_wallet(client, "+6598765432")
    ctx.wallets.cash_in("+6598765432", "SGD", 199_999)  # the receiver is at its cap
    ctx.wallets.cash_in("+6591234567", "SGD", 1_000)
    response = client.post(
        "/v1/wallets/me/transfers",
        json={"to_phone": "+6598765432", "amount_minor": 5},
        headers=auth(alice) | {"Idempotency-Key": "cap"},
    )
    assert response.status_code == 402
    assert response.json()["error"]["type"] == "payment_error"
    assert response.json()["error"]["code"] == "balance_cap_exceeded"


def test_nobody_reads_or_moves_another_wallets_money(
    served: tuple[httpx.Client, ApiContext],
) -> None:
    client, ctx = served
    alice, bob = open_wallet(client, "+6591234567"), open_wallet(client, "+6598765432")
    ctx.wallets.cash_in("+6598765432", "SGD", 5_000)
    for headers in ({}, {"Authorization": "Bearer wtok_forged"}, {"Authorization": "Basic abc"}):
        denied = client.get("/v1/wallets/me", headers=headers)
        assert (
            denied.status_code == 401 and denied.json()["error"]["type"] == "authentication_error"
        )
    peek = client.get(f"/v1/wallets/{bob['id']}", headers=auth(alice))
    assert peek.status_code == 404  # not 403: existence is not disclosed
    steal = client.post(
        f"/v1/wallets/{bob['id']}/transfers",
        json={"to_phone": "+6591234567", "amount_minor": 100},
        headers=auth(alice) | {"Idempotency-Key": "steal"},
    )
    assert steal.status_code == 404
    anonymous = client.post(
        "/v1/wallets/me/transfers",
        json={"to_phone": "+6591234567", "amount_minor": 1},
        headers={"Idempotency-Key": "anon"},
    )
    assert anonymous.status_code == 401
    assert (
        client.get("/v1/wallets/me", headers=auth(bob)).json()["balance"]["amount_minor"] == 5_001
    )


def test_qr_decode_endpoint(served: tuple[httpx.Client, ApiContext]) -> None:
    client, _ = served
    payload = generate(
        MerchantQr("org.colony", "M1", "5812", "702", "SG", "Hawker", "Singapore", "4.50")
    )
    ok = client.post("/v1/qr/decode", json={"payload": payload}, headers={"Idempotency-Key": "q1"})
    assert (
        ok.status_code == 200
        and ok.json()["transaction_amount"] == "4.50"
        and ok.json()["crc_valid"]
    )
    bad = client.post("/v1/qr/decode", json={"payload": "hello"}, headers={"Idempotency-Key": "q2"})
    assert bad.status_code == 400 and bad.json()["error"]["param"] == "payload"


@pytest.mark.parametrize("payload", ["00\u00b2\u00b2abcd", "00020101\u0663\u0663ab"])
def test_qr_decode_refuses_digits_of_other_scripts(
    served: tuple[httpx.Client, ApiContext], payload: str
) -> None:
    """Superscript or Arabic-Indic digits where a field's id and length go: malformed, as any
    broken structure is, never a 500."""
    client, _ = served
    bad = client.post("/v1/qr/decode", json={"payload": payload}, headers={"Idempotency-Key": "q"})
    assert bad.status_code == 400, bad.text
    assert (bad.json()["error"]["code"], bad.json()["error"]["param"]) == (
        "qr_malformed",
        "payload",
    )


def test_page_and_openapi(served: tuple[httpx.Client, ApiContext]) -> None:
    client, ctx = served
    for phone in ("+6591234001", "+6591234002"):
        open_wallet(client, phone)
        assert ctx.wallets.cash_in(phone, "SGD", 2_500).result.name == "ok"
    page = client.get("/")
    assert page.status_code == 200 and "Colony is running" in page.text
    # Counted and summed from the totals the ledger keeps per currency and account code.
    assert '<strong id="wallets">2</strong>' in page.text
    sgd = page.text.split("<td>SGD</td>", 1)[1].split("</tr>", 1)[0]
    assert "SGD50.02" in sgd and "<td>yes</td>" in sgd  # 25.00 cashed in and 0.01 opened, each
    spec = client.get("/openapi.json").json()
    assert {
        "/v1/wallets",
        "/v1/wallets/{wallet_id}",
        "/v1/wallets/{wallet_id}/transfers",
        "/v1/qr/decode",
    } <= set(spec["paths"])
    missing = client.get("/nowhere")
    assert missing.status_code == 404 and missing.json()["error"]["code"] == "resource_missing"


def test_no_secret_is_stored_in_clear(
    served: tuple[httpx.Client, ApiContext], tmp_path: Path
) -> None:
    client, _ = served
    wallet = open_wallet(client, "+6591234567")
    raw = (tmp_path / "api.db").read_bytes() + b"".join(
        p.read_bytes() for p in tmp_path.glob("api.db-wal")
    )
    assert str(wallet["token"]).encode() not in raw


@pytest.mark.parametrize(
    ("body", "code", "param"),
    [
        ({"phone": "+6591234567", "name": "   ", "currency": "SGD"}, "invalid_name", "name"),
        ({"phone": "12345", "name": "Ann", "currency": "SGD"}, "invalid_phone", "phone"),
        (
            {"phone": "+6591234567", "name": "Ann", "currency": "XYZ"},
            "unknown_currency",
            "currency",
        ),
        ({"phone": "+6591234567", "name": "Ann"}, "parameter_invalid", "currency"),
        ({"phone": 6591234567, "name": "Ann", "currency": "SGD"}, "parameter_invalid", "phone"),
    ],
    ids=["blank-name", "bad-phone", "bad-currency", "missing-currency", "phone-not-text"],
)
def test_bad_wallet_requests_are_named_never_500(
    served: tuple[httpx.Client, ApiContext], body: dict[str, object], code: str, param: str
) -> None:
    client, _ = served
    proof = {"verification": "pv_" + "00" * 16, "code": "000000"}  # never checked: malformed
    response = client.post(
        "/v1/wallets", json=body | proof, headers={"Idempotency-Key": f"bad-{code}-{param}"}
    )
    assert response.status_code == 400, response.text
    assert (response.json()["error"]["code"], response.json()["error"]["param"]) == (code, param)


def test_a_bug_still_answers_in_the_error_shape(served: tuple[httpx.Client, ApiContext]) -> None:
    client, ctx = served
    wallet = open_wallet(client, "+6591234567")
    real_balances = ctx.wallets.balances

    def broken(_: object) -> tuple[int, int]:
        raise RuntimeError("simulated bug")

    ctx.wallets.balances = broken  # type: ignore[method-assign]
    try:
        response = client.get("/v1/wallets/me", headers=auth(wallet))
    finally:
        ctx.wallets.balances = real_balances  # type: ignore[method-assign]
    assert response.status_code == 500
    assert response.json()["error"]["type"] == "api_error"

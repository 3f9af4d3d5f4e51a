"""Merchants and payments over real HTTP: onboarding, paying by QR, capture, void, refunds,
and who may touch which payment."""

from __future__ import annotations

from pathlib import Path

import httpx
import pytest
from typer.testing import CliRunner

from colony.api import auth
from colony.api.context import ApiContext
from colony.cli.main import app as cli
from colony.payments.qr_image import render
from tests.api.test_wallet_api import auth as wallet_auth
from tests.api.test_wallet_api import open_wallet, operator_headers

__all__ = ["operator_headers"]  # where the other tests have long imported it from

SHOP = {
    "legal_name": "Hawker Chan Pte Ltd",
    "display_name": "Hawker Chan",
    "mcc": "5812",
    "country": "SG",
    "city": "Singapore",
    "currency": "SGD",
    "discount_bps": 150,
}


def onboard(
    client: httpx.Client, ctx: ApiContext, name: str = "Hawker Chan", **extra: object
) -> dict[str, object]:
    response = client.post(
        "/v1/merchants",
        json=SHOP | {"display_name": name} | extra,
        headers=operator_headers(ctx) | {"Idempotency-Key": f"m-{name}"},
    )
    assert response.status_code == 201, response.text
    return response.json()  # type: ignore[no-any-return]


def merchant_headers(merchant: dict[str, object], key: str) -> dict[str, str]:
    return {"Authorization": f"Bearer {merchant['api_key']}", "Idempotency-Key": key}


@pytest.fixture
def shop(
    served: tuple[httpx.Client, ApiContext],
) -> tuple[httpx.Client, ApiContext, dict[str, object], dict[str, object]]:
    client, ctx = served
    merchant = onboard(client, ctx)
    alice = open_wallet(client, "+6591234567")
    assert ctx.wallets.cash_in("+6591234567", "SGD", 20_000).result.name == "ok"
    return client, ctx, merchant, alice


def static_code(client: httpx.Client, merchant: dict[str, object]) -> str:
    response = client.get(
        "/v1/merchants/me/qr_code", headers={"Authorization": f"Bearer {merchant['api_key']}"}
    )
    assert response.status_code == 200
    return str(response.json()["payload"])


def test_pay_by_qr_and_refund(
    shop: tuple[httpx.Client, ApiContext, dict[str, object], dict[str, object]],
) -> None:
    client, _, merchant, alice = shop
    code = static_code(client, merchant)
    body = {"payload": code, "amount_minor": 1_000}
    paid = client.post(
        "/v1/payments", json=body, headers=wallet_auth(alice) | {"Idempotency-Key": "p1"}
    )
    assert paid.status_code == 201, paid.text
    payment = paid.json()
    assert payment["status"] == "succeeded" and str(payment["id"]).startswith("pay_")
    again = client.post(
        "/v1/payments", json=body, headers=wallet_auth(alice) | {"Idempotency-Key": "p1"}
    )
    assert again.json() == payment
    assert (
        client.get("/v1/wallets/me", headers=wallet_auth(alice)).json()["balance"]["amount_minor"]
        == 19_001
    )
    refund = client.post(
        f"/v1/payments/{payment['id']}/refunds",
        json={"amount_minor": 400},
        headers=merchant_headers(merchant, "r1"),
    )
    assert refund.status_code == 201 and str(refund.json()["id"]).startswith("re_")
    too_much = client.post(
        f"/v1/payments/{payment['id']}/refunds",
        json={"amount_minor": 601},
        headers=merchant_headers(merchant, "r2"),
    )
    assert too_much.status_code == 400
    assert too_much.json()["error"]["code"] == "refund_exceeds_payment"
    assert (
        client.get("/v1/wallets/me", headers=wallet_auth(alice)).json()["balance"]["amount_minor"]
        == 19_401
    )


def test_authorise_capture_and_void(
    shop: tuple[httpx.Client, ApiContext, dict[str, object], dict[str, object]],
) -> None:
    client, _, merchant, alice = shop
    code = static_code(client, merchant)
    held = client.post(
        "/v1/payments",
        json={"payload": code, "amount_minor": 3_000, "capture": False},
        headers=wallet_auth(alice) | {"Idempotency-Key": "a1"},
    ).json()
    assert held["status"] == "requires_capture"
    captured = client.post(
        f"/v1/payments/{held['id']}/capture",
        json={"amount_minor": 1_800},
        headers=merchant_headers(merchant, "c1"),
    )
    assert captured.status_code == 200 and captured.json()["status"] == "succeeded"
    assert captured.json()["amount_captured_minor"] == 1_800
    second = client.post(
        "/v1/payments",
        json={"payload": code, "amount_minor": 500, "capture": False},
        headers=wallet_auth(alice) | {"Idempotency-Key": "a2"},
    ).json()
    voided = client.post(
        f"/v1/payments/{second['id']}/void", headers=merchant_headers(merchant, "v1")
    )
    assert voided.status_code == 200 and voided.json()["status"] == "canceled"
    late = client.post(
        f"/v1/payments/{second['id']}/capture", json={}, headers=merchant_headers(merchant, "c2")
    )
    assert late.status_code == 409 and late.json()["error"]["code"] == "already_voided"
    balance = client.get("/v1/wallets/me", headers=wallet_auth(alice)).json()["balance"][
        "amount_minor"
    ]
    assert balance == 20_001 - 1_800


def test_only_the_paid_merchant_touches_a_payment(
    shop: tuple[httpx.Client, ApiContext, dict[str, object], dict[str, object]],
) -> None:
    client, ctx, merchant, alice = shop
    rival = onboard(client, ctx, "Rival Stall")
    code = static_code(client, merchant)
    payment = client.post(
        "/v1/payments",
        json={"payload": code, "amount_minor": 1_000},
        headers=wallet_auth(alice) | {"Idempotency-Key": "p"},
    ).json()
    for path in (f"/v1/payments/{payment['id']}/refunds", f"/v1/payments/{payment['id']}/void"):
        stolen = client.post(
            path, json={"amount_minor": 1_000}, headers=merchant_headers(rival, "x")
        )
        assert stolen.status_code == 404  # as if it did not exist
    for headers in ({"Idempotency-Key": "y"}, wallet_auth(alice) | {"Idempotency-Key": "z"}):
        denied = client.post(
            f"/v1/payments/{payment['id']}/refunds", json={"amount_minor": 1}, headers=headers
        )
        assert denied.status_code == 401  # a wallet token is not a merchant key
    nobody = client.post("/v1/merchants", json=SHOP, headers=merchant_headers(merchant, "m"))
    assert nobody.status_code == 401  # only the operator onboards
    assert (
        client.post("/v1/payments/pay_zz/void", headers=merchant_headers(merchant, "w")).status_code
        == 404
    )


@pytest.mark.parametrize(
    ("body", "status", "code", "param"),
    [
        ({"payload": "garbage", "amount_minor": 5}, 400, "qr_malformed", "payload"),
        ({"payload": "00\u00b2\u00b2abcd", "amount_minor": 5}, 400, "qr_malformed", "payload"),
        ({"amount_minor": 5}, 400, "parameter_invalid", "payload"),
        ({"payload": "CODE", "amount_minor": 10**9}, 402, "insufficient_funds", "amount_minor"),
        ({"payload": "CODE"}, 400, "amount_required", "amount_minor"),
        ({"payload": "CODE", "amount_minor": 2.5}, 400, "parameter_invalid", "amount_minor"),
    ],
    ids=["bad-qr", "other-digits", "no-payload", "insufficient", "static-without-amount", "float"],
)
def test_payment_refusals(
    shop: tuple[httpx.Client, ApiContext, dict[str, object], dict[str, object]],
    body: dict[str, object],
    status: int,
    code: str,
    param: str,
) -> None:
    client, _, merchant, alice = shop
    if body.get("payload") == "CODE":
        body = body | {"payload": static_code(client, merchant)}
    response = client.post(
        "/v1/payments", json=body, headers=wallet_auth(alice) | {"Idempotency-Key": "e"}
    )
    assert response.status_code == status, response.text
    assert (response.json()["error"]["code"], response.json()["error"]["param"]) == (code, param)


def test_operator_key_command(tmp_path: Path) -> None:
    url = f"sqlite:///{tmp_path}/k.db"
    result = CliRunner().invoke(cli, ["keys", "create-operator", "--database", url])
    assert result.exit_code == 0 and result.stdout.startswith(auth.OPERATOR_KEY_PREFIX)


def test_qr_codes_as_pictures(
    shop: tuple[httpx.Client, ApiContext, dict[str, object], dict[str, object]],
) -> None:
    client, _, merchant, _ = shop
    key = {"Authorization": f"Bearer {merchant['api_key']}"}
    params = {"amount_minor": 2_590, "reference": "ORDER-1"}
    payload = client.get("/v1/merchants/me/qr_code", params=params, headers=key).json()["payload"]
    png = client.get("/v1/merchants/me/qr_code.png", params=params, headers=key)
    assert png.status_code == 200 and png.headers["content-type"] == "image/png"
    assert png.content.startswith(b"\x89PNG\r\n\x1a\n")
    assert png.content == render(payload, "png")  # the same code as the payload
    svg = client.get("/v1/merchants/me/qr_code.svg", headers=key)
    assert svg.headers["content-type"].startswith("image/svg+xml")
    assert b"<svg" in svg.content and svg.content != render(payload, "svg")  # static: no amount
    assert client.get("/v1/merchants/me/qr_code.gif", headers=key).status_code in (400, 404)
    assert client.get("/v1/merchants/me/qr_code.png").status_code == 401
    # An amount whose decimal text does not fit the code's 13 characters is refused, not a 500.
    for path in ("/v1/merchants/me/qr_code", "/v1/merchants/me/qr_code.png"):
        too_long = client.get(path, params={"amount_minor": 10**15}, headers=key)
        assert too_long.status_code == 400, too_long.text
        assert too_long.json()["error"]["code"] == "parameter_invalid"

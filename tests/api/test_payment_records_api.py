"""Payment records over real HTTP: reading one payment, listing a caller's payments a page at
a time, and who may see which."""

from __future__ import annotations

import time

import httpx
import pytest

from colony.api import idempotency
from colony.api.context import ApiContext
from colony.api.payment_views import parse_payment_ref
from colony.payments.router import payments_page_max
from tests.api.test_payment_api import merchant_headers, onboard, static_code
from tests.api.test_wallet_api import auth as wallet_auth
from tests.api.test_wallet_api import open_wallet

Shop = tuple[httpx.Client, ApiContext, dict[str, object], dict[str, object]]


def key_auth(merchant: dict[str, object]) -> dict[str, str]:
    return {"Authorization": f"Bearer {merchant['api_key']}"}


def pay(
    client: httpx.Client, wallet: dict[str, object], payload: str, key: str, **body: object
) -> dict[str, object]:
    response = client.post(
        "/v1/payments",
        json={"payload": payload, **body},
        headers=wallet_auth(wallet) | {"Idempotency-Key": key},
    )
    assert response.status_code == 201, response.text
    return response.json()  # type: ignore[no-any-return]


def every_page(client: httpx.Client, headers: dict[str, str], limit: int) -> list[list[str]]:
    """The ids on each page, following next_cursor to the end."""
    pages, cursor = [], None
    while True:
        params: dict[str, str | int] = {"limit": limit}
        if cursor is not None:
            params["starting_after"] = cursor
        response = client.get("/v1/payments", params=params, headers=headers)
        assert response.status_code == 200, response.text
        body = response.json()
        assert body["object"] == "list" and len(body["data"]) <= limit
        pages.append([str(p["id"]) for p in body["data"]])
        if not body["has_more"]:
            assert body["next_cursor"] is None
            return pages
        assert body["next_cursor"] == pages[-1][-1]
        cursor = body["next_cursor"]


def test_a_payment_shows_its_record_and_the_ledger_amounts(shop: Shop) -> None:
    client, ctx, merchant, alice = shop
    before_s = int(time.time())
    paid = pay(
        client,
        alice,
        static_code(client, merchant),
        "p1",
        amount_minor=1_000,
        description="two plates of chicken rice",
        reference="T12-0042",
    )
    refund = client.post(
        f"/v1/payments/{paid['id']}/refunds",
        json={"amount_minor": 400},
        headers=merchant_headers(merchant, "r1"),
    )
    assert refund.status_code == 201, refund.text
    seen = client.get(f"/v1/payments/{paid['id']}", headers=wallet_auth(alice)).json()
    assert {k: v for k, v in seen.items() if k != "created"} == {
        "object": "payment",
        "id": paid["id"],
        "status": "succeeded",
        "amount_minor": 1_000,
        "amount_captured_minor": 1_000,
        "amount_refunded_minor": 400,
        "currency": "SGD",
        "ledger": 702,
        "merchant": merchant["id"],
        "wallet": alice["id"],
        "method": "qr",
        "capture_method": "automatic",
        "description": "two plates of chicken rice",
        "reference": "T12-0042",
        "fx": None,
    }
    assert before_s - 1 <= int(seen["created"]) <= time.time() + 1
    by_merchant = client.get(f"/v1/payments/{paid['id']}", headers=key_auth(merchant))
    assert by_merchant.json() == seen
    pid = parse_payment_ref(str(paid["id"]))
    assert ctx.payments.records is not None and pid is not None
    (refunded,) = ctx.payments.records.refunds_of(pid)
    assert (f"re_{refunded.id:032x}", refunded.amount_minor) == (refund.json()["id"], 400)


def test_dynamic_code_reference_and_partial_capture(shop: Shop) -> None:
    client, ctx, merchant, alice = shop
    dynamic = client.get(
        "/v1/merchants/me/qr_code",
        params={"amount_minor": 3_000, "reference": "ORDER-77"},
        headers=key_auth(merchant),
    ).json()["payload"]
    held = pay(client, alice, dynamic, "a1", capture=False)
    assert (held["status"], held["reference"], held["capture_method"]) == (
        "requires_capture",
        "ORDER-77",
        "manual",
    )
    assert (held["amount_captured_minor"], held["amount_refunded_minor"]) == (0, 0)
    client.post(
        f"/v1/payments/{held['id']}/capture",
        json={"amount_minor": 1_800},
        headers=merchant_headers(merchant, "c1"),
    )
    seen = client.get(f"/v1/payments/{held['id']}", headers=key_auth(merchant)).json()
    assert (seen["status"], seen["amount_minor"], seen["amount_captured_minor"]) == (
        "succeeded",
        3_000,
        1_800,
    )
    pid = parse_payment_ref(str(held["id"]))
    assert pid is not None and ctx.payments.captured_minor(ctx.ledger.lookup_transfers([pid])[0])


def test_listing_pages_through_every_payment_once(shop: Shop) -> None:
    client, ctx, merchant, alice = shop
    rival = onboard(client, ctx, "Rival Stall")
    bob = open_wallet(client, "+6598765432")
    assert ctx.wallets.cash_in("+6598765432", "SGD", 5_000).result.name == "ok"
    code, rival_code = static_code(client, merchant), static_code(client, rival)
    made = [str(pay(client, alice, code, f"p{i}", amount_minor=100 + i)["id"]) for i in range(25)]
    bobs = [str(pay(client, bob, code, f"b{i}", amount_minor=50)["id"]) for i in range(2)]
    elsewhere = str(pay(client, alice, rival_code, "r", amount_minor=70)["id"])

    pages = every_page(client, key_auth(merchant), limit=10)
    assert [len(p) for p in pages] == [10, 10, 7]
    listed = [pid for page in pages for pid in page]
    assert listed == list(reversed(made + bobs))  # newest first, none twice, none missing
    alices = [pid for page in every_page(client, wallet_auth(alice), limit=7) for pid in page]
    assert alices == list(reversed([*made, elsewhere]))
    assert every_page(client, wallet_auth(bob), limit=10) == [list(reversed(bobs))]
    assert every_page(client, key_auth(rival), limit=100) == [[elsewhere]]

    default = client.get("/v1/payments", headers=key_auth(merchant)).json()
    assert len(default["data"]) == 10 and default["has_more"] is True
    everything = client.get(
        "/v1/payments", params={"limit": payments_page_max}, headers=key_auth(merchant)
    ).json()
    assert len(everything["data"]) == 27 and everything["has_more"] is False

    # A refused payment leaves its record behind (written first), but it is no payment.
    refused = client.post(
        "/v1/payments",
        json={"payload": code, "amount_minor": 10**6},
        headers=wallet_auth(bob) | {"Idempotency-Key": "too-much"},
    )
    assert refused.status_code == 402
    attempt = idempotency.transfer_id_for(str(bob["id"]), "too-much")
    assert ctx.payments.records is not None and ctx.payments.records.by_id(attempt) is not None
    missing = client.get(f"/v1/payments/pay_{attempt:032x}", headers=wallet_auth(bob))
    assert missing.status_code == 404
    assert every_page(client, wallet_auth(bob), limit=10) == [list(reversed(bobs))]


def test_nobody_else_reads_or_lists_a_payment(shop: Shop) -> None:
    client, ctx, merchant, alice = shop
    rival = onboard(client, ctx, "Rival Stall")
    bob = open_wallet(client, "+6598765432")
    paid = pay(client, alice, static_code(client, merchant), "p", amount_minor=500)
    for headers in (wallet_auth(bob), key_auth(rival)):
        seen = client.get(f"/v1/payments/{paid['id']}", headers=headers)
        assert seen.status_code == 404 and seen.json()["error"]["code"] == "resource_missing"
        listed = client.get("/v1/payments", headers=headers).json()
        assert listed == {"object": "list", "data": [], "has_more": False, "next_cursor": None}
        # Nor can another's payment serve as a cursor into one's own list.
        cursor = client.get("/v1/payments", params={"starting_after": paid["id"]}, headers=headers)
        assert cursor.status_code == 400
        assert cursor.json()["error"]["param"] == "starting_after"
    assert client.get(f"/v1/payments/{paid['id']}").status_code == 401
    for missing in ("pay_zz", "pay_" + "0" * 32, "pay_" + "f" * 31 + "e", "nothing"):
        assert client.get(f"/v1/payments/{missing}", headers=wallet_auth(alice)).status_code == 404


@pytest.mark.parametrize(
    ("params", "param"),
    [
        ({"limit": 0}, "limit"),
        ({"limit": payments_page_max + 1}, "limit"),
        ({"limit": "ten"}, "limit"),
        ({"limit": -3}, "limit"),
        ({"starting_after": "pay_nothing"}, "starting_after"),
        ({"starting_after": "pay_" + "1" * 32}, "starting_after"),
        ({"starting_after": ""}, "starting_after"),
    ],
    ids=["zero", "over-max", "not-a-number", "negative", "bad-id", "unknown-id", "empty"],
)
def test_bad_list_parameters_are_named(shop: Shop, params: dict[str, object], param: str) -> None:
    client, _, merchant, _ = shop
    response = client.get("/v1/payments", params=params, headers=key_auth(merchant))
    assert response.status_code == 400, response.text
    assert response.json()["error"]["param"] == param


@pytest.mark.parametrize("capture", [True, False])
def test_the_answer_to_a_payment_is_what_reading_it_shows(shop: Shop, capture: bool) -> None:
    """The answer is built from what was just written, not read back: it must say the same."""
    client, _, merchant, alice = shop
    paid = pay(
        client,
        alice,
        static_code(client, merchant),
        "same",
        amount_minor=2_500,
        capture=capture,
        description="kaya toast",
        reference="T3",
    )
    seen = client.get(f"/v1/payments/{paid['id']}", headers=wallet_auth(alice)).json()
    assert paid == seen
    assert paid["status"] == ("succeeded" if capture else "requires_capture")

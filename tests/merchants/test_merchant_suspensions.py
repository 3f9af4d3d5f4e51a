"""A suspended merchant (docs/adr/0114): no payment reaches it, by QR, by a customer's code or
by capturing an authorisation; refunds and voids still give payers their money back; a
payment made before the suspension is still answered as made; reinstated, it takes payments
again. On both backends, in the services and over HTTP."""

from __future__ import annotations

from collections.abc import Iterator

import pytest

from colony.merchants import SuspensionResult as S
from colony.merchants import suspension_reason_chars_max
from colony.merchants.model import MerchantSuspension
from colony.merchants.sql_store import SqlMerchantStore, open_merchant_store
from colony.payments.payment_code import code_for
from colony.payments.service import PayResult
from colony.storage import marked_ids
from tests.api.test_edge_input import Shop as Served
from tests.api.test_edge_input import shop_on_each_backend
from tests.api.test_payment_api import merchant_headers, static_code
from tests.api.test_payment_code_api import bind, charge, error_code, phone
from tests.api.test_wallet_api import auth
from tests.payments.test_qr_payment import Shop, shop
from tests.wallets.test_wallets import ALICE

__all__ = ["shop", "shop_on_each_backend"]


def _books(shop: Shop) -> tuple[int, int]:
    return shop.world.balance(ALICE), shop.merchant_balance()


@pytest.mark.parametrize(
    ("reason", "expected"),
    [
        ("card testing through the shop's terminal", S.ok),
        ("", S.invalid_reason),
        ("   ", S.invalid_reason),
        ("x" * (suspension_reason_chars_max + 1), S.invalid_reason),
        ("x" * suspension_reason_chars_max, S.ok),
    ],
)
def test_a_suspension_needs_a_reason(shop: Shop, reason: str, expected: S) -> None:
    assert shop.merchants.suspend(shop.merchant.id, reason) is expected
    assert shop.merchants.is_suspended(shop.merchant.id) is (expected is S.ok)


def test_suspending_twice_reinstating_twice_and_strangers(shop: Shop) -> None:
    merchants, mid = shop.merchants, shop.merchant.id
    shop.world.clock.advance(5)
    assert merchants.reinstate(mid, "checked") is S.not_suspended
    assert merchants.suspend(mid, "  closed by its owner  ") is S.ok
    assert merchants.suspend(mid, "again") is S.already_suspended
    found = merchants.suspension_of(mid)
    assert found == MerchantSuspension(mid, "closed by its owner", shop.world.clock.now_ns())
    assert merchants.reinstate(mid, "") is S.invalid_reason  # lifting one needs a reason too
    assert merchants.is_suspended(mid)
    assert merchants.reinstate(mid, "reopened under the same owner") is S.ok
    assert merchants.suspension_of(mid) is None
    assert merchants.reinstate(mid, "reopened") is S.not_suspended
    stranger = "mer_" + "0" * 32
    assert merchants.suspend(stranger, "who?") is S.unknown_merchant
    assert merchants.reinstate(stranger, "who?") is S.unknown_merchant


def test_a_suspended_merchant_takes_no_payment_and_takes_them_again_once_reinstated(
    shop: Shop,
) -> None:
    """A worked example: Alice has 200.01 SGD; the shop is suspended while she pays 10.00,
    then reinstated."""
    pay = shop.payments
    code = pay.merchant_qr(shop.merchant, 1_000)
    earlier = pay.pay_by_qr(ALICE, "SGD", code)
    assert earlier.result is PayResult.ok
    assert _books(shop) == (20_001 - 1_000, 1_000 - 15)  # 1.5% discount fee
    assert shop.merchants.suspend(shop.merchant.id, "suspected money laundering") is S.ok
    before = _books(shop)
    assert pay.pay_by_qr(ALICE, "SGD", code).result is PayResult.merchant_suspended
    assert pay.authorise(ALICE, "SGD", code).result is PayResult.merchant_suspended
    assert _books(shop) == before  # nothing moved
    # Money still goes back to the payer: a refund of the earlier payment.
    assert earlier.payment_id is not None
    assert pay.refund(earlier.payment_id, 400).result is PayResult.ok
    assert _books(shop) == (before[0] + 400, before[1] - 400)
    assert shop.merchants.reinstate(shop.merchant.id, "cleared by compliance") is S.ok
    assert pay.pay_by_qr(ALICE, "SGD", code).result is PayResult.ok
    assert _books(shop) == (before[0] + 400 - 1_000, before[1] - 400 + 1_000 - 15)


def test_over_http_a_suspended_merchant_is_refused_409_and_its_holds_can_only_go_back(
    shop_on_each_backend: Served,
) -> None:
    client, ctx, merchant, alice = shop_on_each_backend
    mid = str(merchant["id"])
    body = {"payload": static_code(client, merchant), "amount_minor": 1_200}
    paid = client.post("/v1/payments", json=body, headers=auth(alice) | {"Idempotency-Key": "p1"})
    held = client.post(
        "/v1/payments",
        json=body | {"capture": False},
        headers=auth(alice) | {"Idempotency-Key": "h1"},
    )
    held_later = client.post(
        "/v1/payments",
        json=body | {"capture": False},
        headers=auth(alice) | {"Idempotency-Key": "h2"},
    )
    for made in (paid, held, held_later):
        assert made.status_code == 201, made.text
    me = {"Authorization": f"Bearer {merchant['api_key']}"}
    assert client.get("/v1/merchants/me", headers=me).json()["status"] == "active"
    assert ctx.merchants.suspend(mid, "the card scheme asked us to") is S.ok
    shown = client.get("/v1/merchants/me", headers=me).json()
    assert (shown["id"], shown["status"]) == (mid, "suspended")
    dynamic = client.get("/v1/merchants/me/qr_code?amount_minor=500", headers=me)
    assert dynamic.status_code == 409 and dynamic.json()["error"]["code"] == "merchant_suspended"
    assert (
        client.get("/v1/merchants/me/qr_code.png?amount_minor=500", headers=me).status_code == 409
    )
    assert client.get("/v1/merchants/me/qr_code", headers=me).status_code == 200  # the poster's
    wallet = client.get("/v1/wallets/me", headers=auth(alice)).json()["balance"]["amount_minor"]

    refused = client.post(
        "/v1/payments", json=body, headers=auth(alice) | {"Idempotency-Key": "p2"}
    )
    assert refused.status_code == 409, refused.text
    assert refused.json()["error"]["code"] == "merchant_suspended"
    captured = client.post(
        f"/v1/payments/{held.json()['id']}/capture",
        json={"amount_minor": 1_000},
        headers=merchant_headers(merchant, "c1"),
    )
    assert captured.status_code == 409, captured.text
    assert captured.json()["error"]["code"] == "merchant_suspended"
    # The payment made before is answered again as it was; the payer's holds go back.
    replayed = client.post(
        "/v1/payments", json=body, headers=auth(alice) | {"Idempotency-Key": "p1"}
    )
    assert replayed.status_code == 201 and replayed.content == paid.content
    voided = client.post(
        f"/v1/payments/{held.json()['id']}/void", headers=merchant_headers(merchant, "v1")
    )
    assert voided.status_code == 200 and voided.json()["status"] == "canceled", voided.text
    refunded = client.post(
        f"/v1/payments/{paid.json()['id']}/refunds",
        json={"amount_minor": 200},
        headers=merchant_headers(merchant, "r1"),
    )
    assert refunded.status_code == 201, refunded.text
    after = client.get("/v1/wallets/me", headers=auth(alice)).json()["balance"]["amount_minor"]
    assert after == wallet + 200  # the refund; a void frees a hold, which the balance held

    assert ctx.merchants.reinstate(mid, "cleared") is S.ok
    captured = client.post(
        f"/v1/payments/{held_later.json()['id']}/capture",
        json={"amount_minor": 1_000},
        headers=merchant_headers(merchant, "c2"),
    )
    assert captured.status_code == 200 and captured.json()["status"] == "succeeded"


def test_a_suspended_merchants_till_charges_no_code_and_leaves_it_unspent(
    shop_on_each_backend: Served,
) -> None:
    client, ctx, merchant, alice = shop_on_each_backend
    bound = bind(client, alice)
    assert bound.status_code == 201, bound.text
    code = code_for(phone(bound.json()), ctx.clock.now_ns())
    assert ctx.merchants.suspend(str(merchant["id"]), "terminal reported stolen") is S.ok
    refused = charge(client, merchant, code, 500, "t1")
    assert (refused.status_code, error_code(refused)) == (409, "merchant_suspended")
    assert ctx.merchants.reinstate(str(merchant["id"]), "terminal recovered") is S.ok
    paid = charge(client, merchant, code, 500, "t2")
    assert paid.status_code == 201, paid.text  # the code was not spent by the refusal


@pytest.fixture
def stores(store_url: str) -> Iterator[tuple[SqlMerchantStore, SqlMerchantStore]]:
    """(this process's store, serving alone; another process's store on the same database)."""
    alone = open_merchant_store(store_url, alone=True)
    other = open_merchant_store(store_url)
    yield alone, other
    alone.close()
    other.close()


def _suspension(merchant_id: str) -> MerchantSuspension:
    return MerchantSuspension(merchant_id, "fraud ring", 1_000)


def test_a_store_serving_alone_keeps_suspensions_in_memory_and_another_reads_the_table(
    stores: tuple[SqlMerchantStore, SqlMerchantStore], monkeypatch: pytest.MonkeyPatch
) -> None:
    alone, other = stores
    assert other.suspend(_suspension("mer_before"))
    assert alone.is_suspended("mer_before")  # read when first asked
    assert alone.suspend(_suspension("mer_1"))
    assert alone.is_suspended("mer_1") and other.is_suspended("mer_1")
    assert not alone.suspend(_suspension("mer_1"))
    # From memory: a change another process makes is not seen (why only one alone may).
    assert other.reinstate("mer_before")
    assert alone.is_suspended("mer_before")
    assert not other.is_suspended("mer_before")
    assert alone.reinstate("mer_1")
    assert not alone.is_suspended("mer_1") and not other.is_suspended("mer_1")
    # Past the limit a store keeps none in memory and reads the table, as the other does.
    monkeypatch.setattr(marked_ids, "marked_ids_kept_max", 1)
    assert alone.suspend(_suspension("mer_2"))
    assert not alone.is_suspended("mer_before")  # the table's answer now
    found = other.suspension_of("mer_2")
    assert found == _suspension("mer_2")


def test_the_suspensions_in_force_are_listed_newest_first(
    stores: tuple[SqlMerchantStore, SqlMerchantStore],
) -> None:
    alone, other = stores
    for merchant_id, at in (("mer_b", 2_000), ("mer_a", 3_000), ("mer_c", 1_000)):
        assert alone.suspend(MerchantSuspension(merchant_id, f"why {merchant_id}", at))
    assert alone.reinstate("mer_a")
    assert [s.merchant_id for s in other.suspensions(10)] == ["mer_b", "mer_c"]
    assert other.suspensions(1) == [MerchantSuspension("mer_b", "why mer_b", 2_000)]

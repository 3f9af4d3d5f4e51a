"""A frozen wallet: nothing leaves it (P2P, a QR payment, a withdrawal, a donation), it still
receives and is read, and lifting the freeze lets money leave again; on both backends, and
over HTTP with the refusal's code."""

from __future__ import annotations

import httpx
import pytest

from colony.api.context import ApiContext
from colony.kernel.clock import ManualClock
from colony.payments.service import PayResult
from colony.wallets import freeze_reason_chars_max
from colony.wallets.results import WalletResult as W
from tests.api.test_wallet_api import auth, open_wallet, operator_headers
from tests.payments.test_qr_payment import Shop, shop
from tests.wallets.test_wallets import ALICE, BOB, World, world

__all__ = ["shop", "world"]
Served = tuple[httpx.Client, ApiContext, ManualClock]


def _wallet_id(w: World, phone: str) -> str:
    wallet = w.store.by_phone(phone, "SGD")
    assert wallet is not None
    return wallet.id


def _books(w: World) -> list[int]:
    return [w.balance(ALICE), w.balance(BOB)]


def test_a_frozen_wallet_sends_nothing_receives_and_sends_again_once_unfrozen(
    world: World,
) -> None:
    w, alice = world, _wallet_id(world, ALICE)
    assert w.service.cash_in(ALICE, "SGD", 10_000).result is W.ok
    assert w.service.freeze(alice, "card testing from a new device") is W.ok
    assert w.service.is_frozen(alice)
    before = _books(w)
    assert w.service.p2p(ALICE, BOB, "SGD", 1_000).result is W.wallet_frozen
    assert _books(w) == before  # nothing moved
    assert w.service.p2p(BOB, ALICE, "SGD", 1).result is W.ok  # money still comes in
    assert w.service.cash_in(ALICE, "SGD", 500).result is W.ok
    assert _books(w) == [before[0] + 501, before[1] - 1]
    assert w.service.unfreeze(alice, "cleared by the bank") is W.ok
    assert not w.service.is_frozen(alice)
    assert w.service.p2p(ALICE, BOB, "SGD", 1_000).result is W.ok
    assert w.balance(BOB) == before[1] - 1 + 1_000


@pytest.mark.parametrize(
    ("reason", "expected"),
    [
        ("suspected account takeover", W.ok),
        ("", W.invalid_reason),
        ("   ", W.invalid_reason),
        ("x" * (freeze_reason_chars_max + 1), W.invalid_reason),
        ("reported\x1b[2Jstolen", W.invalid_reason),  # kept for good: nothing hidden
        ("stolen\u202e", W.invalid_reason),
        ("reported stolen:\n\tby phone", W.ok),  # a person's lines and tabs
    ],
)
def test_a_freeze_needs_a_reason(world: World, reason: str, expected: W) -> None:
    alice = _wallet_id(world, ALICE)
    assert world.service.freeze(alice, reason) is expected
    assert world.service.is_frozen(alice) is (expected is W.ok)


def test_freezing_twice_unfreezing_twice_and_strangers(world: World) -> None:
    alice = _wallet_id(world, ALICE)
    assert world.service.unfreeze(alice, "cleared by the bank") is W.not_frozen
    assert world.service.freeze(alice, "court order 2026/114") is W.ok
    assert world.service.freeze(alice, "again") is W.already_frozen
    found = world.service.freeze_of(alice)
    assert found is not None and found.reason == "court order 2026/114"
    assert world.service.unfreeze(alice, "  ") is W.invalid_reason  # lifting one needs a reason too
    assert world.service.unfreeze(alice, "cleared by the bank") is W.ok
    assert world.service.unfreeze(alice, "cleared by the bank") is W.not_frozen
    assert world.service.freeze("wal_" + "0" * 32, "who?") is W.unknown_wallet
    assert world.service.unfreeze("wal_" + "0" * 32, "cleared by the bank") is W.unknown_wallet


def test_a_frozen_wallet_cannot_pay_a_merchant_and_can_once_unfrozen(shop: Shop) -> None:
    w = shop.world
    alice = _wallet_id(w, ALICE)
    code = shop.payments.merchant_qr(shop.merchant, 1_000)
    assert w.service.freeze(alice, "chargeback ring") is W.ok
    before = (w.balance(ALICE), shop.merchant_balance())
    assert shop.payments.pay_by_qr(ALICE, "SGD", code).result is PayResult.wallet_frozen
    assert shop.payments.authorise(ALICE, "SGD", code).result is PayResult.wallet_frozen
    assert (w.balance(ALICE), shop.merchant_balance()) == before  # nothing moved
    assert w.service.unfreeze(alice, "cleared by the bank") is W.ok
    assert shop.payments.pay_by_qr(ALICE, "SGD", code).result is PayResult.ok
    assert w.balance(ALICE) == before[0] - 1_000


def test_over_http_a_frozen_wallet_is_refused_409_wallet_frozen(served_at: Served) -> None:
    client, ctx, _ = served_at
    alice, _bob = open_wallet(client, ALICE), open_wallet(client, BOB)
    assert ctx.wallets.cash_in(ALICE, "SGD", 10_000).result is W.ok
    assert ctx.wallets.freeze(str(alice["id"]), "suspected mule account") is W.ok
    sent = client.post(
        "/v1/wallets/me/transfers",
        json={"to_phone": BOB, "amount_minor": 100},
        headers=auth(alice) | {"Idempotency-Key": "send-frozen"},
    )
    assert sent.status_code == 409, sent.text
    assert sent.json()["error"]["code"] == "wallet_frozen"
    merchant = client.post(
        "/v1/merchants",
        json={
            "legal_name": "Kopi Corner LLP", "display_name": "Kopi Corner", "mcc": "5814",
            "country": "SG", "city": "Singapore", "currency": "SGD", "discount_bps": 100,
        },
        headers=operator_headers(ctx) | {"Idempotency-Key": "onboard-kopi"},
    )  # fmt: skip
    assert merchant.status_code == 201, merchant.text
    found = ctx.merchants.by_id(str(merchant.json()["id"]))
    assert found is not None
    paid = client.post(
        "/v1/payments",
        json={"payload": ctx.payments.merchant_qr(found, 350)},
        headers=auth(alice) | {"Idempotency-Key": "pay-frozen"},
    )
    assert paid.status_code == 409, paid.text
    assert paid.json()["error"]["code"] == "wallet_frozen"
    read = client.get("/v1/wallets/me", headers=auth(alice))
    assert read.status_code == 200 and read.json()["balance"]["amount_minor"] == 10_001


def test_a_frozen_wallet_cannot_withdraw(served_at: Served) -> None:
    client, ctx, _ = served_at
    alice = open_wallet(client, ALICE)
    assert ctx.wallets.cash_in(ALICE, "SGD", 10_000).result is W.ok
    assert ctx.wallets.freeze(str(alice["id"]), "funds under investigation") is W.ok
    asked = client.post(
        "/v1/wallets/me/withdrawals",
        json={"partner": "dbs", "amount_minor": 1_000},
        headers=auth(alice) | {"Idempotency-Key": "withdraw-frozen"},
    )
    assert asked.status_code == 409, asked.text
    assert asked.json()["error"]["code"] == "wallet_frozen"
    wallet = ctx.wallet_store.by_id(str(alice["id"]))
    assert wallet is not None and ctx.wallets.balances(wallet) == (10_001, 10_001)

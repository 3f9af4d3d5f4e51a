"""The whole journey through the HTTP API, with the books checked at the end.

Alice opens a wallet for a coin (0.01 SGD), tops up 150.00 from her bank, pays Hawker Chan
25.90 by scanning its dynamic QR code, then 12.00 at the till with her phone's payment code;
the hawker refunds 5.00 of the first. The hawker's webhook endpoint hears of all three, and
every delivery verifies with its secret.

    Alice     0.01 + 150.00 - 25.90 - 12.00 + 5.00           = 117.11
    Hawker    25.90 + 12.00 - fees (0.39 + 0.18) - 5.00        =  32.33
    Revenue   0.39 + 0.18 (1.50 % of each, half up)            =   0.57
    Bank      150.00 paid into Colony
"""

from __future__ import annotations

import json

from colony.kernel.clock import NS_PER_S
from colony.ledger.verify import verify
from colony.merchants.service import revenue_account_id
from colony.merchants.webhook_signature import HEADER
from colony.merchants.webhook_signature import verify as verify_signature
from colony.payments.payment_code import Device, code_for
from colony.webhooks import WebhookTargets
from colony.webhooks.dispatcher import WebhookDispatcher
from colony.webhooks.http_sender import HttpSender
from tests.api.test_funding_api import ALICE, Served, books, post
from tests.api.test_payment_api import SHOP, operator_headers
from tests.api.test_wallet_api import auth, open_wallet
from tests.webhooks.receiver import receiver


def test_open_top_up_pay_twice_refund_and_hear_of_it(served_at_each_backend: Served) -> None:
    client, ctx, clock = served_at_each_backend
    operator = operator_headers(ctx)
    alice = open_wallet(client, ALICE)
    assert alice["balance"] == {"amount_minor": 1, "currency": "SGD", "formatted": "SGD0.01"}

    top_up = post(
        client,
        "/v1/wallets/me/top_ups",
        auth(alice),
        "tu",
        {"partner": "dbs", "amount_minor": 15_000},
    ).json()
    assert top_up["status"] == "pending"
    confirmed = post(client, f"/v1/top_ups/{top_up['id']}/confirm", operator, "tu-ok")
    assert confirmed.json()["status"] == "succeeded"

    hawker = post(client, "/v1/merchants", operator, "m", SHOP).json()
    hawker_key = {"Authorization": f"Bearer {hawker['api_key']}"}
    ctx.webhook_targets = WebhookTargets(allow_loopback=True)  # the receiver is on loopback
    with receiver() as got:
        hook = post(client, "/v1/merchants/me/webhook_endpoint", hawker_key, "wh", {"url": got.url})
        secret = hook.json()["secret"].encode()

        qr = client.get(
            "/v1/merchants/me/qr_code",
            params={"amount_minor": 2_590, "reference": "ORDER-1"},
            headers=hawker_key,
        ).json()["payload"]
        by_qr = post(client, "/v1/payments", auth(alice), "pay-qr", {"payload": qr}).json()
        assert (by_qr["status"], by_qr["amount_minor"], by_qr["reference"]) == (
            "succeeded",
            2_590,
            "ORDER-1",
        )

        bound = post(client, "/v1/wallets/me/devices", auth(alice), "phone").json()
        phone = Device(int(bound["number"]), bytes.fromhex(bound["secret"]), "")
        code = code_for(phone, clock.now_ns())  # made offline, on the phone
        by_code = post(
            client, "/v1/payments/code", hawker_key, "till-1", {"code": code, "amount_minor": 1_200}
        ).json()
        assert by_code["status"] == "succeeded" and by_code["amount_minor"] == 1_200

        refund = post(
            client, f"/v1/payments/{by_qr['id']}/refunds", hawker_key, "re-1", {"amount_minor": 500}
        ).json()
        assert refund["status"] == "succeeded"

        sender = HttpSender(ctx.webhook_targets)
        relay = WebhookDispatcher(ctx.ledger, ctx.merchants.by_id, ctx.webhook_store, clock, sender)
        assert relay.run_once() == (3, 3)
        sender.close()

    events = [json.loads(body) for body in got.bodies]
    assert [(e["type"], e["data"]["object"]["amount_minor"]) for e in events] == [
        ("payment.succeeded", 2_590),
        ("payment.succeeded", 1_200),
        ("payment.refunded", 500),
    ]
    assert events[2]["data"]["object"]["payment"] == by_qr["id"]
    for body, headers in zip(got.bodies, got.headers, strict=True):
        verify_signature(body, headers[HEADER], secret, clock.now_ns() // NS_PER_S)

    me = client.get("/v1/wallets/me", headers=auth(alice)).json()
    assert me["balance"]["amount_minor"] == 11_711
    merchant = ctx.merchants.by_id(str(hawker["id"]))
    assert merchant is not None
    shop, revenue = ctx.ledger.lookup_accounts(
        [merchant.account_id, revenue_account_id(merchant.ledger)]
    )
    assert shop.credits_posted - shop.debits_posted == 3_233
    assert revenue.credits_posted - revenue.debits_posted == 57
    assert books(ctx, ALICE)["partner_debits"] == 15_000
    report = verify(*ctx.ledger.snapshot_for_verify())
    assert report.ok

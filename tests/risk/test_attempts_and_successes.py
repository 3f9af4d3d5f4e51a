"""Payments the ledger refused count in risk control's velocity as attempts, never as
money that moved: over real HTTP, three payments refused for want of funds and one paid
leave four attempts in the windows but one amount in the wallet's history and its 24 h
spend, and the payee known only once paid (docs/adr/0060)."""

from __future__ import annotations

from dataclasses import replace

import httpx

from colony.api.context import ApiContext
from colony.kernel.clock import ManualClock
from colony.risk import Channel, RiskCheck, RiskEvent
from tests.api.test_payment_api import onboard, static_code
from tests.api.test_wallet_api import open_wallet
from tests.risk.test_risk_api import PHONE, _pay

Served = tuple[httpx.Client, ApiContext, ManualClock]


def test_refused_payments_are_attempts_and_only_paid_ones_make_history(
    served_at: Served,
) -> None:
    client, ctx, _ = served_at
    merchant = onboard(client, ctx)
    alice = open_wallet(client, PHONE)
    assert ctx.wallets.cash_in(PHONE, "SGD", 100_000).result.name == "ok"
    code = static_code(client, merchant)
    check = ctx.service(RiskCheck)
    wallet, payee = str(alice["id"]), str(merchant["id"])
    for n in range(3):
        refused = _pay(client, alice, code, 10_000_000, f"too-much-{n}")
        assert refused.status_code == 402, refused.text
    probe = RiskEvent(Channel.qr, wallet, payee, 1_000, "SGD", ctx.clock.now_ns())
    before = check.features.features(probe)
    assert (before.wallet_count_1h, before.history_count, before.payee_seen) == (3, 0, False)
    assert before.wallet_sum_24h_minor == 0
    paid = _pay(client, alice, code, 1_000, "paid")
    assert paid.status_code == 201, paid.text
    assert _pay(client, alice, code, 1_000, "paid").status_code == 201  # a replay: once
    after = check.features.features(probe)
    assert (after.wallet_count_1h, after.history_count, after.payee_seen) == (4, 1, True)
    assert (after.history_sum_minor, after.wallet_sum_24h_minor) == (1_000, 1_000)


def test_a_refund_retried_with_its_id_counts_once_in_merchant_risk(served_at: Served) -> None:
    client, ctx, _ = served_at
    merchant = onboard(client, ctx)
    alice = open_wallet(client, PHONE)
    assert ctx.wallets.cash_in(PHONE, "SGD", 100_000).result.name == "ok"
    paid = _pay(client, alice, static_code(client, merchant), 2_000, "to-refund")
    assert paid.status_code == 201, paid.text
    payment_id, refund_id = int(paid.json()["id"].removeprefix("pay_"), 16), 1 << 126 | 7
    for _ in range(2):  # the second is a retry: found made, nothing moves
        assert ctx.payments.refund(payment_id, 500, refund_id).result.name == "ok"
    probe = RiskEvent(Channel.qr, str(alice["id"]), str(merchant["id"]), 1, "SGD", 0)
    seen = ctx.service(RiskCheck).features.features(replace(probe, at_ns=ctx.clock.now_ns()))
    assert (seen.merchant_refunds, seen.wallet_refunds) == (1, 1)

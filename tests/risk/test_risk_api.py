"""Risk control in the payment path over real HTTP: a payment blocked with its reasons, one
held for review that expires back to the payer, and the fallback rules deciding when the
features raise (docs/adr/0055)."""

from __future__ import annotations

import dataclasses

import httpx

from colony.api.context import ApiContext
from colony.kernel.clock import ManualClock
from colony.payments.service import review_hold_s
from colony.risk import (
    DEFAULT_RULES,
    Decision,
    Features,
    FeatureStore,
    Mode,
    Reason,
    RiskCheck,
    RiskEvent,
    RuleSet,
)
from tests.api.test_payment_api import onboard, static_code
from tests.api.test_wallet_api import auth as wallet_auth
from tests.api.test_wallet_api import open_wallet

Served = tuple[httpx.Client, ApiContext, ManualClock]
PHONE = "+6591234567"


def _rules(reason: Reason, decision: Decision, threshold: int) -> RuleSet:
    rule = DEFAULT_RULES.rule(reason)
    assert rule is not None
    changed = dataclasses.replace(rule, decision=decision, threshold=threshold, mode=Mode.active)
    return DEFAULT_RULES.with_rule(changed)


def _shop(served_at: Served) -> tuple[httpx.Client, ApiContext, str, dict[str, object]]:
    client, ctx, _ = served_at
    merchant = onboard(client, ctx)
    alice = open_wallet(client, PHONE)
    assert ctx.wallets.cash_in(PHONE, "SGD", 100_000).result.name == "ok"
    return client, ctx, static_code(client, merchant), alice


def _pay(client: httpx.Client, alice: dict[str, object], code: str, amount: int, key: str):  # type: ignore[no-untyped-def]
    return client.post(
        "/v1/payments",
        json={"payload": code, "amount_minor": amount},
        headers=wallet_auth(alice) | {"Idempotency-Key": key},
    )


def _balance(client: httpx.Client, alice: dict[str, object]) -> int:
    me = client.get("/v1/wallets/me", headers=wallet_auth(alice)).json()
    return int(me["available"]["amount_minor"])


def test_a_payment_blocked_is_refused_with_its_reasons_and_moves_nothing(
    served_at: Served,
) -> None:
    client, ctx, code, alice = _shop(served_at)
    check = ctx.service(RiskCheck)
    check.use_rules(_rules(Reason.amount_large, Decision.block, 300))  # USD 300: SGD 384.00
    start = _balance(client, alice)
    assert _pay(client, alice, code, 38_399, "small").status_code == 201
    refused = _pay(client, alice, code, 38_400, "large")
    assert refused.status_code == 402, refused.text
    error = refused.json()["error"]
    assert (error["code"], error["type"]) == ("risk_blocked", "payment_error")
    assert "amount_large" in error["message"]
    assert _balance(client, alice) == start - 38_399
    assert _pay(client, alice, code, 38_400, "large").json() == refused.json()  # replayed
    assert check.store is not None
    # Kept: the block, and the small payment only if a shadow rule named it (the model).
    kept = check.store.recent()
    (blocked,) = [k for k in kept if k.assessment.decision is not Decision.allow]
    assert (blocked.assessment.decision, blocked.assessment.reasons) == (
        Decision.block, (Reason.amount_large,),
    )  # fmt: skip
    assert blocked.assessment.rules_version == DEFAULT_RULES.version + 1


def test_a_payment_held_for_review_expires_back_to_the_payer(served_at: Served) -> None:
    client, ctx, code, alice = _shop(served_at)
    clock = served_at[2]
    ctx.service(RiskCheck).use_rules(_rules(Reason.new_payee, Decision.review, 100))
    start = _balance(client, alice)
    held = _pay(client, alice, code, 20_000, "held")
    assert held.status_code == 201, held.text
    payment = held.json()
    assert (payment["status"], payment["capture_method"]) == ("requires_capture", "manual")
    assert _balance(client, alice) == start - 20_000
    # The payee is known now: the next payment is not held.
    assert _pay(client, alice, code, 20_000, "paid").json()["status"] == "succeeded"
    clock.advance(review_hold_s + 1)
    assert ctx.ledger.pulse() >= 1
    assert _balance(client, alice) == start - 20_000  # the held 200.00 came back; the paid one not
    shown = client.get(f"/v1/payments/{payment['id']}", headers=wallet_auth(alice)).json()
    assert shown["status"] == "canceled"


class BrokenCounters(FeatureStore):
    def read_and_observe(self, event: RiskEvent) -> Features:
        raise RuntimeError("the counters are gone")


def test_the_fallback_rules_decide_when_the_features_raise(served_at: Served) -> None:
    client, ctx, code, alice = _shop(served_at)
    check = ctx.service(RiskCheck)
    check.features = BrokenCounters()
    # USD 300, SGD 384.00 on the shipped table's day: at the fallback's review threshold.
    large = _pay(client, alice, code, 38_400, "large")
    assert large.status_code == 201, large.text
    assert large.json()["status"] == "requires_capture"
    assert check.fallbacks == 1
    assert check.store is not None
    (kept,) = check.store.recent()
    assert kept.assessment.fallback and kept.assessment.reasons == (Reason.features_unavailable,)


def test_a_p2p_transfer_blocked_is_refused_and_moves_nothing(served_at: Served) -> None:
    client, ctx, _, alice = _shop(served_at)
    bob = open_wallet(client, "+6598765432")
    check = ctx.service(RiskCheck)
    check.use_rules(_rules(Reason.amount_large, Decision.block, 100))  # USD 100: SGD 128.00
    start = _balance(client, alice)
    sent = client.post(
        f"/v1/wallets/{alice['id']}/transfers",
        json={"to_phone": bob["phone"], "amount_minor": 12_800},
        headers=wallet_auth(alice) | {"Idempotency-Key": "p2p-large"},
    )
    assert sent.status_code == 402, sent.text
    assert sent.json()["error"]["code"] == "risk_blocked"
    assert sent.json()["error"]["message"] == "risk blocked: amount_large"  # as a payment's
    assert _balance(client, alice) == start
    assert check.store is not None
    (kept,) = check.store.recent()
    assert (kept.event.channel.value, kept.assessment.reasons) == ("p2p", (Reason.amount_large,))
    small = client.post(
        f"/v1/wallets/{alice['id']}/transfers",
        json={"to_phone": bob["phone"], "amount_minor": 12_799},
        headers=wallet_auth(alice) | {"Idempotency-Key": "p2p-small"},
    )
    assert small.status_code == 201, small.text

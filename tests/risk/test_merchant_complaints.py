"""Complaints in merchant risk (docs/adr/0062): each complaint filed about a merchant counts
in its streaming counters, once however often it is told; the complaint rate per thousand of
its payments (with a prior) feeds a rule that holds payments to it for review, shipped in
shadow mode. Over real HTTP on loopback: complaints filed through the disputes API reach the
counters, and with the rule turned active the next payment is held."""

from __future__ import annotations

import dataclasses

from colony.kernel.clock import NS_PER_S
from colony.risk import (
    DEFAULT_RULES,
    Channel,
    Decision,
    FeatureStore,
    Mode,
    Reason,
    RiskCheck,
    RiskEvent,
)
from tests.api.test_funding_api import post
from tests.api.test_wallet_api import auth as wallet_auth
from tests.risk.test_risk_api import Served, _pay, _rules, _shop

T0 = 1_767_225_600 * NS_PER_S


def _to(merchant: str, at_s: int = 0) -> RiskEvent:
    return RiskEvent(Channel.qr, "w_1", merchant, 1_000, "SGD", T0 + at_s * NS_PER_S)


def test_complaints_count_per_merchant_with_a_prior() -> None:
    store = FeatureStore()
    for at_s in range(100):
        for merchant in ("m_complained", "m_quiet"):
            store.observe(_to(merchant, at_s))
            store.observe_success(_to(merchant, at_s))
    for _ in range(12):
        store.observe_complaint("m_complained")
    complained = store.features(_to("m_complained", 200))
    assert (complained.merchant_payments, complained.merchant_complaints) == (100, 12)
    # (12 * 1000 + 5 * 50) / (100 + 50): the prior of 5 per mille over 50 payments.
    assert complained.merchant_complaint_pm() == 81
    assert store.features(_to("m_quiet", 200)).merchant_complaint_pm() == 1
    assert store.features(_to("m_new")).merchant_complaint_pm() == 5  # the prior alone
    store.observe_complaint("m_new")
    assert store.features(_to("m_new")).merchant_complaint_pm() == 25  # one is no alarm


def test_a_complaint_told_twice_counts_once_and_the_rule_ships_in_shadow() -> None:
    check = RiskCheck()
    for n in range(3):
        check.complained(f"cmp_{n}", "m_1")
        check.complained(f"cmp_{n}", "m_1")  # told again (a retry, a repair): once
    assert check.features.features(_to("m_1")).merchant_complaints == 3
    shipped = check.check(_to("m_1"))  # (3000 + 250) / 50 = 65 per mille, over 50
    assert (shipped.decision, shipped.shadow_reasons) == (
        Decision.allow,
        (Reason.merchant_complaints_high,),
    )
    rule = DEFAULT_RULES.rule(Reason.merchant_complaints_high)
    assert rule is not None and (rule.decision, rule.mode) == (Decision.review, Mode.shadow)
    check.use_rules(DEFAULT_RULES.with_rule(dataclasses.replace(rule, mode=Mode.active)))
    acting = check.check(_to("m_1", 1))
    assert (acting.decision, acting.reasons) == (
        Decision.review,
        (Reason.merchant_complaints_high,),
    )
    assert check.check(_to("m_2", 1)).decision is Decision.allow  # another merchant


def test_complaints_filed_over_http_hold_the_next_payment_for_review(served_at: Served) -> None:
    client, ctx, code, alice = _shop(served_at)
    check = ctx.service(RiskCheck)
    check.use_rules(_rules(Reason.merchant_complaints_high, Decision.review, 50))
    assert _pay(client, alice, code, 1_000, "before").json()["status"] == "succeeded"
    merchant = str(_pay(client, alice, code, 1_000, "before").json()["merchant"])
    about = {"merchant": merchant, "category": "service", "text": "rude at the till"}
    for n in range(3):
        for _ in range(2):  # the second is the same request retried: one complaint
            filed = post(client, "/v1/complaints", wallet_auth(alice), f"c-{n}", about)
            assert filed.status_code == 201, filed.text
    probe = RiskEvent(Channel.qr, str(alice["id"]), merchant, 1, "SGD", ctx.clock.now_ns())
    seen = check.features.features(probe)
    assert (seen.merchant_payments, seen.merchant_complaints) == (1, 3)
    held = _pay(client, alice, code, 1_000, "after")  # (3000 + 250) / 51 = 63 per mille
    assert held.status_code == 201, held.text
    assert (held.json()["status"], held.json()["capture_method"]) == ("requires_capture", "manual")
    assert check.store is not None
    kept = check.store.recent()[0].assessment
    assert (kept.decision, kept.reasons) == (Decision.review, (Reason.merchant_complaints_high,))

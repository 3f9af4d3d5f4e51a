"""The features fraud needs (docs/adr/0059): merchant risk from refunds, the payer's local
hour, the distance from the wallet's usual place, and P2P money in; and the model's score
feeding the rules that read it, shadow mode respected."""

from __future__ import annotations

from dataclasses import replace

from colony.kernel.clock import NS_PER_S
from colony.risk import (
    DEFAULT_RULES,
    Channel,
    Decision,
    FeatureStore,
    FraudModel,
    Mode,
    Place,
    Reason,
    RiskCheck,
    RiskEvent,
    Rule,
)
from colony.risk.fraud_model import Tree

T0 = 1_767_225_600 * NS_PER_S  # 2026-01-01 00:00 UTC, a Thursday
HELSINKI = Place(60_169_900, 24_938_400)
ESPOO = Place(60_205_500, 24_655_900)
SINGAPORE = Place(1_352_100, 103_819_800)


def _pay(at_s: int, payee: str = "m_1", place: Place | None = HELSINKI, **kw: object) -> RiskEvent:
    return RiskEvent(
        Channel.qr, "w_1", payee, 1_000, "EUR", T0 + at_s * NS_PER_S, "d_1", place, **kw
    )  # type: ignore[arg-type]


def _paid(store: FeatureStore, event: RiskEvent) -> None:
    """`event` tried and its money moved (docs/adr/0060)."""
    store.observe(event)
    store.observe_success(event)


def test_merchant_risk_counts_payments_and_refunds_of_each_merchant() -> None:
    store = FeatureStore()
    for at_s in range(100):
        _paid(store, _pay(at_s, payee="m_refunds"))
        _paid(store, _pay(at_s, payee="m_honest"))
    for at_s in range(30):
        store.observe_refund("w_1", "m_refunds", T0 + (200 + at_s) * NS_PER_S)
    risky = store.features(_pay(300, payee="m_refunds"))
    honest = store.features(_pay(300, payee="m_honest"))
    assert (risky.merchant_payments, risky.merchant_refunds) == (100, 30)
    assert risky.wallet_refunds == 30  # the payer's refunds too
    # (30 * 1000 + 20 * 50) / (100 + 50): the prior of 20 per mille over 50 payments.
    assert risky.merchant_refund_pm() == 206
    assert honest.merchant_refund_pm() == 6
    fresh = store.features(_pay(300, payee="m_new"))
    assert fresh.merchant_refund_pm() == 20  # the prior alone: a new shop is not suspect


def test_the_hour_is_the_payers_local_one_when_known_else_utc() -> None:
    store = FeatureStore()
    at_3_utc = 3 * 3_600
    assert store.features(_pay(at_3_utc)).hour_local == 3
    assert store.features(_pay(at_3_utc, utc_offset_min=480)).hour_local == 11  # Singapore
    assert store.features(_pay(at_3_utc, utc_offset_min=-300)).hour_local == 22  # New York
    assert store.features(_pay(at_3_utc, utc_offset_min=330)).hour_local == 8  # India, 8:30


def test_far_from_home_is_measured_from_the_cell_paid_in_most() -> None:
    store = FeatureStore()
    for at_s in range(0, 20 * 3_600, 3_600):
        _paid(store, _pay(at_s, place=HELSINKI if at_s % 7_200 else ESPOO))
    for at_s in range(1, 4):  # a short trip does not move home
        _paid(store, _pay(30 * 3_600 * at_s, place=SINGAPORE))
    abroad = store.features(_pay(200 * 3_600, place=SINGAPORE))
    at_home = store.features(_pay(200 * 3_600, place=HELSINKI))
    assert abroad.home_km is not None and 9_000 < abroad.home_km < 9_300
    assert at_home.home_km is not None and at_home.home_km < 20
    assert store.features(_pay(200 * 3_600, place=None)).home_km is None


def test_p2p_money_in_is_counted_for_the_receiving_wallet_for_24_hours() -> None:
    store = FeatureStore()
    _paid(store, RiskEvent(Channel.p2p, "w_victim", "w_mule", 50_000, "EUR", T0, "d_2"))
    onward = RiskEvent(Channel.p2p, "w_mule", "w_next", 48_000, "EUR", T0 + 600 * NS_PER_S)
    assert store.features(onward).received_24h_minor == 50_000
    assert store.features(onward).wallet_age_s == 600
    day_later = replace(onward, at_ns=T0 + 86_401 * NS_PER_S)
    assert store.features(day_later).received_24h_minor == 0


def _constant_model(probability_pm: int) -> FraudModel:
    """A one-leaf model: every event scores the same."""
    import math

    p = probability_pm / 1_000
    leaf = Tree((-1,), (0.0,), (0,), (0,), (False,), (math.log(p / (1 - p)),))
    return FraudModel("test", "2026-12-03", 0.0, (leaf,), {})


def test_the_models_score_feeds_its_rules_and_shadow_mode_is_respected() -> None:
    shipped = RiskCheck(model=_constant_model(970))  # both model rules ship in shadow
    got = shipped.check(_pay(0))
    assert got.decision is Decision.allow
    assert {Reason.model_score_high, Reason.model_score_very_high} <= set(got.shadow_reasons)
    active_review = Rule(Reason.model_score_high, Decision.review, 500, 40, Mode.active)
    reviewing = RiskCheck(rules=DEFAULT_RULES.with_rule(active_review), model=_constant_model(600))
    got = reviewing.check(_pay(0))
    assert (got.decision, got.reasons) == (Decision.review, (Reason.model_score_high,))
    below = RiskCheck(rules=DEFAULT_RULES.with_rule(active_review), model=_constant_model(400))
    assert below.check(_pay(0)).decision is Decision.allow
    no_model = RiskCheck(rules=DEFAULT_RULES.with_rule(active_review))
    assert no_model.check(_pay(0)).decision is Decision.allow  # no model: it never fires


def test_a_refund_reaches_merchant_risk_through_the_check() -> None:
    check = RiskCheck()
    check.check(_pay(0))
    check.refunded("w_1", "m_1", T0 + NS_PER_S)
    assert check.features.features(_pay(2)).merchant_refunds == 1

"""The streaming counters: windows slide, history accumulates, keys are bounded, and the
check falls back to the conservative rules when the counters raise."""

from __future__ import annotations

from dataclasses import replace

import pytest

from colony.kernel.clock import NS_PER_S
from colony.risk import (
    DEFAULT_RULES,
    FALLBACK_RULES,
    Channel,
    Decision,
    Features,
    FeatureStore,
    Mode,
    Place,
    Reason,
    RiskCheck,
    RiskEvent,
)
from colony.risk import features as features_module

T0 = 1_767_225_600 * NS_PER_S
HELSINKI = Place(60_169_900, 24_938_400)
SHANGHAI = Place(31_230_400, 121_473_700)


def _event(at_s: int, amount: int = 1_000, payee: str = "m_1", **kw: object) -> RiskEvent:
    return RiskEvent(Channel.qr, "w_1", payee, amount, "EUR", T0 + at_s * NS_PER_S, **kw)  # type: ignore[arg-type]


def _paid(store: FeatureStore, event: RiskEvent) -> None:
    """A payment scored, then taken by the ledger: an attempt and a success."""
    store.observe(event)
    store.observe_success(event)


def test_windows_count_and_sum_what_is_inside_them() -> None:
    store = FeatureStore()
    for at_s in (0, 30, 90, 4_000):
        _paid(store, _event(at_s))
    got = store.features(_event(4_010))
    assert (got.wallet_count_1m, got.wallet_count_1h, got.wallet_count_24h) == (1, 1, 4)
    assert got.wallet_sum_24h_minor == 4_000
    assert (got.history_count, got.history_sum_minor, got.history_sum_sq) == (4, 4_000, 4 * 10**6)
    later = store.features(_event(86_400 + 4_001))
    assert later.wallet_count_24h == 0
    assert later.history_count == 4  # the wallet's own history outlives the windows


def test_new_payee_and_device_then_known() -> None:
    store = FeatureStore()
    first = store.features(_event(0, device="d1"))
    assert (first.payee_seen, first.device_seen) == (False, False)
    _paid(store, _event(0, device="d1"))
    again = store.features(_event(10, device="d1"))
    assert (again.payee_seen, again.device_seen, again.device_count_1h) == (True, True, 1)
    assert store.features(_event(10, payee="m_2")).payee_seen is False


def test_impossible_travel_from_the_last_place() -> None:
    store = FeatureStore()
    store.observe(_event(0, place=HELSINKI))
    two_hours = store.features(_event(7_200, place=SHANGHAI))
    assert two_hours.travel_kmh is not None and two_hours.travel_kmh > 3_000
    day = store.features(_event(86_400, place=SHANGHAI))
    assert day.travel_kmh is not None and day.travel_kmh < 400
    assert store.features(_event(7_200)).travel_kmh is None  # no place known: not timed


def test_tracked_keys_are_bounded_least_recent_first(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(features_module, "tracked_keys_max", 3)
    store = FeatureStore()
    for wallet in range(1, 6):
        _paid(store, RiskEvent(Channel.p2p, f"w_{wallet}", "w_9", 100, "EUR", T0))
    assert store.tracked()[0] == 3
    gone = store.features(RiskEvent(Channel.p2p, "w_1", "w_9", 100, "EUR", T0))
    kept = store.features(RiskEvent(Channel.p2p, "w_5", "w_9", 100, "EUR", T0))
    assert (gone.history_count, kept.history_count) == (0, 1)


def test_refused_tries_count_as_attempts_only() -> None:
    """Card testing is many refused tries: they count in the velocity windows; the amounts
    that moved alone make the wallet's history, its 24 h spend and its known payees."""
    store = FeatureStore()
    _paid(store, _event(0, 1_000))
    for at_s in (10, 20, 30):
        store.observe(_event(at_s, 90_000, payee="m_2", device="d1"))  # refused by the ledger
    got = store.features(_event(40, payee="m_2", device="d1"))
    assert (got.wallet_count_1m, got.wallet_count_24h, got.device_count_1h) == (4, 4, 3)
    assert (got.history_count, got.history_sum_minor, got.wallet_sum_24h_minor) == (1, 1_000, 1_000)
    assert (got.payee_seen, got.device_seen) == (False, False)


def test_a_window_keeps_at_most_its_cap(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(features_module, "window_events_max", 5)
    store = FeatureStore()
    for i in range(8):
        store.observe(_event(i))
    assert store.features(_event(9)).wallet_count_1m == 5


class BrokenCounters(FeatureStore):
    def read_and_observe(self, event: RiskEvent) -> Features:
        raise RuntimeError("counters lost")


@pytest.mark.parametrize(
    ("amount_minor", "decision"),
    [(1_000, Decision.allow), (60_000, Decision.review), (10_000_000, Decision.block)],
)
def test_the_fallback_decides_when_the_features_raise(
    amount_minor: int, decision: Decision
) -> None:
    check = RiskCheck(BrokenCounters())
    got = check.check(_event(0, amount_minor))
    assert got.decision is decision
    assert got.fallback and got.rules_version == FALLBACK_RULES.version
    assert check.fallbacks == 1
    if decision is not Decision.allow:
        assert Reason.features_unavailable in got.reasons


def test_the_check_counts_what_it_assessed() -> None:
    shadowed = RiskCheck()
    rule = DEFAULT_RULES.rule(Reason.velocity_1m)
    assert rule is not None
    active = RiskCheck(rules=DEFAULT_RULES.with_rule(replace(rule, mode=Mode.active)))
    for i in range(11):
        got, watched = active.check(_event(i)), shadowed.check(_event(i))
    assert (got.decision, got.reasons) == (Decision.challenge, (Reason.velocity_1m,))
    assert (watched.decision, watched.shadow_reasons) == (Decision.allow, (Reason.velocity_1m,))

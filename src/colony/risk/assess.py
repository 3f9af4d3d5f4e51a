"""The decision: a pure function of the event, its features and the rules.

Every rule is checked; the active ones that fire decide (the highest decision wins:
block > review > challenge > allow) and add their weights to the score; shadow ones that
fire are only named. Amount thresholds are in whole US dollars, the event's amount read
through the shipped table of minor units a dollar (usd_units.py, docs/adr/0066).
"""

from __future__ import annotations

from collections.abc import Callable

from colony.risk.model import Assessment, Decision, Features, Reason, RiskEvent
from colony.risk.rules import (
    Mode,
    Rule,
    RuleSet,
    score_max,
    unusual_history_min,
    unusual_mean_ratio_min,
)
from colony.risk.usd_units import minor_per_usd

Check = Callable[[RiskEvent, Features, int], bool]
# A check on the event alone: it may decide when the features could not be read (None).
EventCheck = Callable[[RiskEvent, Features | None, int], bool]


def _usd(event: RiskEvent, dollars: int) -> int:
    """`dollars` in minor units of the event's currency."""
    return dollars * minor_per_usd(event.currency)


def _unusual(event: RiskEvent, f: Features, tenths: int) -> bool:
    """Above mean + k standard deviations (k in tenths), in integers: with n amounts of sum
    s and sum of squares q, (n*a - s)^2 * 100 > k^2 * (n*q - s^2)."""
    n, s, q = f.history_count, f.history_sum_minor, f.history_sum_sq
    if n < unusual_history_min:
        return False
    above = n * event.amount_minor - s
    if above <= 0 or event.amount_minor * n < unusual_mean_ratio_min * s:
        return False
    return above * above * 100 > tenths * tenths * (n * q - s * s)


# The checks on the features: none fires without them.
FEATURE_CHECKS: dict[Reason, Check] = {
    Reason.velocity_1m: lambda e, f, t: f.wallet_count_1m + 1 > t,
    Reason.velocity_1h: lambda e, f, t: f.wallet_count_1h + 1 > t,
    Reason.velocity_24h: lambda e, f, t: f.wallet_count_24h + 1 > t,
    Reason.spend_24h: lambda e, f, t: f.wallet_sum_24h_minor + e.amount_minor > _usd(e, t),
    Reason.amount_unusual: _unusual,
    Reason.new_payee: lambda e, f, t: not f.payee_seen and e.amount_minor >= _usd(e, t),
    Reason.new_device: lambda e, f, t: not f.device_seen and e.amount_minor >= _usd(e, t),
    Reason.device_velocity_1h: lambda e, f, t: f.device_count_1h + 1 > t,
    Reason.impossible_travel: lambda e, f, t: (f.travel_kmh or 0) > t,
    Reason.merchant_velocity_1m: lambda e, f, t: f.merchant_count_1m + 1 > t,
    Reason.model_score_high: lambda e, f, t: (f.model_score_pm or 0) >= t,
    Reason.model_score_very_high: lambda e, f, t: (f.model_score_pm or 0) >= t,
    Reason.merchant_refunds_high: lambda e, f, t: f.merchant_refund_pm() > t,
    Reason.merchant_complaints_high: lambda e, f, t: f.merchant_complaint_pm() > t,
    Reason.far_from_home: lambda e, f, t: (f.home_km or 0) > t,
    # Only in the payer's own time: 3 a.m. UTC is mid-morning in Singapore.
    Reason.night_hour: lambda e, f, t: e.utc_offset_min is not None and f.hour_local < t,
}
# The checks on the event alone, with or without the features.
EVENT_CHECKS: dict[Reason, EventCheck] = {
    Reason.amount_large: lambda e, f, t: e.amount_minor >= _usd(e, t),
    Reason.features_unavailable: lambda e, f, t: f is None and e.amount_minor >= _usd(e, t),
}
# Every reason has one check, of one kind.
assert not FEATURE_CHECKS.keys() & EVENT_CHECKS.keys()
assert FEATURE_CHECKS.keys() | EVENT_CHECKS.keys() == set(Reason)
# The rules that read the model's score: the check asks the model only when one is there.
MODEL_REASONS = frozenset({Reason.model_score_high, Reason.model_score_very_high})


# Rule sets whose checks were found, by identity, and how many are kept: a rule set is
# checked for every payment and changes when an analyst edits a rule; the default and the
# fallback sets and the one in force are all there usually are.
_checks_kept_max = 8
_Checks = tuple[RuleSet, tuple[tuple[Check, Rule], ...], tuple[tuple[EventCheck, Rule], ...]]
_checks_kept: dict[int, _Checks] = {}


def _checks_of(rules: RuleSet) -> _Checks:
    """The rule set, its rules each with its check in order, and those that need no
    features: found once per rule set, not once per rule per payment."""
    kept = _checks_kept.get(id(rules))
    if kept is not None and kept[0] is rules:
        return kept
    with_features: list[tuple[Check, Rule]] = []
    without: list[tuple[EventCheck, Rule]] = []
    for r in rules.rules:
        on_event = EVENT_CHECKS.get(r.reason)
        if on_event is None:
            with_features.append((FEATURE_CHECKS[r.reason], r))
        else:
            with_features.append((on_event, r))
            without.append((on_event, r))
    kept = (rules, tuple(with_features), tuple(without))
    if len(_checks_kept) >= _checks_kept_max:
        _checks_kept.clear()  # (the kept set holds its rule set: an id is not reused meanwhile)
    _checks_kept[id(rules)] = kept
    return kept


def assess(event: RiskEvent, features: Features | None, rules: RuleSet) -> Assessment:
    """The assessment of `event`: `features` None means they could not be read."""
    _, with_features, without = _checks_of(rules)
    if features is None:
        fired = [r for check, r in without if check(event, None, r.threshold)]
    else:
        fired = [r for check, r in with_features if check(event, features, r.threshold)]
    active = [r for r in fired if r.mode is Mode.active]
    decision = max((r.decision for r in active), default=Decision.allow)
    score = min(score_max, sum(r.weight for r in active))
    return Assessment(
        decision,
        tuple(sorted(r.reason for r in active)),
        tuple(sorted(r.reason for r in fired if r.mode is Mode.shadow)),
        score,
        rules.version,
        fallback=features is None,
    )

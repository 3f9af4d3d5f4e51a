"""The decision: a pure function of the event, its features and the rules.

Every rule is checked; the active ones that fire decide (the highest decision wins:
block > review > challenge > allow) and add their weights to the score; shadow ones that
fire are only named. Amount thresholds are in whole US dollars, the event's amount read
through the shipped table of minor units a dollar (usd_units.py, docs/adr/0066).
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

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


# Each reason's check: an expression of the event `e`, its features `f` and the rule's
# threshold `{t}`. A rule set's checks are compiled into one function (`_compiled`): a
# payment is checked by every rule, and one function of plain comparisons costs a fraction
# of a call to a check per rule. The checks on the features: none fires without them.
FEATURE_CHECKS: dict[Reason, str] = {
    Reason.velocity_1m: "f.wallet_count_1m + 1 > {t}",
    Reason.velocity_1h: "f.wallet_count_1h + 1 > {t}",
    Reason.velocity_24h: "f.wallet_count_24h + 1 > {t}",
    Reason.spend_24h: "f.wallet_sum_24h_minor + e.amount_minor > _usd(e, {t})",
    Reason.amount_unusual: "_unusual(e, f, {t})",
    Reason.new_payee: "not f.payee_seen and e.amount_minor >= _usd(e, {t})",
    Reason.new_device: "not f.device_seen and e.amount_minor >= _usd(e, {t})",
    Reason.device_velocity_1h: "f.device_count_1h + 1 > {t}",
    Reason.impossible_travel: "(f.travel_kmh or 0) > {t}",
    Reason.merchant_velocity_1m: "f.merchant_count_1m + 1 > {t}",
    Reason.model_score_high: "(f.model_score_pm or 0) >= {t}",
    Reason.model_score_very_high: "(f.model_score_pm or 0) >= {t}",
    Reason.merchant_refunds_high: "f.merchant_refund_pm() > {t}",
    Reason.merchant_complaints_high: "f.merchant_complaint_pm() > {t}",
    Reason.far_from_home: "(f.home_km or 0) > {t}",
    # Only in the payer's own time: 3 a.m. UTC is mid-morning in Singapore.
    Reason.night_hour: "e.utc_offset_min is not None and f.hour_local < {t}",
}
# The checks on the event alone, with or without the features (`f` None).
EVENT_CHECKS: dict[Reason, str] = {
    Reason.amount_large: "e.amount_minor >= _usd(e, {t})",
    Reason.features_unavailable: "f is None and e.amount_minor >= _usd(e, {t})",
}
# Every reason has one check, of one kind.
assert not FEATURE_CHECKS.keys() & EVENT_CHECKS.keys()
assert FEATURE_CHECKS.keys() | EVENT_CHECKS.keys() == set(Reason)
# The rules that read the model's score: the check asks the model only when one is there.
MODEL_REASONS = frozenset({Reason.model_score_high, Reason.model_score_very_high})

# The rules of a set that fire for an event and its features (None: not read).
Fired = Callable[[RiskEvent, Features | None], list[Rule]]


def _compiled(rules: tuple[Rule, ...]) -> Fired:
    """One function checking `rules` in order, each by its reason's expression. The source
    holds only those fixed expressions and names: rule i's threshold is the name `t{i}` and
    the rule itself `r{i}`, bound beside the helpers, so nothing an analyst types becomes
    code."""
    lines = ["def fired(e, f):", " out = []"]
    names: dict[str, object] = {"__builtins__": {}, "_usd": _usd, "_unusual": _unusual}
    for i, rule in enumerate(rules):
        check = EVENT_CHECKS.get(rule.reason) or FEATURE_CHECKS[rule.reason]
        lines += [f" if {check.format(t=f't{i}')}:", f"  out.append(r{i})"]
        names[f"t{i}"], names[f"r{i}"] = rule.threshold, rule
    lines.append(" return out")
    namespace: dict[str, Any] = {}
    exec(compile("\n".join(lines), "<risk rules>", "exec"), names, namespace)
    fired: Fired = namespace["fired"]
    return fired


# Rule sets whose checks were compiled, by identity, and how many are kept: a rule set is
# checked for every payment and changes when an analyst edits a rule; the default and the
# fallback sets and the one in force are all there usually are.
_checks_kept_max = 8
_Checks = tuple[RuleSet, Fired, Fired]
_checks_kept: dict[int, _Checks] = {}


def _checks_of(rules: RuleSet) -> _Checks:
    """The rule set, its rules' checks as one function, and those that need no features
    as another: compiled once per rule set, not once per payment."""
    kept = _checks_kept.get(id(rules))
    if kept is not None and kept[0] is rules:
        return kept
    without = tuple(r for r in rules.rules if r.reason in EVENT_CHECKS)
    kept = (rules, _compiled(rules.rules), _compiled(without))
    if len(_checks_kept) >= _checks_kept_max:
        _checks_kept.clear()  # (the kept set holds its rule set: an id is not reused meanwhile)
    _checks_kept[id(rules)] = kept
    return kept


def assess(event: RiskEvent, features: Features | None, rules: RuleSet) -> Assessment:
    """The assessment of `event`: `features` None means they could not be read."""
    _, with_features, without = _checks_of(rules)
    fired = without(event, None) if features is None else with_features(event, features)
    if not fired:
        return Assessment(Decision.allow, (), (), 0, rules.version, fallback=features is None)
    active = [r for r in fired if r.mode is Mode.active]
    return Assessment(
        max((r.decision for r in active), default=Decision.allow),
        tuple(sorted(r.reason for r in active)),
        tuple(sorted(r.reason for r in fired if r.mode is Mode.shadow)),
        min(score_max, sum(r.weight for r in active)),
        rules.version,
        fallback=features is None,
    )

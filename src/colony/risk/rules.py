"""Rules as data: each names its reason, the decision it asks for, a threshold in the unit
its reason names, a weight toward the score, and whether it acts or only watches (shadow).

The default set allows ordinary traffic: the rules that would act on a busy but honest
wallet start in shadow mode, scored and stored without acting, until analysts have seen
what they would have done (docs/adr/0055).
"""

from __future__ import annotations

import enum
from dataclasses import dataclass

from colony.risk.model import Decision, Reason


class Mode(enum.StrEnum):
    active = "active"  # the rule's decision counts
    shadow = "shadow"  # scored and stored, never acted on


# An amount is unusual only with this much history behind it, in payments.
unusual_history_min = 5
# ... and only at this many times the mean at least, so a steady small spender is not
# flagged for a coffee one cent dearer.
unusual_mean_ratio_min = 3
score_max = 100


@dataclass(frozen=True)
class Rule:
    reason: Reason
    decision: Decision
    threshold: int
    weight: int  # points toward the score when it fires (capped at score_max in all)
    mode: Mode = Mode.active

    def __post_init__(self) -> None:
        if self.threshold < 0 or not 0 <= self.weight <= score_max:
            raise ValueError(f"rule {self.reason.name}: threshold >= 0, weight 0..{score_max}")


@dataclass(frozen=True)
class RuleSet:
    version: int
    rules: tuple[Rule, ...]

    def __post_init__(self) -> None:
        reasons = [r.reason for r in self.rules]
        if len(reasons) != len(set(reasons)):
            raise ValueError("a rule set holds one rule per reason")

    def rule(self, reason: Reason) -> Rule | None:
        return next((r for r in self.rules if r.reason is reason), None)

    def with_rule(self, rule: Rule) -> RuleSet:
        """The next version, with `rule` in place of its reason's (in its place: the order
        analysts read them in stays), or added last."""
        placed = tuple(rule if r.reason is rule.reason else r for r in self.rules)
        if rule not in placed:
            placed = (*placed, rule)
        return RuleSet(self.version + 1, placed)


DEFAULT_RULES = RuleSet(
    1,
    (
        Rule(Reason.velocity_1m, Decision.challenge, 10, 20, Mode.shadow),
        Rule(Reason.velocity_1h, Decision.review, 120, 30, Mode.shadow),
        Rule(Reason.velocity_24h, Decision.review, 500, 30, Mode.shadow),
        Rule(Reason.spend_24h, Decision.review, 5_000, 30, Mode.shadow),
        Rule(Reason.amount_unusual, Decision.challenge, 40, 20, Mode.shadow),
        Rule(Reason.new_payee, Decision.challenge, 1_000, 15, Mode.shadow),
        Rule(Reason.new_device, Decision.challenge, 200, 15, Mode.shadow),
        Rule(Reason.device_velocity_1h, Decision.review, 200, 30, Mode.shadow),
        # Active until docs/adr/0063, when it could not fire (no payment had a place); in
        # shadow since payments carry their shop's place, until analysts have seen it act.
        Rule(Reason.impossible_travel, Decision.review, 1_000, 40, Mode.shadow),
        Rule(Reason.merchant_velocity_1m, Decision.review, 6_000, 10, Mode.shadow),
        Rule(Reason.amount_large, Decision.block, 1_000_000, 60, Mode.shadow),
        # docs/adr/0059: merchant risk, a tourist far from home, the small hours, and the
        # trained model's score (per mille) for review and for block.
        Rule(Reason.merchant_refunds_high, Decision.challenge, 150, 15, Mode.shadow),
        Rule(Reason.far_from_home, Decision.challenge, 2_000, 5, Mode.shadow),
        Rule(Reason.night_hour, Decision.challenge, 5, 5, Mode.shadow),
        Rule(Reason.model_score_high, Decision.review, 500, 40, Mode.shadow),
        Rule(Reason.model_score_very_high, Decision.block, 950, 60, Mode.shadow),
        # docs/adr/0062: complaints in merchant risk; a payment to a merchant people
        # complain of (over 5 % of its payments) is held for review, once analysts turn it on.
        Rule(Reason.merchant_complaints_high, Decision.review, 50, 20, Mode.shadow),
    ),
)

# Used when the features cannot be read (the counters raised): nothing is known of the
# payer's habits, so small amounts pass, larger ones are held for review and very large ones
# refused. Never a crash, never a free pass for a large amount (docs/adr/0055).
FALLBACK_RULES = RuleSet(
    0,
    (
        # US dollars (docs/adr/0066): about SGD 384 and SGD 96,000 on the table's day.
        Rule(Reason.features_unavailable, Decision.review, 300, 50),
        Rule(Reason.amount_large, Decision.block, 75_000, 60),
    ),
)

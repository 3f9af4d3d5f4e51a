"""Training the fraud model on labelled events and measuring it on a later, held-out month
(`colony risk train`, docs/adr/0059).

The labelled events come in time order with the refunds between them (from the simulator's
ground truth, or an operator's confirmed fraud). They are replayed through one
`FeatureStore`, each event's features read just before it is counted, exactly as the
check reads them in the payment path: so the model learns from the features it will see.
Events before `test_from_ns` train a HistGradientBoostingClassifier (scikit-learn, the
`train` extra; seeded, no early stopping, so a seed gives the same trees); the events from
then on measure it. Its trees are copied into plain arrays (`fraud_model.py`).
"""

from __future__ import annotations

import math
from collections import Counter
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, replace
from typing import Any

from colony.risk.assess import MODEL_REASONS, assess
from colony.risk.features import FeatureStore
from colony.risk.fraud_model import FraudModel, Tree, vector
from colony.risk.model import Decision, Features, Reason, RiskEvent
from colony.risk.rules import DEFAULT_RULES, Mode, RuleSet

CLEAN = "clean"
# The share of events an analyst team reviews, for "recall at a review rate", in basis points.
review_rate_bps = 100
# The trees: how many, how many leaves each, and the fewest events a leaf stands for.
trees_count = 100
leaves_per_tree_max = 15
events_per_leaf_min = 20
learning_rate = 0.1


@dataclass(frozen=True, slots=True)
class LabelledEvent:
    """An event with its truth: `kind` is CLEAN or the kind of fraud; `usd_cents` sizes it
    against the month's volume (money across currencies, for the loss in basis points)."""

    event: RiskEvent
    kind: str
    usd_cents: int

    @property
    def fraud(self) -> bool:
        return self.kind != CLEAN


@dataclass(frozen=True, slots=True)
class RefundSeen:
    """A merchant gave (part of) a payment back: merchant risk counts it."""

    at_ns: int
    wallet_id: str
    merchant_id: str


@dataclass(frozen=True, slots=True)
class Replayed:
    labelled: LabelledEvent
    features: Features
    x: list[float]


def replay(items: Iterable[LabelledEvent | RefundSeen]) -> list[Replayed]:
    """Every event with the features the counters knew just before it (in the given order,
    which must be time order)."""
    store = FeatureStore()
    found = []
    last_ns = -1
    for item in items:
        if isinstance(item, RefundSeen):
            store.observe_refund(item.wallet_id, item.merchant_id, item.at_ns)
            continue
        event = item.event
        if event.at_ns < last_ns:
            raise ValueError("labelled events must come in time order")
        last_ns = event.at_ns
        features = store.features(event)
        found.append(Replayed(item, features, vector(event, features)))
        store.observe(event)
        store.observe_success(event)  # simulated money always moves
    return found


def classifier(rows: Sequence[Replayed], seed: int) -> Any:
    """scikit-learn's gradient-boosted trees fitted on `rows`, seeded."""
    from sklearn.ensemble import HistGradientBoostingClassifier
    from threadpoolctl import threadpool_limits

    labels = [1 if r.labelled.fraud else 0 for r in rows]
    if len(set(labels)) < 2:
        raise ValueError("training needs both fraud and clean events (simulate more)")
    fitted = HistGradientBoostingClassifier(
        max_iter=trees_count,
        learning_rate=learning_rate,
        max_leaf_nodes=leaves_per_tree_max,
        min_samples_leaf=events_per_leaf_min,
        early_stopping=False,
        random_state=seed,
    )
    # One thread: on a small shared machine, OpenMP's threads wait on each other far longer
    # than they save (30 s against a few).
    with threadpool_limits(1):
        fitted.fit([r.x for r in rows], labels)
    return fitted


def fit(rows: Sequence[Replayed], seed: int, version: str, trained_at: str) -> FraudModel:
    """Gradient-boosted trees on `rows`, seeded; their trees copied into plain arrays."""
    fitted = classifier(rows, seed)
    return FraudModel(
        version,
        trained_at,
        float(fitted._baseline_prediction.ravel()[0]),
        tuple(_tree_of(p) for (p,) in fitted._predictors),
        {
            "seed": seed,
            "train_events": len(rows),
            "train_fraud_events": sum(r.labelled.fraud for r in rows),
        },
    )


def _tree_of(predictor: Any) -> Tree:
    """The arrays of one of scikit-learn's tree predictors (its `nodes` record array)."""
    nodes = predictor.nodes
    leaf = [bool(v) for v in nodes["is_leaf"]]
    return Tree(
        tuple(-1 if leaf[i] else int(f) for i, f in enumerate(nodes["feature_idx"])),
        tuple(float(v) for v in nodes["num_threshold"]),
        tuple(int(v) for v in nodes["left"]),
        tuple(int(v) for v in nodes["right"]),
        tuple(bool(v) for v in nodes["missing_go_to_left"]),
        tuple(float(v) for v in nodes["value"]),
    )


# Rules left in shadow when measuring: none since amount thresholds are in US dollars
# (docs/adr/0066); before, the 24 h spend's was in major units of any currency, and in yen
# or pesos it reviewed about one clean payment in twenty.
measured_in_shadow: frozenset[Reason] = frozenset()


def acting(rules: RuleSet = DEFAULT_RULES, with_model: bool = True) -> RuleSet:
    """The rules as measured: every rule active but `measured_in_shadow` (and the model's
    left out without the model)."""
    kept = tuple(
        r if r.reason in measured_in_shadow else replace(r, mode=Mode.active)
        for r in rules.rules
        if with_model or r.reason not in MODEL_REASONS
    )
    return RuleSet(rules.version, kept)


@dataclass(frozen=True)
class Measured:
    events: int
    fraud_events: int
    recall_at_review_rate: float  # of fraud events, in the top `review_rate_bps` by score
    pr_auc: float  # average precision of the model's score
    loss_bps_none: float  # fraud's money against all money moved, nothing acting
    loss_bps_rules: float  # ... the rules acting (review and block stop a payment)
    loss_bps_model_and_rules: float
    clean_stopped_bps: float  # clean events reviewed or blocked, model and rules acting
    clean_blocked_bps: float
    flagged_by_kind: dict[str, float]  # per kind: share of its events not allowed
    events_by_kind: dict[str, int]

    def as_json(self) -> dict[str, object]:
        return {k: getattr(self, k) for k in self.__dataclass_fields__}


def _stops(decision: Decision) -> bool:
    """What counts as stopped for the loss: review and block (a challenge asks the PIN,
    which a thief holding the phone may know: counted as not stopped)."""
    return decision >= Decision.review


def measure(
    rows: Sequence[Replayed], model: FraudModel, rules: RuleSet = DEFAULT_RULES
) -> Measured:
    """The model and the rules on `rows` (a later month than they were trained on)."""
    from sklearn.metrics import average_precision_score

    labels = [r.labelled.fraud for r in rows]
    scores = [model.probability(r.x) for r in rows]
    reviewed = max(1, len(rows) * review_rate_bps // 10_000)
    top = sorted(range(len(rows)), key=lambda i: -scores[i])[:reviewed]
    fraud_total = max(1, sum(labels))
    with_model, rules_only = acting(rules), acting(rules, with_model=False)
    volume = sum(r.labelled.usd_cents for r in rows) or 1
    lost = dict.fromkeys(("none", "rules", "both"), 0)
    clean_stopped = clean_blocked = 0
    flagged: Counter[str] = Counter()
    by_kind: Counter[str] = Counter()
    for r, score in zip(rows, scores, strict=True):
        event, kind = r.labelled.event, r.labelled.kind
        both = assess(event, replace(r.features, model_score_pm=round(1_000 * score)), with_model)
        by_kind[kind] += 1
        if both.decision is not Decision.allow:
            flagged[kind] += 1
        if not r.labelled.fraud:
            clean_stopped += _stops(both.decision)
            clean_blocked += both.decision is Decision.block
            continue
        lost["none"] += r.labelled.usd_cents
        if not _stops(assess(event, r.features, rules_only).decision):
            lost["rules"] += r.labelled.usd_cents
        if not _stops(both.decision):
            lost["both"] += r.labelled.usd_cents
    clean = max(1, len(rows) - sum(labels))
    return Measured(
        len(rows),
        sum(labels),
        round(sum(labels[i] for i in top) / fraud_total, 4),
        round(float(average_precision_score(labels, scores)), 4) if any(labels) else math.nan,
        round(lost["none"] * 10_000 / volume, 2),
        round(lost["rules"] * 10_000 / volume, 2),
        round(lost["both"] * 10_000 / volume, 2),
        round(clean_stopped * 10_000 / clean, 2),
        round(clean_blocked * 10_000 / clean, 2),
        {k: round(flagged[k] / by_kind[k], 4) for k in sorted(by_kind)},
        dict(sorted(by_kind.items())),
    )


def split(rows: Sequence[Replayed], test_from_ns: int) -> tuple[list[Replayed], list[Replayed]]:
    """The rows before `test_from_ns` (training) and from then on (held out)."""
    train = [r for r in rows if r.labelled.event.at_ns < test_from_ns]
    return train, [r for r in rows if r.labelled.event.at_ns >= test_from_ns]

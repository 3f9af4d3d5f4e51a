"""A scorecard: points per bin of each characteristic, summed into a score, with the reasons
that cost the most points. Scoring needs this module and the model's JSON alone; training
(training.py, scikit-learn) writes that JSON.

Scaling (docs/adr/0046): a score of `base_score` means odds of `base_odds` to 1 that the loan
is repaid, and every `pdo` points more double the odds: score = offset + factor * ln(odds),
factor = pdo / ln 2, offset = base_score - factor * ln(base_odds). Each characteristic's
points per bin carry its share of that sum, rounded to whole points; the total is clamped to
`score_min`..`score_max`.

Reasons (adverse-action practice, ECOA / Regulation B): for each characteristic, the points
lost are its best bin's points less the points of the subject's bin; the reasons are the
characteristics that lost the most, most first, at most `reasons_max`, none that lost
nothing. So a score always equals the best possible total less the points lost, and losing
more points never raises it.
"""

from __future__ import annotations

import enum
import hashlib
import json
import math
from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any

from colony.kernel.errors import InvalidInput

FORMAT = "colony-scorecard/1"
# The most reasons a score gives (adverse-action notices give up to four).
reasons_max = 4


class Subject(enum.StrEnum):
    person = "person"  # a wallet's holder
    merchant = "merchant"  # a shop


@dataclass(frozen=True)
class Characteristic:
    """One thing a scorecard looks at, and the reason code that names it when it costs."""

    name: str  # as features.py computes it
    reason: str  # the reason code: P.. for people, M.. for merchants (reason_texts.py)
    # Which way is better where that is known beforehand ("higher" or "lower"): training
    # keeps its bins that way, or merges them into one (no evidence either way); None lets
    # the data say. An older account or a verified identity never costs points.
    better: str | None = None


# What each scorecard looks at, in this order (features.py computes each).
CHARACTERISTICS: dict[Subject, tuple[Characteristic, ...]] = {
    Subject.person: (
        Characteristic("repayment_record", "P01", "higher"),
        Characteristic("account_age_days", "P02", "higher"),
        Characteristic("kyc_tier", "P03", "higher"),
        Characteristic("income_gap_cv", "P04"),
        Characteristic("income_amount_cv", "P05"),
        Characteristic("spend_to_income", "P06", "lower"),
        Characteristic("buffer_days", "P07", "higher"),
        Characteristic("low_balance_days_share", "P08"),
        Characteristic("till_top_ups_share", "P09"),
        Characteristic("large_payments_share", "P10"),
        Characteristic("payments_per_week", "P11"),
    ),
    Subject.merchant: (
        Characteristic("account_age_days", "M01", "higher"),
        Characteristic("sales_days_share", "M02"),
        Characteristic("refund_rate", "M03", "lower"),
        Characteristic("refunds_per_sale", "M04", "lower"),
        Characteristic("sales_per_day", "M05"),
        Characteristic("repayment_record", "M06", "higher"),
        Characteristic("complaints_per_sale", "M07", "lower"),
    ),
}


@dataclass(frozen=True)
class Scaling:
    base_score: int = 600
    base_odds: int = 50  # to 1, repaid to not
    pdo: int = 40  # points that double the odds
    score_min: int = 350
    score_max: int = 950

    @property
    def factor(self) -> float:
        return self.pdo / math.log(2)

    @property
    def offset(self) -> float:
        return self.base_score - self.factor * math.log(self.base_odds)

    def clamp(self, points: int) -> int:
        return max(self.score_min, min(self.score_max, points))

    def odds_at(self, score: int) -> float:
        """The odds of repaying (to 1) a score stands for."""
        return math.exp((score - self.offset) / self.factor)


@dataclass(frozen=True)
class Bin:
    """Values up to `upper` (after the previous bin's upper), or, when `missing`, a value that
    cannot be told; the last bin of values has no upper bound (None)."""

    upper: float | None
    missing: bool
    points: int
    woe: float  # the bin's weight of evidence in training: ln(share of good / share of bad)
    rows: int  # training rows that fell in it


@dataclass(frozen=True)
class CharacteristicPoints:
    name: str
    reason: str
    bins: tuple[Bin, ...]  # the bins of values in order, then the missing bin

    @property
    def best_points(self) -> int:
        return max(b.points for b in self.bins)

    def bin_of(self, value: float | None) -> Bin:
        if value is None or math.isnan(value):
            return next(b for b in self.bins if b.missing)
        for found in self.bins:
            if not found.missing and (found.upper is None or value <= found.upper):
                return found
        raise AssertionError(f"{self.name}: no bin takes {value}: the last has an upper bound")


@dataclass(frozen=True)
class Scorecard:
    subject: Subject
    characteristics: tuple[CharacteristicPoints, ...]

    @property
    def best_total(self) -> int:
        return sum(c.best_points for c in self.characteristics)


@dataclass(frozen=True)
class Reason:
    code: str
    characteristic: str
    points_lost: int


@dataclass(frozen=True)
class Score:
    value: int  # score_min .. score_max
    reasons: tuple[Reason, ...]  # most points lost first, at most reasons_max
    model_version: str


@dataclass(frozen=True)
class Model:
    version: str  # "sc-" and 12 hex digits of the SHA-256 of its scaling and points
    trained_at: str  # ISO 8601, UTC
    scaling: Scaling
    scorecards: Mapping[Subject, Scorecard]
    metrics: Mapping[str, Any]  # per subject: AUC, KS, rows (what training measured)
    training: Mapping[str, Any]  # what it was trained on

    def score(self, subject: Subject, features: Mapping[str, float | None]) -> Score:
        card = self.scorecards[subject]
        total, lost = 0, []
        for characteristic in card.characteristics:
            points = characteristic.bin_of(features[characteristic.name]).points
            total += points
            if points < characteristic.best_points:
                cost = characteristic.best_points - points
                lost.append(Reason(characteristic.reason, characteristic.name, cost))
        ranked = sorted(lost, key=lambda r: -r.points_lost)[:reasons_max]
        return Score(self.scaling.clamp(total), tuple(ranked), self.version)


def points_json(scaling: Scaling, scorecards: Mapping[Subject, Scorecard]) -> dict[str, Any]:
    """What a model scores with: its scaling and every bin's points (the version hashes it)."""
    return {
        "scaling": {
            "base_score": scaling.base_score,
            "base_odds": scaling.base_odds,
            "pdo": scaling.pdo,
            "score_min": scaling.score_min,
            "score_max": scaling.score_max,
        },
        "scorecards": {
            str(subject): [
                {
                    "name": c.name,
                    "reason": c.reason,
                    "bins": [
                        {
                            "upper": b.upper,
                            "missing": b.missing,
                            "points": b.points,
                            "woe": round(b.woe, 6),
                            "rows": b.rows,
                        }
                        for b in c.bins
                    ],
                }
                for c in card.characteristics
            ]
            for subject, card in scorecards.items()
        },
    }


def version_of(scored: dict[str, Any]) -> str:
    canonical = json.dumps(scored, sort_keys=True, separators=(",", ":"))
    return "sc-" + hashlib.sha256(canonical.encode()).hexdigest()[:12]


def model_json(model: Model) -> dict[str, Any]:
    return {
        "format": FORMAT,
        "version": model.version,
        "trained_at": model.trained_at,
        "metrics": model.metrics,
        "training": model.training,
        **points_json(model.scaling, model.scorecards),
    }


def model_of_json(document: object) -> Model:
    """The model a JSON document holds, checked; `InvalidInput` says what is wrong."""
    if not isinstance(document, dict) or document.get("format") != FORMAT:
        raise InvalidInput(f"not a {FORMAT} model")
    try:
        scaling = Scaling(**{k: int(v) for k, v in document["scaling"].items()})
        cards = {
            Subject(subject): Scorecard(Subject(subject), _characteristics(Subject(subject), rows))
            for subject, rows in document["scorecards"].items()
        }
        version = str(document["version"])
        expected = version_of(points_json(scaling, cards))
        trained_at = str(document["trained_at"])
        metrics = dict(document.get("metrics", {}))
        training = dict(document.get("training", {}))
    except (KeyError, TypeError, ValueError, AttributeError, OverflowError) as exc:
        raise InvalidInput(f"a {FORMAT} model is malformed: {exc!r}") from None
    if version != expected:
        raise InvalidInput(f"model version {version} does not match its points ({expected})")
    return Model(version, trained_at, scaling, cards, metrics, training)


def _characteristics(
    subject: Subject, rows: list[dict[str, Any]]
) -> tuple[CharacteristicPoints, ...]:
    expected = [(c.name, c.reason) for c in CHARACTERISTICS[subject]]
    found = tuple(
        CharacteristicPoints(
            str(row["name"]),
            str(row["reason"]),
            tuple(
                Bin(
                    None if b["upper"] is None else float(b["upper"]),
                    bool(b["missing"]),
                    int(b["points"]),
                    float(b["woe"]),
                    int(b["rows"]),
                )
                for b in row["bins"]
            ),
        )
        for row in rows
    )
    if [(c.name, c.reason) for c in found] != expected:
        raise ValueError(f"{subject} characteristics {[c.name for c in found]}, not {expected}")
    for c in found:
        values = [b for b in c.bins if not b.missing]
        uppers = [b.upper for b in values[:-1]]
        if (
            sum(b.missing for b in c.bins) != 1
            or not values
            or values[-1].upper is not None
            or None in uppers
            or uppers != sorted(set(u for u in uppers if u is not None))
        ):
            raise ValueError(f"{c.name}: bins must rise, end unbounded, and have one missing")
    return found

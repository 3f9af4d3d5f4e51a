"""Training a scorecard: bins per characteristic, weight of evidence per bin, a logistic
regression on those weights (scikit-learn), and points per bin scaled as scorecard.py says.

Bins: start from the deciles of a characteristic's values, then merge neighbours until every
bin holds at least `bin_rows_share_min` of the rows with both repaid and defaulted loans in
it, its default rates run one way (up or down, whichever the ends say), and there are at most
`bins_max`; a value that cannot be told has its own bin. Weight of evidence (WoE) of a bin:
ln(share of the repaid in it / share of the defaulted in it), each count given half a row so
an empty side stays finite. The regression predicts default from the WoE of every
characteristic; one whose coefficient comes out the wrong way (more WoE, more default: it
only echoes another) is dropped and the rest fitted again, and a dropped characteristic keeps
equal points in every bin, so it is never a reason.

scikit-learn is imported when a model is fitted, never when one scores: a server needs only
the model's JSON (the `train` extra installs it).
"""

from __future__ import annotations

import hashlib
import math
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from typing import Any

from colony.credit.scorecard import (
    CHARACTERISTICS,
    Bin,
    CharacteristicPoints,
    Model,
    Scaling,
    Scorecard,
    Subject,
    points_json,
    version_of,
)

# Bins: fine ones to start from, the most kept, and the least share of the rows one holds.
fine_bins = 10
bins_max = 6
bin_rows_share_min = 0.05
# Of every 100 subjects, how many are held out to measure the model (by a hash of their id,
# so the same subjects are held out on every run).
held_out_pct = 30
# The regression's inverse regularisation strength (scikit-learn's C): mild, as the WoE
# inputs are already smoothed by binning.
regularisation_c = 1.0
# Fits tried at most while dropping characteristics whose coefficient has the wrong sign.
refits_max = 12
# A bin's counts get this many rows on each side, so a side with none stays finite.
woe_smoothing_rows = 0.5


@dataclass(frozen=True)
class TrainingRow:
    subject_id: str
    features: Mapping[str, float | None]
    defaulted: bool
    true_pd: float | None = None  # the simulator's own probability, where it knows one


@dataclass(frozen=True)
class Metrics:
    auc: float  # on the held-out subjects
    ks: float
    train_rows: int
    test_rows: int
    train_default_rate: float
    test_default_rate: float
    true_pd_auc: float | None  # the AUC of the simulator's own probabilities: the ceiling

    def as_json(self) -> dict[str, Any]:
        return {
            "auc": _rounded(self.auc),
            "ks": _rounded(self.ks),
            "train_rows": self.train_rows,
            "test_rows": self.test_rows,
            "train_default_rate": round(self.train_default_rate, 4),
            "test_default_rate": round(self.test_default_rate, 4),
            "true_pd_auc": None if self.true_pd_auc is None else round(self.true_pd_auc, 4),
        }


def _rounded(value: float) -> float | None:
    """A measure for JSON: None when it could not be taken (no default held out)."""
    return None if math.isnan(value) else round(value, 4)


def held_out(subject_id: str) -> bool:
    digest = hashlib.sha256(f"credit-split:{subject_id}".encode()).digest()
    return int.from_bytes(digest[:4], "big") % 100 < held_out_pct


def _present(value: float | None) -> bool:
    return value is not None and not math.isnan(value)


def bin_uppers(
    values: Sequence[float | None], defaulted: Sequence[bool], better: str | None = None
) -> list[float]:
    """The uppers of every bin of values but the last (see the module's docstring); with
    `better` ("higher" or "lower"), default rates must fall that way."""
    pairs: list[tuple[float, bool]] = sorted(
        (v, d) for v, d in zip(values, defaulted, strict=True) if v is not None and _present(v)
    )
    if not pairs:
        return []
    n = len(pairs)
    ranked: list[float] = [v for v, _ in pairs]
    uppers = sorted({ranked[min(n - 1, n * q // fine_bins)] for q in range(1, fine_bins)})
    uppers = [u for u in uppers if u < ranked[-1]]
    # Each bin: [upper, rows, defaulted]; the last bin's upper is None.
    bins: list[list[Any]] = []
    at = 0
    bounds: list[float | None] = [*uppers, None]
    for upper in bounds:
        rows = bad = 0
        while at < n and (upper is None or ranked[at] <= upper):
            rows += 1
            bad += pairs[at][1]
            at += 1
        if rows:
            bins.append([upper, rows, bad])
    min_rows = max(1, math.ceil(n * bin_rows_share_min))
    _merge_while(bins, lambda b: b[1] < min_rows or b[2] == 0 or b[2] == b[1])
    _merge_non_monotone(bins, None if better is None else better == "lower")
    while len(bins) > bins_max:
        rates = [b[2] / b[1] for b in bins]
        closest = min(range(len(bins) - 1), key=lambda i: abs(rates[i] - rates[i + 1]))
        _merge(bins, closest)
    return [b[0] for b in bins[:-1]]


def _merge(bins: list[list[Any]], i: int) -> None:
    """Bin i and bin i + 1 become one (with the upper of i + 1)."""
    upper, rows, bad = bins[i + 1]
    bins[i] = [upper, bins[i][1] + rows, bins[i][2] + bad]
    del bins[i + 1]


def _merge_while(bins: list[list[Any]], small: Any) -> None:
    while len(bins) > 1:
        found = next((i for i, b in enumerate(bins) if small(b)), None)
        if found is None:
            return
        if found == len(bins) - 1:
            _merge(bins, found - 1)
        elif found == 0:
            _merge(bins, 0)
        else:  # into the smaller neighbour
            _merge(bins, found - 1 if bins[found - 1][1] <= bins[found + 1][1] else found)


def _merge_non_monotone(bins: list[list[Any]], rising: bool | None) -> None:
    """Merge neighbours until default rates run one way: `rising` with the value (True),
    falling (False), or whichever the ends say (None)."""
    while len(bins) > 1:
        rates = [b[2] / b[1] for b in bins]
        if rising is None and len(bins) == 2:
            return
        if rising is None:
            rising = rates[-1] >= rates[0]
        wrong = next((i for i in range(len(bins) - 1) if (rates[i + 1] < rates[i]) == rising), None)
        if wrong is None:
            return
        _merge(bins, wrong)


def _bin_index(uppers: Sequence[float], value: float | None) -> int:
    """The bin a value falls in: 0..len(uppers) for values, len(uppers) + 1 when missing."""
    if not _present(value):
        return len(uppers) + 1
    assert value is not None
    for i, upper in enumerate(uppers):
        if value <= upper:
            return i
    return len(uppers)


def _woes(indexes: Sequence[int], defaulted: Sequence[bool], bins: int) -> list[float]:
    good_total = sum(1 for d in defaulted if not d)
    bad_total = len(defaulted) - good_total
    good, bad = [0] * bins, [0] * bins
    for i, d in zip(indexes, defaulted, strict=True):
        if d:
            bad[i] += 1
        else:
            good[i] += 1
    s = woe_smoothing_rows
    return [
        0.0
        if good[i] + bad[i] == 0
        else math.log(((good[i] + s) / (good_total + s)) / ((bad[i] + s) / (bad_total + s)))
        for i in range(bins)
    ]


@dataclass(frozen=True)
class _Binned:
    name: str
    reason: str
    uppers: list[float]
    woe: list[float]  # per bin: values, then missing
    rows: list[int]


def _fit(x: list[list[float]], y: list[bool]) -> tuple[float, list[float]]:
    from sklearn.linear_model import LogisticRegression

    fitted = LogisticRegression(C=regularisation_c, max_iter=1_000).fit(x, y)
    return float(fitted.intercept_[0]), [float(c) for c in fitted.coef_[0]]


def train_scorecard(
    subject: Subject, rows: Sequence[TrainingRow], scaling: Scaling
) -> tuple[Scorecard, Metrics]:
    """A scorecard fitted on the rows not held out, measured on those held out."""
    train = [r for r in rows if not held_out(r.subject_id)]
    test = [r for r in rows if held_out(r.subject_id)]
    if not train or not test or len({r.defaulted for r in train}) < 2:
        raise ValueError(
            f"{subject}: too few outcomes to train on ({len(train)} to fit, {len(test)} held "
            "out; both repaid and defaulted loans are needed)"
        )
    y = [r.defaulted for r in train]
    binned = []
    for characteristic in CHARACTERISTICS[subject]:
        values = [r.features[characteristic.name] for r in train]
        uppers = bin_uppers(values, y, characteristic.better)
        indexes = [_bin_index(uppers, v) for v in values]
        count = len(uppers) + 2
        rows_in = [indexes.count(i) for i in range(count)]
        binned.append(
            _Binned(characteristic.name, characteristic.reason, uppers,
                    _woes(indexes, y, count), rows_in)
        )  # fmt: skip
    x_all = [[b.woe[_bin_index(b.uppers, r.features[b.name])] for b in binned] for r in train]
    kept = [i for i, b in enumerate(binned) if any(w != 0.0 for w in b.woe)]
    intercept, coefficients = 0.0, [0.0] * len(binned)
    for _ in range(refits_max):
        intercept, fitted = _fit([[row[i] for i in kept] for row in x_all], y)
        coefficients = [0.0] * len(binned)
        for i, c in zip(kept, fitted, strict=True):
            coefficients[i] = c
        wrong = [i for i in kept if coefficients[i] > 0]
        if not wrong:
            break
        kept = [i for i in kept if i not in wrong]
    card = _points(subject, binned, intercept, coefficients, scaling)
    return card, _measure(card, test, train, scaling)


def _points(
    subject: Subject,
    binned: list[_Binned],
    intercept: float,
    coefficients: list[float],
    scaling: Scaling,
) -> Scorecard:
    k = len(binned)
    share = scaling.offset / k - scaling.factor * intercept / k
    characteristics = []
    for b, coefficient in zip(binned, coefficients, strict=True):
        bins = []
        for i, woe in enumerate(b.woe):
            points = round(share - scaling.factor * coefficient * woe)
            missing = i == len(b.uppers) + 1
            upper = None if missing or i == len(b.uppers) else b.uppers[i]
            bins.append(Bin(upper, missing, points, woe, b.rows[i]))
        characteristics.append(CharacteristicPoints(b.name, b.reason, tuple(bins)))
    return Scorecard(subject, tuple(characteristics))


def _score_of(card: Scorecard, row: TrainingRow, scaling: Scaling) -> int:
    total = sum(c.bin_of(row.features[c.name]).points for c in card.characteristics)
    return scaling.clamp(total)


def _measure(
    card: Scorecard, test: list[TrainingRow], train: list[TrainingRow], scaling: Scaling
) -> Metrics:
    from sklearn.metrics import roc_auc_score, roc_curve

    y = [r.defaulted for r in test]
    # A higher score means less risk: the defaulted are ranked by the negated score.
    risk = [-_score_of(card, r, scaling) for r in test]
    both = len(set(y)) == 2
    auc = float(roc_auc_score(y, risk)) if both else float("nan")
    ks = float("nan")
    if both:
        fpr, tpr, _ = roc_curve(y, risk)
        ks = float(max(t - f for t, f in zip(tpr, fpr, strict=True)))
    truth = [r.true_pd for r in test]
    true_auc = None
    if both and all(p is not None for p in truth):
        true_auc = float(roc_auc_score(y, truth))
    return Metrics(
        auc,
        ks,
        len(train),
        len(test),
        sum(r.defaulted for r in train) / len(train),
        sum(y) / len(test),
        true_auc,
    )


def train_model(
    rows: Mapping[Subject, Sequence[TrainingRow]],
    trained_at: str,
    training: Mapping[str, Any],
    scaling: Scaling | None = None,
) -> Model:
    """A model with a scorecard for each subject given rows."""
    scaling = scaling or Scaling()
    cards, metrics = {}, {}
    for subject, subject_rows in rows.items():
        cards[subject], measured = train_scorecard(subject, subject_rows, scaling)
        metrics[str(subject)] = measured.as_json()
    version = version_of(points_json(scaling, cards))
    return Model(version, trained_at, scaling, cards, metrics, dict(training))

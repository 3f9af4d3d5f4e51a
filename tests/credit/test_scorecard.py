"""Scorecards as tables: bins, points, scaling and reasons worked out by hand; the model's
JSON read back exactly and refused when altered; and, for any points and any subject, a
score between 350 and 950 that losing more points never raises (property tests)."""

from __future__ import annotations

import json
import math
import subprocess
import sys
from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from colony.credit import Scaling, Subject, default_model, load_model, model_text, reasons_max
from colony.credit.scorecard import CHARACTERISTICS, model_json, model_of_json
from colony.credit.training import bin_uppers
from colony.kernel.errors import InvalidInput
from tests.credit.scorecards import hand_model

PERSON = [c.name for c in CHARACTERISTICS[Subject.person]]


def _features(**values: float | None) -> dict[str, float | None]:
    """Every characteristic in its low bin (0.5), but those named."""
    return {name: 0.5 for name in PERSON} | values


@pytest.mark.parametrize(
    ("value", "points"),
    [(0.0, 10), (1.0, 10), (1.0001, 40), (1e9, 40), (None, 25), (math.nan, 25)],
)
def test_a_value_takes_its_bins_points(value: float | None, points: int) -> None:
    model = hand_model({"kyc_tier": (10, 40, 25)})
    score = model.score(Subject.person, _features(kyc_tier=value))
    assert score.value == 50 * (len(PERSON) - 1) + points


def test_the_scaling_doubles_the_odds_every_pdo_points() -> None:
    scaling = Scaling()
    assert (scaling.base_score, scaling.base_odds, scaling.pdo) == (600, 50, 40)
    assert scaling.odds_at(600) == pytest.approx(50)
    assert scaling.odds_at(640) == pytest.approx(100)
    assert scaling.odds_at(560) == pytest.approx(25)
    assert scaling.factor == pytest.approx(57.7078, abs=1e-4)
    assert (scaling.clamp(200), scaling.clamp(600), scaling.clamp(2000)) == (350, 600, 950)


@pytest.mark.parametrize(
    ("person", "values", "expected"),
    [
        # Nothing lost: no reason.
        ({}, {}, []),
        # One characteristic off its best bin: one reason, with the points it cost.
        ({"kyc_tier": (10, 60, 30)}, {}, [("P03", 50)]),
        # Ordered by points lost, most first; a tie keeps the scorecard's order.
        (
            {"kyc_tier": (10, 60, 30), "buffer_days": (20, 60, 0),
             "account_age_days": (40, 60, 60), "spend_to_income": (60, 20, 60)},
            {"buffer_days": None},
            [("P07", 60), ("P03", 50), ("P02", 20)],
        ),
        # At most four, though six lost points.
        (
            {"kyc_tier": (10, 60, 0), "buffer_days": (20, 60, 0), "account_age_days": (30, 60, 0),
             "income_gap_cv": (40, 60, 0), "income_amount_cv": (50, 60, 0),
             "payments_per_week": (55, 60, 0)},
            {},
            [("P03", 50), ("P07", 40), ("P02", 30), ("P04", 20)],
        ),
    ],
)  # fmt: skip
def test_reasons_are_the_points_lost_against_each_best_bin(
    person: dict[str, tuple[int, int, int]],
    values: dict[str, float | None],
    expected: list[tuple[str, int]],
) -> None:
    score = hand_model(person).score(Subject.person, _features(**values))
    assert [(r.code, r.points_lost) for r in score.reasons] == expected
    assert len(score.reasons) <= reasons_max


def test_a_score_is_the_best_total_less_what_was_lost() -> None:
    model = hand_model({"kyc_tier": (10, 60, 30), "buffer_days": (20, 60, 0)})
    card = model.scorecards[Subject.person]
    score = model.score(Subject.person, _features())
    assert score.value == card.best_total - 50 - 40 == 50 * 9 + 10 + 20
    assert score.model_version == model.version and model.version.startswith("sc-")


@pytest.mark.parametrize(
    ("values", "defaulted", "uppers"),
    [
        # Nothing to bin: one bin (and the missing one).
        ([None, None], [True, False], []),
        # Two clear groups, each with both outcomes: split between them.
        ([1.0] * 50 + [2.0] * 50, [True] * 10 + [False] * 40 + [True] * 40 + [False] * 10, [1.0]),
        # A group with no default cannot stand alone: merged.
        ([1.0] * 50 + [2.0] * 50, [False] * 50 + [True] * 5 + [False] * 45, []),
        # Rates that go up, down and up again are merged until they run one way.
        ([float(v // 20) for v in range(100)],
         [(v % 20) < (2, 10, 4, 12, 14)[v // 20] for v in range(100)], [0.0, 2.0, 3.0]),
    ],
)  # fmt: skip
def test_bins_hold_both_outcomes_and_run_one_way(
    values: list[float | None], defaulted: list[bool], uppers: list[float]
) -> None:
    assert bin_uppers(values, defaulted) == uppers


def test_bins_run_the_way_known_beforehand_or_merge_into_one() -> None:
    values = [1.0] * 50 + [2.0] * 50
    riskier_when_higher = [True] * 10 + [False] * 40 + [True] * 40 + [False] * 10
    assert bin_uppers(values, riskier_when_higher, "lower") == [1.0]
    # An older account is never riskier: evidence the other way is no evidence at all.
    assert bin_uppers(values, riskier_when_higher, "higher") == []


def test_a_model_reads_back_from_its_json_and_refuses_an_altered_one(tmp_path: Path) -> None:
    model = hand_model({"kyc_tier": (10, 60, 30)})
    path = tmp_path / "model.json"
    path.write_text(model_text(model))
    again = load_model(path)
    assert again == model
    document = model_json(model)
    document["scorecards"]["person"][2]["bins"][0]["points"] = 99
    with pytest.raises(InvalidInput, match="does not match its points"):
        model_of_json(json.loads(json.dumps(document)))
    with pytest.raises(InvalidInput, match="not a colony-scorecard/1 model"):
        model_of_json({"format": "pickle"})
    path.write_text("{")
    with pytest.raises(InvalidInput, match="not JSON"):
        load_model(path)


@pytest.mark.parametrize(
    ("change", "says"),
    [
        (lambda d: d.pop("trained_at"), "KeyError"),
        (lambda d: d.__setitem__("metrics", [1, 2]), "TypeError"),
        (lambda d: d["scaling"].__setitem__("base_odds", math.inf), "OverflowError"),
    ],
    ids=["no trained_at", "metrics not an object", "an infinite scaling"],
)
def test_a_malformed_model_file_is_named_with_what_is_wrong(
    tmp_path: Path, change: Callable[[dict[str, Any]], object], says: str
) -> None:
    document = model_json(default_model())
    change(document)
    path = tmp_path / "model.json"
    path.write_text(json.dumps(document))
    with pytest.raises(
        InvalidInput, match=f"^{path}: a colony-scorecard/1 model is malformed: {says}"
    ):
        load_model(path)


def test_the_shipped_model_scores_both_subjects_within_the_scale() -> None:
    model = default_model()
    assert set(model.scorecards) == {Subject.person, Subject.merchant}
    assert model.metrics["person"]["auc"] > 0.6
    nothing = {c.name: None for c in CHARACTERISTICS[Subject.person]}
    assert 350 <= model.score(Subject.person, nothing).value <= 950


_points = st.tuples(*[st.integers(-200, 300)] * 3)
_value = st.one_of(st.none(), st.floats(-10, 10, allow_nan=False))


@settings(max_examples=200, deadline=None)
@given(
    person=st.fixed_dictionaries({name: _points for name in PERSON}),
    values=st.fixed_dictionaries({name: _value for name in PERSON}),
)
def test_a_score_stays_on_the_scale_and_more_points_lost_never_raise_it(
    person: dict[str, tuple[int, int, int]], values: dict[str, float | None]
) -> None:
    model = hand_model(person)
    card = model.scorecards[Subject.person]
    score = model.score(Subject.person, values)
    assert 350 <= score.value <= 950
    lost = sum(c.best_points - c.bin_of(values[c.name]).points for c in card.characteristics)
    assert score.value == model.scaling.clamp(card.best_total - lost)
    assert [r.points_lost for r in score.reasons] == sorted(
        (r.points_lost for r in score.reasons), reverse=True
    )
    assert all(r.points_lost > 0 for r in score.reasons)
    # Move one characteristic to a bin worth fewer points: the score never rises.
    for c in card.characteristics:
        worse = min(c.bins, key=lambda b: b.points)
        value = None if worse.missing else (0.5 if worse.upper == 1.0 else 2.0)
        poorer = model.score(Subject.person, values | {c.name: value})
        assert poorer.value <= score.value


def test_scoring_imports_no_scikit_learn() -> None:
    """A server scores from the model's JSON alone: serving and scoring never load sklearn."""
    program = (
        "import sys\n"
        "import colony.cli.serve\n"
        "from colony.credit import Subject, default_model\n"
        "model = default_model()\n"
        "model.score(Subject.person, {c.name: 1.0 for c in "
        "model.scorecards[Subject.person].characteristics})\n"
        "assert not [m for m in sys.modules if m.startswith(('sklearn', 'scipy'))]\n"
    )
    done = subprocess.run([sys.executable, "-c", program], capture_output=True, text=True)
    assert done.returncode == 0, done.stderr

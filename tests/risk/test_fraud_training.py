"""The fraud model on simulated markets (docs/adr/0059): each pattern of fraud caught, a
clean market hardly blocked, training reproducible from a seed, its trees scored in plain
Python exactly as scikit-learn scores them, and `colony risk train` on a small market."""

from __future__ import annotations

import datetime as dt
import json
import math
from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest
from typer.testing import CliRunner

from colony.cli.main import app
from colony.cli.risk_commands import seed_max
from colony.kernel.errors import InvalidInput
from colony.risk import (
    Decision,
    default_fraud_model,
    fit,
    fraud_model_text,
    load_fraud_model,
    measure,
    replay,
    split,
)
from colony.risk.fraud_model import model_of_json
from colony.risk.training import acting, classifier
from colony.simulator import FraudKind, StreamConfig, market_stream

FIRST_DAY = dt.date(2026, 3, 2)
# What the shipped model and the rules (all acting) flag, at least, of each pattern's events
# in a market of another seed than the one it was trained on; refund abuse shows only once
# the abuser's refunds have piled up, and a new ring of colluders is the hardest to tell
# from shoppers, so less of those (seed 7 at this writing: ATO 100 %, card testing 90 %,
# collusion 75 %).
FLAGGED_MIN = {
    FraudKind.account_takeover: 0.9,
    FraudKind.card_testing: 0.8,
    FraudKind.mule_chain: 0.9,
    FraudKind.merchant_collusion: 0.6,
    FraudKind.refund_abuse: 0.5,
}
# Clean events blocked, at most, in basis points (1 in 1,000).
CLEAN_BLOCKED_BPS_MAX = 10


@pytest.fixture(scope="module")
def small_market() -> list[object]:
    config = StreamConfig(600, 60, 28, 5, FIRST_DAY)
    return replay(market_stream(config))  # type: ignore[return-value]


def test_each_pattern_of_fraud_is_caught_in_a_market_of_another_seed() -> None:
    config = StreamConfig(1_500, 150, 60, 7, FIRST_DAY)
    _, later = split(replay(market_stream(config)), config.day_start_ns(30))
    measured = measure(later, default_fraud_model())
    for kind, share in FLAGGED_MIN.items():
        assert measured.events_by_kind[kind.value] >= 10, kind
        assert measured.flagged_by_kind[kind.value] >= share, (kind, measured.as_json())
    # Fraud loss cut to under a third (seed 7 at this writing: 1,401 to 358 bps).
    assert measured.loss_bps_model_and_rules < measured.loss_bps_none / 3


def test_a_clean_market_is_hardly_blocked() -> None:
    config = StreamConfig(1_500, 150, 45, 11, FIRST_DAY, fraud=False)
    rows = replay(market_stream(config))
    assert not any(r.labelled.fraud for r in rows)
    _, later = split(rows, config.day_start_ns(15))
    model, rules = default_fraud_model(), acting()
    from colony.risk import assess

    blocked = sum(
        assess(r.labelled.event, _scored(r, model), rules).decision is Decision.block for r in later
    )
    assert blocked * 10_000 <= CLEAN_BLOCKED_BPS_MAX * len(later), blocked


def _scored(row: object, model: object) -> object:
    from dataclasses import replace

    return replace(row.features, model_score_pm=model.score_pm(row.labelled.event, row.features))  # type: ignore[attr-defined]


def test_training_is_reproducible_from_its_seed(small_market: list[object]) -> None:
    once = fraud_model_text(fit(small_market, 3, "v", "2026-12-03"))  # type: ignore[arg-type]
    again = fraud_model_text(fit(small_market, 3, "v", "2026-12-03"))  # type: ignore[arg-type]
    assert once == again
    assert market_stream(StreamConfig(300, 40, 7, 9, FIRST_DAY)) == market_stream(
        StreamConfig(300, 40, 7, 9, FIRST_DAY)
    )


def test_the_trees_score_as_scikit_learn_scores_them(small_market: list[object]) -> None:
    fitted, model = classifier(small_market, 3), fit(small_market, 3, "v", "now")  # type: ignore[arg-type]
    xs = [r.x for r in small_market]  # type: ignore[attr-defined]
    expected = fitted.predict_proba(xs)[:, 1]
    for x, p in zip(xs, expected, strict=True):
        assert math.isclose(model.probability(x), float(p), rel_tol=1e-9, abs_tol=1e-12)


def test_a_model_file_that_is_not_one_is_refused_with_what_is_wrong(tmp_path: Path) -> None:
    text = json.loads(fraud_model_text(default_fraud_model()))
    with pytest.raises(InvalidInput, match="features are not this Colony's"):
        model_of_json({**text, "features": ["amount"]})
    looped = json.loads(json.dumps(text))
    looped["trees"][0]["left"][0] = 0
    with pytest.raises(InvalidInput, match="tree 0, node 0: a child outside the tree"):
        model_of_json(looped)
    unpackable = json.loads(json.dumps(text))
    unpackable["trees"][0]["feature"][-1] = -(2**31) - 1
    with pytest.raises(InvalidInput, match=r"tree 0, node \d+: no feature -2147483649"):
        model_of_json(unpackable)
    endless = json.loads(json.dumps(text))
    endless["trees"][1]["threshold"][0] = math.nan
    with pytest.raises(InvalidInput, match="tree 1: a threshold that is NaN or a value not"):
        model_of_json(endless)
    broken = tmp_path / "model.json"
    broken.write_text("{", encoding="utf-8")
    with pytest.raises(InvalidInput, match="not JSON"):
        load_fraud_model(broken)


@pytest.mark.parametrize(
    ("change", "says"),
    [
        (lambda t: t["trees"][0]["feature"].__setitem__(0, math.inf), "inf is not a whole"),
        (lambda t: t["trees"][0]["left"].__setitem__(0, 1.5), "1.5 is not a whole number"),
        (lambda t: t.__setitem__("baseline", math.inf), "a finite numeric baseline"),
    ],
    ids=["an infinite feature", "a child not whole", "an infinite baseline"],
)
def test_a_model_file_with_numbers_out_of_place_is_named(
    tmp_path: Path, change: Callable[[dict[str, Any]], None], says: str
) -> None:
    document = json.loads(fraud_model_text(default_fraud_model()))
    change(document)
    path = tmp_path / "model.json"
    path.write_text(json.dumps(document), encoding="utf-8")  # Infinity, as Python writes it
    with pytest.raises(InvalidInput, match=f"^{path}: .*{says}"):
        load_fraud_model(path)


def test_a_model_file_nested_too_deeply_is_named(tmp_path: Path) -> None:
    path = tmp_path / "model.json"
    path.write_text("[" * 100_000 + "]" * 100_000, encoding="utf-8")
    with pytest.raises(InvalidInput, match=f"^{path}: .*nested too deeply"):
        load_fraud_model(path)


@pytest.mark.parametrize("seed", [-1, seed_max + 1])
def test_a_seed_the_trees_cannot_take_is_named_before_the_market_runs(
    tmp_path: Path, seed: int
) -> None:
    out = tmp_path / "fraud_model.json"
    args = ["risk", "train", "--out", str(out), "--people", "300", "--merchants", "20",
            "--months", "2", "--month-days", "7", "--seed", str(seed)]  # fmt: skip
    refused = CliRunner().invoke(app, args)
    assert refused.exit_code == 2 and "--seed" in refused.output, refused.output
    assert not out.exists()


def test_a_training_time_that_is_not_one_is_named_before_the_market_runs(
    tmp_path: Path,
) -> None:
    out = tmp_path / "fraud_model.json"
    args = ["risk", "train", "--out", str(out), "--people", "300", "--merchants", "20",
            "--months", "2", "--month-days", "7", "--trained-at", "not a time"]  # fmt: skip
    refused = CliRunner().invoke(app, args)
    assert refused.exit_code == 2, refused.output
    assert "--trained-at must be an ISO 8601 time" in refused.output and not out.exists()


def test_colony_risk_train_on_a_small_market(tmp_path: Path) -> None:
    out = tmp_path / "fraud_model.json"
    args = ["risk", "train", "--out", str(out), "--people", "600", "--merchants", "60",
            "--months", "2", "--month-days", "14", "--seed", "4",
            "--trained-at", "2026-12-03T00:00:00+00:00", "--json"]  # fmt: skip
    ran = CliRunner().invoke(app, args)
    assert ran.exit_code == 0, ran.output
    figures = json.loads(ran.output.strip().splitlines()[-1])
    assert figures["fraud_events"] > 0 and figures["events"] > figures["fraud_events"]
    assert 0 < figures["recall_at_review_rate"] <= 1 and 0 < figures["pr_auc"] <= 1
    assert figures["loss_bps_model_and_rules"] <= figures["loss_bps_none"]
    assert "recall at a 1% review rate" in ran.output
    model = load_fraud_model(out)
    assert model.training["held_out"] == {
        k: v for k, v in figures.items() if k not in ("out", "seconds")
    }
    first = out.read_bytes()
    assert CliRunner().invoke(app, args).exit_code == 0
    assert out.read_bytes() == first  # the same seed, the same model
    refused = CliRunner().invoke(app, [*args[:-1], "--months", "1"])
    assert refused.exit_code != 0 and "--months" in refused.output

"""`colony simulate market --credit` then `colony credit train` on a tiny market: outcomes
recorded beside the ledger, a model written as JSON that scores without scikit-learn, the
same model from the same outcomes; and a market without outcomes is refused by name."""

from __future__ import annotations

import json
from pathlib import Path

from typer.testing import CliRunner

from colony.cli.main import app as cli
from colony.credit import Subject, load_model, open_score_store

runner = CliRunner()
TINY = ["--people", "80", "--merchants", "30", "--days", "3", "--seed", "3",
        "--last-day", "2026-10-30"]  # fmt: skip


def test_a_tiny_credit_market_trains_a_model(tmp_path: Path) -> None:
    url = f"sqlite:///{tmp_path / 'market.db'}"
    made = runner.invoke(
        cli, ["simulate", "market", *TINY, "--credit", "--json", "--database", url]
    )
    assert made.exit_code == 0, made.output
    counts = json.loads(made.output)["credit_outcomes"]
    assert (counts["person loans"], counts["merchant loans"]) == (80, 30)
    assert 0 < counts["person loans defaulted"] < 80
    store = open_score_store(url)
    try:
        people = store.outcomes(Subject.person)
    finally:
        store.close()
    assert len(people) == 80 and all(o.source == "simulated" for o in people)
    assert all(o.true_pd_ppm is not None and 0 < o.true_pd_ppm < 1_000_000 for o in people)
    # Earlier loans: some people have none, some a clean record, some a late one.
    records = {(o.prior_repaid > 0, o.prior_overdue > 0) for o in people}
    assert {(False, False), (True, False)} <= records and any(late for _, late in records)
    assert all(o.prior_repaid + o.prior_overdue <= 3 for o in people)

    models = []
    for name in ("a.json", "b.json"):
        out = tmp_path / name
        trained = runner.invoke(
            cli, ["credit", "train", "--database", url, "--out", str(out),
                  "--trained-at", "2026-10-31T00:00:00+00:00"],
        )  # fmt: skip
        assert trained.exit_code == 0, trained.output
        assert "person: AUC" in trained.output and "KS" in trained.output
        assert "merchant: AUC" in trained.output and "Home Credit" in trained.output
        models.append(out.read_text())
    assert models[0] == models[1]  # the same outcomes, the same model, byte for byte
    model = load_model(tmp_path / "a.json")
    assert model.metrics["person"]["train_rows"] + model.metrics["person"]["test_rows"] == 80
    assert set(model.scorecards) == {Subject.person, Subject.merchant}
    nothing = {c.name: None for c in model.scorecards[Subject.person].characteristics}
    assert 350 <= model.score(Subject.person, nothing).value <= 950

    # The benchmark decides on the same market with the model just trained.
    timed = runner.invoke(
        cli, ["bench", "credit", "--database", url, "--decisions", "20", "--model",
              str(tmp_path / "a.json"), "--json"],
    )  # fmt: skip
    assert timed.exit_code == 0, timed.output
    figures = json.loads(timed.output.splitlines()[-1])
    assert figures["decisions"] == 20 and figures["wallets"] == 80
    assert figures["model"] == model.version and 0 < figures["p50_ms"] <= figures["p99_ms"]


def test_a_training_time_that_is_not_one_is_refused(tmp_path: Path) -> None:
    url = f"sqlite:///{tmp_path / 'colony.db'}"
    out = tmp_path / "m.json"
    args = ["credit", "train", "--database", url, "--out", str(out), "--trained-at", "not a time"]
    refused = runner.invoke(cli, args)
    assert refused.exit_code == 2 and "--trained-at must be an ISO 8601 time" in refused.output
    assert not out.exists() and not (tmp_path / "colony.db").exists()


def test_a_market_without_outcomes_is_refused_by_name(tmp_path: Path) -> None:
    url = f"sqlite:///{tmp_path / 'plain.db'}"
    plain = ["--people", "6", "--merchants", "24", "--days", "1", "--seed", "1",
             "--last-day", "2026-10-30"]  # fmt: skip
    made = runner.invoke(cli, ["simulate", "market", *plain, "--json", "--database", url])
    assert made.exit_code == 0, made.output
    assert json.loads(made.output)["credit_outcomes"] == {}
    trained = runner.invoke(
        cli, ["credit", "train", "--database", url, "--out", str(tmp_path / "m.json")]
    )
    assert trained.exit_code == 2 and "no loan outcomes recorded" in trained.output
    assert not (tmp_path / "m.json").exists()

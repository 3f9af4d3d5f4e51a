"""`colony simulate market` end to end on a real SQLite file, and its refusals of bad input."""

from __future__ import annotations

import datetime as dt
import json
from pathlib import Path

import pytest
from typer.testing import CliRunner

from colony.cli.main import app as cli

runner = CliRunner()
SMALL = ["--people", "30", "--merchants", "30", "--days", "2", "--seed", "5"]


def _simulate(*args: str) -> tuple[int, str]:
    done = runner.invoke(cli, ["simulate", "market", *args])
    return done.exit_code, done.output


def test_a_small_market_end_to_end(tmp_path: Path) -> None:
    url = f"sqlite:///{tmp_path / 'market.db'}"
    places = tmp_path / "places.csv"
    code, output = _simulate(
        *SMALL, "--database", url, "--last-day", "2026-10-30", "--places-csv", str(places), "--json"
    )
    assert code == 0, output
    rows = places.read_text().splitlines()
    assert rows[0] == "merchant_id,display_name,mcc,city,country,lat,lon" and len(rows) == 31
    assert any(",Singapore,SG,1.2" in row for row in rows) and rows[1].startswith("mer_")
    summary = json.loads(output)
    assert (summary["people"], summary["merchants"], summary["days"]) == (30, 30, 2)
    assert (summary["first_day"], summary["last_day"]) == ("2026-10-29", "2026-10-30")
    assert summary["payments"] > 0 and summary["outcomes"]["payments: ok"] == summary["payments"]
    assert summary["ledger_verifies"] is True and len(summary["ledger_sha256"]) == 64
    # The ledger verifies on its own, replaying the journal from the start.
    verified = runner.invoke(cli, ["ledger", "verify", "--database", url])
    assert verified.exit_code == 0, verified.output
    # A database that holds a ledger is not simulated into again.
    code, output = _simulate(*SMALL, "--database", url)
    assert code == 2 and "holds a ledger already" in output


def test_the_same_arguments_print_the_same_ledger_digest(tmp_path: Path) -> None:
    digests = []
    for name in ("a.db", "b.db"):
        url = f"sqlite:///{tmp_path / name}"
        code, output = _simulate(*SMALL, "--database", url, "--last-day", "2026-10-30")
        assert code == 0, output
        assert "verify: ok" in output and "payments" in output
        digests.append(next(x for x in output.splitlines() if x.startswith("ledger sha256:")))
    assert digests[0] == digests[1]


@pytest.mark.parametrize(
    ("args", "named"),
    [
        (["--people", "-1"], "--people"),
        (["--people", "0"], "--people"),
        (["--merchants", "-5"], "--merchants"),
        (["--days", "0"], "--days"),
        (["--seed", "-1"], "--seed"),
        (["--payments-per-day", "-0.5"], "--payments-per-day"),
        (["--database", "mysql://root@localhost/colony"], "--database"),
        (["--last-day", "yesterday"], "--last-day"),
        (["--last-day", "20261001"], "--last-day must be a date as YYYY-MM-DD"),
        (
            ["--last-day", (dt.datetime.now(dt.UTC).date() + dt.timedelta(days=2)).isoformat()],
            "--last-day",
        ),
        # Its refunds, days later, would still be to come: the ledger refuses them.
        (
            ["--last-day", (dt.datetime.now(dt.UTC).date() - dt.timedelta(days=2)).isoformat()],
            "too recent",
        ),
    ],
)
def test_bad_arguments_are_named(tmp_path: Path, args: list[str], named: str) -> None:
    url = f"sqlite:///{tmp_path / 'bad.db'}"
    code, output = _simulate(*(["--database", url] if "--database" not in args else []), *args)
    assert code == 2, output
    assert named in output, output
    assert not (tmp_path / "bad.db").exists() or named == "--database"


def test_an_unknown_scheme_says_which_schemes_there_are() -> None:
    code, output = _simulate("--database", "mysql://root@localhost/colony")
    assert code == 2 and "unknown database URL scheme 'mysql'" in output, output
    assert "sqlite:///PATH" in output


def test_a_seed_builds_the_same_ledger_on_postgresql(postgres_url: str, tmp_path: Path) -> None:
    summaries = []
    for url in (postgres_url, f"sqlite:///{tmp_path / 'same.db'}"):
        code, output = _simulate(*SMALL, "--database", url, "--last-day", "2026-10-30", "--json")
        assert code == 0, output
        summaries.append(json.loads(output))
    on_postgres, on_sqlite = summaries
    assert on_postgres["backend"] == "postgresql" and on_postgres["ledger_verifies"] is True
    assert on_postgres["ledger_sha256"] == on_sqlite["ledger_sha256"]
    assert on_postgres["outcomes"] == on_sqlite["outcomes"]

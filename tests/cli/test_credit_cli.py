"""`colony credit schedule`: the schedule as JSON in the stated shape, as a table, and every
malformed option named in its refusal."""

from __future__ import annotations

import json

import pytest
from typer.testing import CliRunner

from colony.cli.main import app

runner = CliRunner()
TERMS = ["--principal-minor", "120000", "--currency", "SGD", "--annual-rate-bps", "1200",
         "--instalments", "12", "--first-due", "2027-01-31"]  # fmt: skip


def test_the_schedule_as_json() -> None:
    result = runner.invoke(app, ["credit", "schedule", *TERMS, "--json"])
    assert result.exit_code == 0, result.output
    printed = json.loads(result.stdout)
    assert set(printed) == {"instalments", "total_interest_minor"}
    first, last = printed["instalments"][0], printed["instalments"][-1]
    assert first == {
        "number": 1, "due_date": "2027-01-31", "principal_minor": 9_462, "interest_minor": 1_200,
        "total_minor": 10_662, "balance_after_minor": 110_538,
    }  # fmt: skip
    assert printed["instalments"][1]["due_date"] == "2027-02-28"
    assert (last["number"], last["due_date"], last["balance_after_minor"]) == (12, "2027-12-31", 0)
    assert sum(i["principal_minor"] for i in printed["instalments"]) == 120_000
    assert printed["total_interest_minor"] == sum(
        i["interest_minor"] for i in printed["instalments"]
    )


def test_equal_principal_as_a_table_in_the_currencys_units() -> None:
    args = ["--principal-minor", "1000", "--currency", "KWD", "--annual-rate-bps", "1200",
            "--instalments", "3", "--first-due", "2027-01-15",
            "--method", "equal_principal"]  # fmt: skip
    result = runner.invoke(app, ["credit", "schedule", *args])
    assert result.exit_code == 0, result.output
    lines = result.stdout.splitlines()
    assert lines[1].split() == ["1", "2027-01-15", "0.333", "0.010", "0.343", "0.667"]
    assert lines[-1] == "total interest 0.020 KWD"


@pytest.mark.parametrize(
    ("change", "says"),
    [
        ({"--principal-minor": "0"}, "--principal-minor must be above zero"),
        ({"--instalments": "0"}, "--instalments must be 1 to 360"),
        ({"--annual-rate-bps": "10001"}, "--annual-rate-bps must be 0 to 10000"),
        ({"--currency": "SG"}, "--currency: currency must be a 3-letter ISO 4217 code"),
        ({"--currency": "XXQ"}, "--currency: unknown currency 'XXQ'"),
        ({"--first-due": "2027-02-30"}, "--first-due must be a date as YYYY-MM-DD"),
        ({"--first-due": "9999-11-30"}, "the last instalment would fall past 9999-12-31"),
        ({"--first-due": "20270131"}, "--first-due must be a date as YYYY-MM-DD"),
        ({"--first-due": "2027-W05-1"}, "--first-due must be a date as YYYY-MM-DD"),
        ({"--method": "balloon"}, "Invalid value for '--method'"),
    ],
)
def test_a_malformed_option_is_named(change: dict[str, str], says: str) -> None:
    args = list(TERMS)
    for option, value in change.items():
        if option in args:
            args[args.index(option) + 1] = value
        else:
            args += [option, value]
    result = runner.invoke(app, ["credit", "schedule", *args])
    assert result.exit_code == 2
    assert says in " ".join(result.output.split()), result.output

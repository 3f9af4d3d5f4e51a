"""`colony loans`: a lender added, funded once for a reference given twice, listed with what
the ledger holds; the daily run of a day over, and a malformed or unfinished day refused."""

from __future__ import annotations

from pathlib import Path

from typer.testing import CliRunner

from colony.cli.main import app

runner = CliRunner()


def test_lenders_and_the_daily_run(tmp_path: Path) -> None:
    db = ["--database", f"sqlite:///{tmp_path}/colony.db"]
    added = runner.invoke(app, ["loans", "lenders", "add", "harbour_bank", "--currency", "SGD",
                                "--income-share-bps", "6000", *db])  # fmt: skip
    assert added.exit_code == 0, added.output
    fund = ["loans", "lenders", "fund", "harbour_bank", "--currency", "SGD",
            "--amount-minor", "100000000", "--reference", "wire-1", *db]  # fmt: skip
    for _ in range(2):
        funded = runner.invoke(app, fund)
        assert funded.exit_code == 0, funded.output
    past_u128 = str(2**128)  # more than the ledger holds: refused before it is tried
    for amount in (str(10**15 + 1), past_u128):
        refused = runner.invoke(app, [*fund[:7], amount, "--reference", "wire-2", *db])
        assert refused.exit_code == 2 and "1000000000000000" in refused.output, refused.output
    listed = runner.invoke(app, ["loans", "lenders", "list", *db])
    assert "capital=1000000.00 available=1000000.00" in listed.stdout
    assert "bears_charge_offs=house" in listed.stdout
    refused = runner.invoke(app, ["loans", "lenders", "add", "Harbour", "--currency", "SGD",
                                  "--income-share-bps", "6000", *db])  # fmt: skip
    assert refused.exit_code == 2 and "invalid name" in refused.output
    ran = runner.invoke(app, ["loans", "accrue", "--day", "2026-01-02", *db])
    assert ran.exit_code == 0 and "day 2026-01-02: 0 loans" in ran.stdout, ran.output
    again = runner.invoke(app, ["loans", "accrue", "--day", "2026-01-02", *db])
    assert again.exit_code == 0 and "run already, finished" in again.stdout, again.output
    rechecked = runner.invoke(app, ["loans", "accrue", "--day", "2026-01-02", "--recheck", *db])
    assert rechecked.exit_code == 0, rechecked.output
    assert "day 2026-01-02: 0 loans" in rechecked.stdout
    for day, why in (("2026-13-01", "YYYY-MM-DD"), ("20260102", "YYYY-MM-DD"),
                     ("2999-01-01", "not over yet")):  # fmt: skip
        bad = runner.invoke(app, ["loans", "accrue", "--day", day, *db])
        assert bad.exit_code == 2 and why in bad.output


def test_loans_to_merchants_from_the_command_line(tmp_path: Path) -> None:
    """A merchant with no sales scores too low to borrow: refused with the reason; a day's
    collection runs and says what it did."""
    db = ["--database", f"sqlite:///{tmp_path}/colony.db"]
    added = runner.invoke(app, ["loans", "lenders", "add", "harbour_bank", "--currency", "SGD",
                                "--income-share-bps", "6000", *db])  # fmt: skip
    assert added.exit_code == 0, added.output
    missing = runner.invoke(app, ["loans", "merchants", "grant", "mer_nobody",
                                  "--amount-minor", "100000", *db])  # fmt: skip
    assert missing.exit_code == 2 and "no merchant mer_nobody" in missing.output
    ran = runner.invoke(app, ["loans", "merchants", "collect", "--day", "2026-01-02", *db])
    assert ran.exit_code == 0 and "0 loans to merchants" in ran.stdout, ran.output

"""`colony bench accrual` on a few loans: it seeds them, runs a day that accrues interest on
every one and collects those due, and the same day again is answered from its record."""

from __future__ import annotations

from pathlib import Path

from typer.testing import CliRunner

from colony.bench import accrual_bench
from colony.cli.main import app
from colony.loans import DailyRun, open_loan_store
from colony.storage.open import open_ledger
from colony.wallets import open_wallet_store


def test_the_benchmark_runs_a_day_on_seeded_loans(tmp_path: Path) -> None:
    url = f"sqlite:///{tmp_path}/bench.db"
    ledger, wallets, store = open_ledger(url), open_wallet_store(url), open_loan_store(url)
    try:
        before = sum(1 for _ in ledger.all_transfers())
        figures = accrual_bench.measure(ledger, wallets, store, 300, seed_=5)
        after = sum(1 for _ in ledger.all_transfers())
        # walked again, loan by loan: every event of the day is found made
        walked = DailyRun(ledger, store).run(figures.report.day, 1 << 62, answer_from_record=False)
        assert sum(1 for _ in ledger.all_transfers()) == after
    finally:
        store.close()
        wallets.close()
        ledger.close()
    report = figures.report
    assert report.loans == 300 and report.collected > 0 and report.not_collected == 0
    assert sum(report.accrued_minor.values()) > 0
    assert figures.again_recorded
    assert walked.loans == 300 and walked.made_before >= 300 and walked.collected == 0
    seeded = 2 + 2 * 300  # the funding chain, and each loan's disbursement chain
    accrued = 300  # at least one interest accrual per loan
    assert after - before >= seeded + accrued


def test_the_command_prints_its_figures(tmp_path: Path) -> None:
    ran = CliRunner().invoke(
        app, ["bench", "accrual", "--loans", "50", "--database", f"sqlite:///{tmp_path}/b.db"]
    )
    assert ran.exit_code == 0, ran.output
    assert "50 loans seeded" in ran.stdout and "loans/s" in ran.stdout
    assert "answered from its record" in ran.stdout
    again = CliRunner().invoke(
        app, ["bench", "accrual", "--loans", "50", "--database", f"sqlite:///{tmp_path}/b.db"]
    )
    assert again.exit_code != 0 and "exists" in again.output

"""`colony chart ...`: the chart of accounts as Markdown, and whether a database keeps to it."""

from __future__ import annotations

import sys

import typer

from colony.chart.check import legacy_counts, undeclared
from colony.chart.markdown import render
from colony.cli.ledger_commands import DatabaseOption, opened

app = typer.Typer(no_args_is_help=True, help="The chart of accounts: every ledger code and id.")


@app.command("markdown")
def markdown() -> None:
    """Print the chart as docs/chart-of-accounts.md has it."""
    sys.stdout.write(render())


@app.command("check")
def check(database: DatabaseOption = None) -> None:
    """Exit 1, naming each, if the ledger holds a code or id the chart does not declare; count
    the accounts still under a legacy layout (docs/adr/0023)."""
    with opened(database, only_reads=True) as ledger:
        findings = undeclared(ledger.all_accounts(), ledger.all_transfers())
        legacy = legacy_counts(ledger.all_accounts())
    for name, count in legacy.items():
        print(f"legacy layout {name}: {count} accounts (read, never opened again)")
    for finding in findings:
        print(finding)
    print(f"chart check: {'ok' if not findings else f'{len(findings)} undeclared'}")
    if findings:
        raise typer.Exit(1)

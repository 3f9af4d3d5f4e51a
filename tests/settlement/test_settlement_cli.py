"""`colony settlement report` and `reconcile` on each backend, over the worked example's day
(tests/settlement/test_settlement_api.py), made through the API and then read by the CLI."""

from __future__ import annotations

from contextlib import contextmanager
from pathlib import Path

from typer.testing import CliRunner

from colony.cli.main import app as cli
from tests.api.test_funding_api import _served_at
from tests.settlement.test_settlement_api import market, the_day

served = contextmanager(_served_at)


def test_report_and_reconcile_from_the_command_line(store_url: str, tmp_path: Path) -> None:
    with served(store_url) as (client, ctx, clock):
        m = market(client, ctx)
        ids = the_day(client, clock, m)
    b = str(m["b"]["id"])  # type: ignore[index]
    runner = CliRunner()
    csv_file = tmp_path / "settlement.csv"
    shown = runner.invoke(cli, [
        "settlement", "report", "--date", "2026-03-14", "--csv", str(csv_file),
        "--database", store_url,
    ])  # fmt: skip
    assert shown.exit_code == 0, shown.output
    assert "Settlement 2026-03-14" in shown.output and f"{b} SGD net_minor=5402" in shown.output
    rows = csv_file.read_text().splitlines()
    assert rows[0].startswith("window,partner_id,currency,") and len(rows) == 5
    assert f"2026-03-14,{b},SGD,2,6500,1000,0,0,0,98,0,0,0,5402" in rows

    statement = tmp_path / "statement.csv"
    statement.write_text(f"id,amount_minor,currency\n{ids['p1']},2500,SGD\n{ids['p3']},4000,SGD\n")
    args = ["settlement", "reconcile", "--partner", b, "--date", "2026-03-14"]
    found = runner.invoke(cli, [*args, "--statement", str(statement), "--database", store_url])
    assert found.exit_code == 1, found.output  # the refund is missing from the file
    assert "matched: 2" in found.output and f"  {ids['r1']} 1000 SGD" in found.output
    statement.write_text(statement.read_text() + f"{ids['r1']},1000,SGD\n")
    clean = runner.invoke(cli, [*args, "--statement", str(statement), "--database", store_url])
    assert clean.exit_code == 0, clean.output
    statement.write_text("id,amount_minor,currency\nre_1,10,SGD\n")
    bad = runner.invoke(cli, [*args, "--statement", str(statement), "--database", store_url])
    assert bad.exit_code == 2 and "statement line 2: id must be pay_ or re_" in bad.output
    unknown = runner.invoke(cli, [
        "settlement", "reconcile", "--partner", "ptn_none", "--date", "2026-03-14",
        "--statement", str(statement), "--database", store_url,
    ])  # fmt: skip
    assert unknown.exit_code == 2 and "no partner ptn_none" in unknown.output

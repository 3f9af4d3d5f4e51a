"""`colony credit line run`: the night's run from the command line, on a database holding a
line with a bill falling due: the nights since the purchase close (the bill on the 1st), and
on the due day the bill is taken from the wallet. Run twice, it moves the money once; a day
named wrongly is refused with what is wrong."""

from __future__ import annotations

import datetime as dt
from pathlib import Path

from typer.testing import CliRunner

from colony.cli.main import app
from colony.cli.serve import build_context
from colony.credit import LineService
from colony.kernel.clock import ManualClock
from colony.payments import PayResult
from tests.credit.line_world import ALICE, open_world

runner = CliRunner()
D = dt.date


def _state(url: str) -> tuple[int, int, int, int]:
    """(Alice's balance, what her line is owed, the bill's due amount by the line's model,
    all debits posted), read from a fresh process's view of the database."""
    ctx = build_context(url, clock=ManualClock())
    try:
        wallet = ctx.wallet_store.by_phone(ALICE, "SGD")
        assert wallet is not None
        lines = ctx.service(LineService)
        line = lines.line_of(wallet)
        assert line is not None
        principal, interest, _ = lines.balances(line)
        bill = line.model.bill
        posted = sum(t.debits_posted for t in ctx.ledger.totals())
        return (
            ctx.wallets.balances(wallet)[1],
            principal + interest,
            bill.total_minor if bill else 0,
            posted,
        )
    finally:
        ctx.ledger.close()
        ctx.close_stores()


def _a_purchase_on_a_line(url: str) -> None:
    """Alice's line, its bill due on the 10th, and a purchase on it on 2026-02-05."""
    clock = ManualClock()
    ctx = build_context(url, clock=clock)
    w = open_world(ctx, clock, D(2026, 2, 1), due_day=10)
    w.at(D(2026, 2, 5))
    assert w.buy(300_00) is PayResult.ok
    ctx.ledger.close()
    ctx.close_stores()


def test_the_night_takes_the_bill_due_once(tmp_path: Path) -> None:
    url = f"sqlite:///{tmp_path}/colony.db"
    _a_purchase_on_a_line(url)
    balance, owed, billed, _ = _state(url)
    assert (owed, billed) == (300_00, 0)

    states = []
    for _ in range(2):
        ran = runner.invoke(
            app, ["credit", "line", "run", "--day", "2026-03-10", "--database", url]
        )
        assert ran.exit_code == 0, ran.output
        assert "credit lines 2026-03-10: 1 run" in ran.stdout
        states.append(_state(url))
    first, second = states
    assert first[:3] == (balance - 300_00, 0, 300_00)  # billed on the 1st, taken on the 10th
    assert second == first  # the day run again moved nothing


def test_a_day_not_begun_is_refused_and_closes_nothing(tmp_path: Path) -> None:
    url = f"sqlite:///{tmp_path}/colony.db"
    _a_purchase_on_a_line(url)
    before = _state(url)
    tomorrow = dt.datetime.now(dt.UTC).date() + dt.timedelta(days=1)
    refused = runner.invoke(
        app, ["credit", "line", "run", "--day", tomorrow.isoformat(), "--database", url]
    )
    assert refused.exit_code == 2
    assert f"--day {tomorrow.isoformat()} has not begun yet (UTC)" in refused.output
    assert _state(url) == before


def test_a_bad_day_is_named(tmp_path: Path) -> None:
    url = f"sqlite:///{tmp_path}/colony.db"
    bad = runner.invoke(app, ["credit", "line", "run", "--day", "2026-13-04", "--database", url])
    assert bad.exit_code != 0 and "--day must be a date as YYYY-MM-DD" in bad.output
    week = runner.invoke(app, ["credit", "line", "run", "--day", "2026-W14-1", "--database", url])
    assert week.exit_code == 2 and "--day must be a date as YYYY-MM-DD" in week.output

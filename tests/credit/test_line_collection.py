"""The line's due-day repayment is a collection (docs/adr/0058): Colony takes what the bill
asks even when the person has sent away their whole daily outflow allowance that day, and
it uses none of it; a repayment the person makes themself still counts against the cap."""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterator
from pathlib import Path

import pytest

from colony.credit import CreditLineResult
from colony.ledger.verify import verify
from colony.payments import PayResult
from tests.credit.line_world import ALICE, BOB, LineWorld, noon, world_on_file

D = dt.date
DUE = D(2026, 3, 10)


@pytest.fixture
def world(tmp_path: Path) -> Iterator[LineWorld]:
    with world_on_file(tmp_path, D(2026, 2, 1), due_day=10) as made:
        yield made


def test_the_due_days_repayment_is_taken_past_a_spent_daily_cap(world: LineWorld) -> None:
    w, wallets = world, world.ctx.wallets
    w.at(D(2026, 2, 5))
    assert w.buy(300_00) is PayResult.ok
    w.clock.set_ns(noon(DUE) - 3 * 3_600 * 10**9)  # 09:00 on the due day
    limits, _ = wallets.limits_today(w.wallet)
    cap = limits.daily_outflow_cap_minor
    w.cash_in(cap)
    assert wallets.p2p(ALICE, BOB, "SGD", cap).result.name == "ok"  # the day's allowance, all
    assert wallets.limits_today(w.wallet)[1] == cap
    before = wallets.balances(w.wallet)[1]

    w.clock.advance(3_600)
    w.lines.run_day(DUE)  # the nights since the purchase, then the due day's collection
    bill = w.stored().model.bill
    assert bill is not None and bill.due == DUE and bill.total_minor == 300_00
    assert w.owed() == 0  # the bill was taken in full...
    assert wallets.balances(w.wallet)[1] == before - 300_00
    assert wallets.limits_today(w.wallet)[1] == cap  # ...using none of the day's allowance

    # Run again, it moves nothing; a repayment Alice makes herself counts against the cap.
    w.lines.run_day(DUE)
    assert wallets.balances(w.wallet)[1] == before - 300_00
    assert w.buy(10_00) is PayResult.ok
    assert w.repay(10_00) is CreditLineResult.daily_outflow_cap_exceeded
    w.night(D(2026, 3, 11))  # the bill was paid: the line is not overdue
    assert w.stored().model.overdue_since is None and not w.stored().model.frozen
    assert verify(*w.ctx.ledger.snapshot_for_verify()).ok

"""A credit line through a whole year, as a worked example: purchases with the line at a
hawker's QR, a refund, bills on the 1st due on the 9th, one paid in full, one paid at the
minimum (the rest carried with revolving interest), a purchase split into 3 instalments and
a bill into 6, and one late month (penalty interest, the line frozen, then caught up). Every
night the ledger-backed line must agree, figure for figure, with the reference model
(`credit/line_model.py`) driven through the same story; the year ends in a trial balance
summing to zero per currency and the ledger verified by replay."""

from __future__ import annotations

import dataclasses
import datetime as dt
from collections.abc import Callable, Iterator
from pathlib import Path

import pytest

from colony.api.context import ApiContext
from colony.chart import lender_capital_account_id
from colony.cli.serve import build_context
from colony.credit import LineState, lender_share_bps
from colony.credit.billing import OverdueBucket
from colony.credit.line_model import Line
from colony.kernel.clock import ManualClock
from colony.ledger.verify import verify
from colony.payments import PayResult
from tests.credit.line_world import LineWorld, open_world, owed_by_model

D = dt.date
OPENED = D(2026, 2, 1)
ENDS = D(2027, 2, 10)


@pytest.fixture
def world(tmp_path: Path) -> Iterator[LineWorld]:
    clock = ManualClock()
    ctx = build_context(f"sqlite:///{tmp_path}/colony.db", clock=clock)
    made = open_world(ctx, clock, OPENED, due_day=9)
    yield made
    ctx.ledger.close()
    ctx.close_stores()


def _drain(w: LineWorld) -> None:
    w.send_away(w.ctx.wallets.balances(w.wallet)[1])


def _repay_minimum(w: LineWorld) -> None:
    assert w.model is not None and w.model.minimum_left_minor > 0
    w.repay(w.model.minimum_left_minor)


def _frozen_purchase(w: LineWorld) -> None:
    stored = w.stored()
    assert stored.state is LineState.frozen and stored.bucket is OverdueBucket.days_1_30
    assert w.buy(10_00) is PayResult.credit_line_frozen


def _catch_up(w: LineWorld) -> None:
    assert w.model is not None
    w.cash_in(500_00)
    w.repay(owed_by_model(w.model))


# What happens at noon of each day; every night the line runs.
STORY: dict[dt.date, list[Callable[[LineWorld], object]]] = {
    D(2026, 2, 3): [lambda w: w.buy(120_00)],
    D(2026, 2, 10): [lambda w: w.buy(60_00)],
    D(2026, 2, 15): [lambda w: w.refund(1, 20_00)],
    D(2026, 2, 20): [lambda w: w.buy(50_00), lambda w: w.split(50_00, 3)],
    D(2026, 3, 5): [lambda w: w.buy(80_00)],
    D(2026, 4, 7): [_repay_minimum],  # the April bill: the minimum only ...
    D(2026, 4, 8): [_drain],  # ... and nothing left for the due day: the rest is carried
    D(2026, 4, 20): [lambda w: w.cash_in(500_00)],
    D(2026, 6, 3): [lambda w: w.buy(200_00)],
    D(2026, 7, 5): [_drain],  # the July bill's due day finds nothing: late
    D(2026, 7, 15): [_frozen_purchase],
    D(2026, 7, 20): [_catch_up],
    D(2026, 9, 12): [lambda w: w.buy(90_00)],
    D(2026, 10, 3): [lambda w: w.split_bill(6)],  # October's bill: its 90.00 over six months
    D(2026, 11, 5): [lambda w: w.buy(40_00)],
    D(2026, 12, 20): [lambda w: w.buy(30_00)],
    D(2027, 1, 14): [lambda w: w.buy(25_00)],
    D(2027, 1, 15): [lambda w: w.refund(8, 25_00)],
}


def _agree(w: LineWorld) -> None:
    """The ledger and the line's stored state against the reference model."""
    m = w.model
    assert m is not None
    stored = w.stored().model
    assert stored.history == m.history
    assert w.owed() == owed_by_model(m)
    interest, fees, penalty = w.income()
    assert (interest, penalty) == (w.accrued_interest, w.accrued_penalty)
    assert fees == sum(b.fees_minor for b in m.history)


def test_a_year_on_the_line(world: LineWorld) -> None:
    w = world
    w.model = Line.open(w.line.model.limit_minor, 9, OPENED)[1]
    day = OPENED
    while day <= ENDS:
        w.at(day)
        for act in STORY.get(day, []):
            act(w)
        day += dt.timedelta(days=1)
        w.night(day)
        _agree(w)
    m = w.model
    assert m is not None
    bills = {b.billed: b for b in m.history}
    assert len(bills) == 12  # March 2026 to February 2027
    march, april, may = bills[D(2026, 3, 1)], bills[D(2026, 4, 1)], bills[D(2026, 5, 1)]
    # February: 120 + 60 - 20 refunded, and 50 split into 3 (16.66 + 1.25 of fee first).
    assert (march.purchases_minor, march.instalments_minor, march.fees_minor) == (160_00, 1666, 43)
    assert april.interest_minor == 0  # March's bill was repaid in full on its due day
    assert may.interest_minor > 0 and may.carried_minor > 0  # April's was not
    # July's minimum was missed: penalty interest from 10 July until caught up on the 20th
    # (paid with all else owed then, so August's bill asks for none).
    assert w.income()[2] == w.accrued_penalty > 0
    assert bills[D(2026, 8, 1)].total_minor == 0
    october, november = bills[D(2026, 10, 1)], bills[D(2026, 11, 1)]
    assert october.purchases_minor == 90_00
    # 90.00 / 6, and the fee of 4.05 spread with its remainder in the first: 0.67 + 0.03.
    assert (november.instalments_minor, november.fees_minor) == (15_00, 70)
    # Every bill but April's and July's repaid in full; at the end only the October plan's
    # last two instalments are owed (March's and April's bills will ask for them).
    assert w.owed() == 2 * 15_00 and w.stored().state is LineState.open
    # The lender's share of all the line earned, each charge's share rounded down.
    (capital,) = w.ctx.ledger.lookup_accounts(
        [lender_capital_account_id(w.line.lender, w.line.ledger)]
    )
    assert capital.credits_posted == w.lender_shares
    assert w.lender_shares <= sum(w.income()) * lender_share_bps // 10_000
    _trial_balance(w.ctx)


def _trial_balance(ctx: ApiContext) -> None:
    for totals in ctx.ledger.totals():
        assert totals.debits_posted == totals.credits_posted, totals.ledger
        assert totals.debits_pending == totals.credits_pending
    assert verify(*ctx.ledger.snapshot_for_verify()).ok


def test_a_night_run_twice_moves_money_once(world: LineWorld) -> None:
    w = world
    w.at(D(2026, 2, 3))
    assert w.buy(200_00) is PayResult.ok
    day = D(2026, 2, 4)
    while day <= D(2026, 3, 12):
        w.night(day)
        day += dt.timedelta(days=1)
    _drain(w)
    for _ in range(2):
        w.night(D(2026, 4, 9))  # the due day: nothing in the wallet
        w.night(D(2026, 4, 20))
    moved = [t for t in w.ctx.ledger.all_transfers()]
    kept = dataclasses.replace(w.stored()).model
    for again in (D(2026, 4, 9), D(2026, 4, 20), D(2026, 4, 15)):
        w.lines.run_day(again)
    assert list(w.ctx.ledger.all_transfers()) == moved
    assert w.stored().model == kept

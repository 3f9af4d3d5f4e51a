"""The credit line's late path: a bill left unpaid goes overdue the day after its due day,
penalty interest accrues on the missed minimum, the line is frozen and moves through the
buckets, and 180 days overdue it is charged off (written off as a loss, its limit taken
back); still owed, what the person pays after is a recovery. Ledger and reference model
agree on every night."""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterator
from pathlib import Path

import pytest

from colony.cli.serve import build_context
from colony.credit import (
    CreditLineResult,
    CreditScores,
    LineState,
    RepaymentRecord,
    default_model,
)
from colony.credit.billing import OverdueBucket
from colony.credit.line_accounts import PRODUCT, charge_off_id, recoveries_id
from colony.credit.line_model import Line
from colony.credit.provision import expense_id, provision_id
from colony.kernel.clock import ManualClock, day_number
from colony.ledger.verify import verify
from colony.loans import LoanService
from colony.payments import PayResult
from tests.credit.line_world import LineWorld, open_world, owed_by_model
from tests.credit.scorecards import hand_model

D = dt.date
OPENED = D(2026, 2, 1)


@pytest.fixture
def world(tmp_path: Path) -> Iterator[LineWorld]:
    clock = ManualClock()
    ctx = build_context(f"sqlite:///{tmp_path}/colony.db", clock=clock)
    made = open_world(ctx, clock, OPENED, due_day=10)
    made.model = Line.open(made.line.model.limit_minor, 10, OPENED)[1]
    yield made
    ctx.ledger.close()
    ctx.close_stores()


# (days after the due day, the line's state, its bucket)
BUCKETS = [
    (0, LineState.open, OverdueBucket.current),
    (1, LineState.frozen, OverdueBucket.days_1_30),
    (30, LineState.frozen, OverdueBucket.days_1_30),
    (31, LineState.frozen, OverdueBucket.days_31_60),
    (61, LineState.frozen, OverdueBucket.days_61_90),
    (91, LineState.frozen, OverdueBucket.days_over_90),
    (179, LineState.frozen, OverdueBucket.days_over_90),
    (180, LineState.charged_off, OverdueBucket.current),
]


def test_late_then_charged_off_then_recovered(world: LineWorld) -> None:
    w = world
    w.at(D(2026, 2, 5))
    assert w.buy(300_00) is PayResult.ok
    w.send_away(w.ctx.wallets.balances(w.wallet)[1])  # nothing for the due day
    due = D(2026, 3, 10)
    seen = {}
    day = D(2026, 2, 6)
    while day <= due + dt.timedelta(days=181):
        w.night(day)
        stored, model = w.stored(), w.model
        assert model is not None
        assert stored.model.history == model.history
        assert w.owed() == owed_by_model(model) or model.closed
        seen[(day - due).days] = (stored.state, stored.bucket)
        if day == due + dt.timedelta(days=5):
            _late_moves_the_score(w)
        day += dt.timedelta(days=1)
    for after_due, state, bucket in BUCKETS:
        assert seen[after_due] == (state, bucket), after_due
    model = w.model
    assert model is not None and model.closed
    # Penalty accrued every overdue day until the charge-off; the principal was written off
    # against the provision (raised to all of it at 90+ days), the interest as a loss.
    _, _, penalty = w.income()
    assert penalty == w.accrued_penalty > 0
    loss_debits, _ = w.account(charge_off_id(w.line.ledger))
    assert w.owed() == 0 and loss_debits == w.accrued_interest + w.accrued_penalty
    expense_debits, expense_credits = w.account(expense_id(PRODUCT, w.line.ledger))
    assert expense_debits - expense_credits == 300_00
    assert w.account(provision_id(PRODUCT, w.line.ledger)) == (300_00, 300_00)
    assert w.lines.balances(w.stored())[2] == 0  # its limit taken back
    assert w.buy(1_00) is PayResult.credit_line_frozen
    # Still owed: a repayment now is a recovery, at most what was written off.
    w.at(day)
    w.cash_in(500_00)
    assert w.repay(model.charged_off_minor + 1) is CreditLineResult.more_than_owed
    assert w.repay(100_00) is CreditLineResult.ok
    _, recovered = w.account(recoveries_id(w.line.ledger))
    assert recovered == 100_00 and w.stored().model.recovered_minor == 100_00
    assert w.stored().model == model
    _written_off_in_the_portfolio(w, day, loss_debits + 300_00)
    for totals in w.ctx.ledger.totals():
        assert totals.debits_posted == totals.credits_posted
    assert verify(*w.ctx.ledger.snapshot_for_verify()).ok


def _late_moves_the_score(w: LineWorld) -> None:
    """Overdue, the line's record of repayment costs the person points: under the scorecard
    Colony ships (trained on people with earlier loans, docs/adr/0064), and under a hand-made
    one that weighs nothing else."""
    assert w.lines.repayment_record(w.wallet) == RepaymentRecord(repaid=0, overdue=1)
    scores = w.ctx.service(CreditScores)
    assert scores.model == default_model()
    shipped = scores.model
    for card in (shipped, hand_model({"repayment_record": (0, 0, 50)})):
        scores.model = card
        keeps, scores.repayments = scores.repayments, None
        _, unknown = scores.score_wallet(w.wallet)
        scores.repayments = keeps
        _, late = scores.score_wallet(w.wallet)
        assert unknown is not None and late is not None and late.score < unknown.score
        assert "P01" in [r.code for r in late.reasons]  # the record is among its reasons
    scores.model = shipped


def test_a_purchase_beyond_the_limit_is_refused_by_the_ledger(world: LineWorld) -> None:
    w = world
    w.at(D(2026, 2, 5))
    limit = w.line.model.limit_minor
    assert w.buy(limit + 1) is PayResult.credit_limit_exceeded
    assert w.buy(limit) is PayResult.ok
    assert w.buy(1) is PayResult.credit_limit_exceeded
    w.refund(0, 50_00)  # the limit comes back with the refund
    assert w.buy(50_00) is PayResult.ok
    assert w.lines.balances(w.stored()) == (limit, 0, 0)


def _written_off_in_the_portfolio(w: LineWorld, day: dt.date, written_minor: int) -> None:
    """Written off, the line is in no book; its losses are what was written off (principal
    and interest) and recovered since, its provision used up; its vintage counts the
    principal written off as bad from 30 days after the due day it went overdue on."""
    report = w.ctx.service(LoanService).portfolio(day_number(day), lines=w.lines.store)
    assert [b.product for b in report.books] == []
    (losses,) = report.losses
    assert (losses.product, losses.charged_off_minor) == ("line", written_minor)
    assert (losses.recovered_minor, losses.provision_minor) == (100_00, 0)
    (vintage,) = report.vintages
    # February, then March's end (21 days past the due day of 03-10); from April's end, bad.
    assert vintage.month == "2026-02" and vintage.bad_minor[:2] == [0, 0]
    assert vintage.bad_minor[2:] == [300_00] * (len(vintage.bad_minor) - 2)

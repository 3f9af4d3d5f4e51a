"""The ledger-backed credit line against its reference model (`credit/line_model.py`) on random
stories: a day at a time, a purchase with the line, a refund of an earlier one, a repayment
of part of what is owed, a purchase or a bill split into a plan, or the wallet emptied
before a due day. Every night the line's owed (its principal and interest accounts), its
income and its bills must be the model's, and the ledger must balance; a purchase beyond the
limit is refused by the ledger and by the model alike."""

from __future__ import annotations

import datetime as dt
import tempfile

import pytest
from hypothesis import HealthCheck, Phase, given, note, settings
from hypothesis import strategies as st

from colony.cli.serve import build_context
from colony.credit.line_model import Line
from colony.kernel.clock import ManualClock
from colony.payments import PayResult
from tests.credit.line_world import LineWorld, open_world, owed_by_model

# Among the suite's longest files: started first (tests/conftest.py)
pytestmark = pytest.mark.slow

OPENED = dt.date(2026, 2, 1)
# Days a story runs: two bills and their due days, and a little of a third month.
story_days_max = 75

Action = tuple[str, int]
ACTIONS = st.one_of(
    st.tuples(st.just("buy"), st.integers(1, 60_000)),
    st.tuples(st.just("refund"), st.integers(1, 100)),  # percent of the last purchase
    st.tuples(st.just("repay"), st.integers(1, 100)),  # percent of what is owed
    st.tuples(st.just("split"), st.sampled_from([3, 6, 12])),
    st.tuples(st.just("split_bill"), st.sampled_from([3, 6, 12])),
    st.tuples(st.just("drain"), st.just(0)),
    st.tuples(st.just("rest"), st.just(0)),
)


def _act(w: LineWorld, action: Action, refundable: list[int]) -> None:
    m = w.model
    assert m is not None
    kind, n = action
    if kind == "buy":
        bought = w.buy(n)
        fits = not m.frozen and n <= w.lines.balances(w.stored())[2]
        assert bought in (
            PayResult.ok,
            PayResult.credit_limit_exceeded,
            PayResult.credit_line_frozen,
        )
        if bought is PayResult.ok:
            refundable.append(n)  # the last purchase's refundable, as w.paid's last
        else:
            assert not fits or m.frozen
    elif kind == "refund" and refundable and refundable[-1] > 0:
        amount = max(refundable[-1] * n // 100, 1)
        w.refund(len(w.paid) - 1, amount)
        refundable[-1] -= amount
    elif kind == "repay":
        amount = (owed_by_model(m) - m.plan_principal_minor) * n // 100  # plans run their course
        if amount > 0 and not m.closed:
            w.repay(amount)
    elif kind == "split" and m.unbilled_minor >= 2 * n and not m.frozen:
        w.split(m.unbilled_minor // 2, n)
    elif kind == "split_bill" and m.bill is not None and m.today <= m.bill.due:
        if not m.frozen and min(m.owed_on_bill_minor, m.bill.purchases_minor) > 0:
            w.split_bill(n)
    elif kind == "drain":
        available = w.ctx.wallets.balances(w.wallet)[1]
        if available > 0:
            w.send_away(available)


@settings(
    max_examples=25,
    deadline=None,
    derandomize=True,
    phases=[Phase.explicit, Phase.generate],  # a failing story is printed whole, not shrunk
    suppress_health_check=[HealthCheck.too_slow, HealthCheck.data_too_large],
)
@given(st.lists(ACTIONS, min_size=story_days_max, max_size=story_days_max))
def test_the_ledger_line_keeps_to_the_model(story: list[Action]) -> None:
    note(f"story: {story}")
    with tempfile.TemporaryDirectory() as folder:
        clock = ManualClock()
        ctx = build_context(f"sqlite:///{folder}/colony.db", clock=clock)
        try:
            w = open_world(ctx, clock, OPENED, due_day=8)
            w.model = Line.open(w.line.model.limit_minor, 8, OPENED)[1]
            refundable: list[int] = []
            day = OPENED
            for action in story:
                w.at(day)
                _act(w, action, refundable)
                day += dt.timedelta(days=1)
                w.night(day)
                m = w.model
                assert m is not None
                assert w.stored().model.history == m.history
                assert w.owed() == owed_by_model(m)
                assert w.income() == (w.accrued_interest, sum(b.fees_minor for b in m.history),
                                      w.accrued_penalty)  # fmt: skip
            for totals in ctx.ledger.totals():
                assert totals.debits_posted == totals.credits_posted
        finally:
            ctx.ledger.close()
            ctx.close_stores()

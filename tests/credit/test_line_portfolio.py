"""The credit line in the portfolio report, worked by hand: Alice buys 300.00 on her line and
leaves the bill unpaid; 45 days after its due day the line is in the 31-60 bucket, all its
principal in PAR30 and none in PAR90, 30% of it expected lost, and the night raised the
line's loss provision on the ledger to that; she repays all she owes and the next night
releases it. Every night the ledger balances (a trial balance of every account)."""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterator
from decimal import Decimal
from pathlib import Path

import pytest

from colony.chart import Slots
from colony.cli.serve import build_context
from colony.credit.billing import OverdueBucket
from colony.credit.line_accounts import PRODUCT
from colony.credit.provision import expense_id, provision_id
from colony.kernel.clock import ManualClock, day_number
from colony.ledger.verify import verify
from colony.loans import LoanService, Portfolio, csv_lines
from colony.payments import PayResult
from tests.credit.line_world import LineWorld, open_world

D = dt.date
OPENED = D(2026, 2, 1)
DUE = D(2026, 3, 10)  # the due day of the bill of 2026-03-01


@pytest.fixture
def world(tmp_path: Path) -> Iterator[LineWorld]:
    clock = ManualClock()
    ctx = build_context(f"sqlite:///{tmp_path}/colony.db", clock=clock)
    yield open_world(ctx, clock, OPENED, due_day=10)
    ctx.ledger.close()
    ctx.close_stores()


def _report(w: LineWorld, day: dt.date) -> Portfolio:
    return w.ctx.service(LoanService).portfolio(day_number(day), lines=w.lines.store)


def _trial_balance(w: LineWorld) -> set[int]:
    sums: dict[int, int] = {}
    for a in w.ctx.ledger.all_accounts():
        sums[a.ledger] = sums.get(a.ledger, 0) + a.debits_posted - a.credits_posted
    return set(sums.values())


def _held(w: LineWorld, account_id: int) -> int:
    debits, credits = w.account(account_id)
    return credits - debits


def test_an_overdue_line_in_its_bucket_provided_for_then_released(world: LineWorld) -> None:
    w = world
    ledger = w.line.ledger
    w.at(D(2026, 2, 5))
    assert w.buy(300_00) is PayResult.ok
    w.send_away(w.ctx.wallets.balances(w.wallet)[1])  # nothing for the due day
    day = D(2026, 2, 6)
    late_day = DUE + dt.timedelta(days=45)
    while day <= late_day:
        w.night(day)
        assert _trial_balance(w) == {0}
        day += dt.timedelta(days=1)
    # The first night after the purchase provided 1% of it (current).
    first = Slots.provision_of_day.of(provision_id(PRODUCT, ledger), day_number(D(2026, 2, 5)))
    (raised,) = w.ctx.ledger.lookup_transfers([first])
    assert (raised.debit_account_id, raised.amount) == (expense_id(PRODUCT, ledger), 3_00)

    stored = w.stored()
    assert stored.model.days_overdue == 45 and stored.bucket is OverdueBucket.days_31_60
    report = _report(w, late_day)
    (book,) = [b for b in report.books if b.product == "line"]
    assert book.loans == 1 and book.principal_outstanding_minor == 300_00
    assert (book.par30_minor, book.par90_minor) == (300_00, 0)  # 45 days: past 30, not 90
    assert book.share(book.par30_minor) == Decimal(1) and book.share(book.par90_minor) == 0
    assert book.by_bucket_minor == {"31-60": 300_00}
    assert book.expected_loss_minor == 90_00  # 30% of 300.00
    assert book.interest_owed_minor == w.interest_owed() > 0  # interest and penalty since
    # All of it billed (the bill of 03-01, carried past its due day): none unbilled or split.
    assert book.parts_minor == {"billed": 300_00, "unbilled": 0, "instalment_plans": 0}
    # The night raised the line's provision on the ledger to the bucket's 30%.
    assert _held(w, provision_id(PRODUCT, ledger)) == 90_00
    (losses,) = [x for x in report.losses if x.product == "line"]
    assert (losses.provision_minor, losses.charged_off_minor) == (90_00, 0)
    # Opened in February, its limit the vintage's: bad from 30 days after the due day, so
    # not at the end of March (21 days), and all 300.00 today (45).
    (vintage,) = [v for v in report.vintages if v.product == "line"]
    assert (vintage.month, vintage.lent_minor) == ("2026-02", stored.model.limit_minor)
    assert vintage.bad_minor == [0, 0, 300_00]
    rows = csv_lines(report)
    assert ["book", "line", "SGD", "1", "30000"] in [r[:5] for r in rows]
    assert ["losses", "line", "SGD", "0", "0", "9000"] in rows

    # Alice pays all she owes: the next night releases the provision to 1% of nothing.
    w.at(late_day)
    w.cash_in(500_00)
    principal, interest, _ = w.lines.balances(w.stored())
    assert w.repay(principal + interest).name == "ok"
    w.night(late_day + dt.timedelta(days=1))
    assert _held(w, provision_id(PRODUCT, ledger)) == 0
    released = Slots.provision_of_day.of(provision_id(PRODUCT, ledger), day_number(late_day))
    (back,) = w.ctx.ledger.lookup_transfers([released])
    assert (back.credit_account_id, back.amount) == (expense_id(PRODUCT, ledger), 90_00)
    assert _held(w, expense_id(PRODUCT, ledger)) == 0  # raised, then released in full
    after = _report(w, late_day + dt.timedelta(days=1))
    (book,) = [b for b in after.books if b.product == "line"]
    assert (book.principal_outstanding_minor, book.expected_loss_minor) == (0, 0)
    assert _trial_balance(w) == {0}
    assert verify(*w.ctx.ledger.snapshot_for_verify()).ok

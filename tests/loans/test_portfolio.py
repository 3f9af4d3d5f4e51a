"""The portfolio report worked by hand: two loans made the same day, one repaid on time and
one never paid; outstanding, PAR30, PAR90 and expected loss per product, and the vintage curve of
the month they were made, month by month, to the write-off."""

from __future__ import annotations

from decimal import Decimal

from colony.kernel.clock import day_number
from colony.loans import (
    csv_lines,
)
from colony.loans.rules import half_up_div
from colony.wallets import WalletResult
from tests.loans.world import ALICE, START, World

BOB = "+6591110002"


def test_outstanding_at_risk_expected_loss_and_a_vintage(world: World) -> None:
    alice = world.person(cash_minor=500_000)
    bob = world.person(BOB, cash_minor=500_000)
    world.fund(1_000_000_00)
    _, good = world.loans.apply(alice, "cash_3m", "schedule", 1_000_00, world.ids.new_id())
    _, late = world.loans.apply(bob, "cash_6m", "daily", 600_00, world.ids.new_id())
    assert good is not None and late is not None
    emptied = world.ctx.wallets.p2p(BOB, ALICE, "SGD", world.ctx.wallets.balance(bob))
    assert emptied.result is WalletResult.ok
    made = day_number(START)  # 2026-03-01: both loans are of the vintage 2026-03

    world.run_days(made + 1, late.due_days[0] + 45)  # Bob's first instalment 45 days late
    day = late.due_days[0] + 45
    report = world.loans.portfolio(day)
    by_product = {b.product: b for b in report.books}
    three, six = by_product["cash_3m"], by_product["cash_6m"]
    assert three.loans == 1 and three.principal_outstanding_minor == 1_000_00 - 32_838 - 33_331
    assert (three.par30_minor, three.par90_minor) == (0, 0)  # paid on its two due days
    assert three.expected_loss_minor == 338  # 1% of 338.31
    assert six.loans == 1 and six.principal_outstanding_minor == 600_00
    assert (six.par30_minor, six.par90_minor) == (600_00, 0)  # 45 days: past 30, not 90
    assert six.share(six.par30_minor) == Decimal(1) and six.share(six.par90_minor) == 0
    assert six.expected_loss_minor == half_up_div(600_00 * 3_000, 10_000)  # the 31-60 bucket
    assert six.interest_owed_minor == world.balance(late.interest_account_id)
    (vintage,) = report.vintages
    assert vintage.month == "2026-03" and vintage.lent_minor == 1_600_00
    # End of March: nothing due yet. End of April: Bob's first instalment (due 04-01) is 29
    # days late, under 30. End of May: 60 days late, so all Bob still owes counts.
    assert vintage.shares()[:3] == [Decimal(0), Decimal(0), Decimal("0.3750")]  # 600 / 1,600

    world.run_days(day + 1, late.due_days[0] + 180)  # written off
    written = world.loans.portfolio(late.due_days[0] + 181)
    assert [b.product for b in written.books] == []  # Alice's repaid, Bob's written off
    assert written.vintages[0].shares()[-1] == Decimal("0.3750")  # a write-off stays bad
    rows = csv_lines(written)
    assert rows[0][:3] == ["section", "product", "currency"]
    assert ["vintage", "cash", "2026-03", "SGD", "160000", "2", "0.3750"] in rows

"""Running a day twice moves money once: a finished day is answered from its record, and
every transfer of the daily run has an id derived from (loan, day) or (provision account, day),
so a second walk of the day finds them made."""

from __future__ import annotations

from colony.kernel.clock import day_number
from colony.ledger import Account
from colony.loans import (
    DailyRun,
)
from colony.wallets import WalletResult
from tests.loans.world import ALICE, START, World

BOB = "+6591110002"


def _ledger_now(world: World) -> tuple[int, dict[int, tuple[int, int]]]:
    accounts: list[Account] = world.accounts()
    transfers = sum(1 for _ in world.ctx.ledger.all_transfers())
    return transfers, {a.id: (a.debits_posted, a.credits_posted) for a in accounts}


def test_each_kind_of_day_run_twice_moves_money_once(world: World) -> None:
    alice = world.person(cash_minor=500_000)
    bob = world.person(BOB, cash_minor=500_000)
    world.fund(1_000_000_00)
    _, paying = world.loans.apply(alice, "cash_3m", "schedule", 1_000_00, world.ids.new_id())
    _, late = world.loans.apply(bob, "cash_6m", "daily", 1_000_00, world.ids.new_id())
    assert paying is not None and late is not None
    emptied = world.ctx.wallets.p2p(BOB, ALICE, "SGD", world.ctx.wallets.balance(bob))
    assert emptied.result is WalletResult.ok
    made = day_number(START)
    # an ordinary day, a due day (collected from one, refused by the other), a late day with
    # penalty and a bucket change, and the day the late loan is written off
    days = [made + 5, paying.due_days[0], paying.due_days[0] + 31, late.due_days[0] + 180]
    last = made
    for day in days:
        world.run_days(last + 1, day - 1)
        first = world.run_day(day)
        before = _ledger_now(world)
        recorded = DailyRun(world.ctx.ledger, world.store).run(day, world.clock.now_ns())
        assert recorded.recorded is not None and recorded.loans == 0  # answered from its record
        # walked again loan by loan, past the record: the ledger's ids keep it from moving
        again = DailyRun(world.ctx.ledger, world.store).run(
            day, world.clock.now_ns(), answer_from_record=False
        )
        assert _ledger_now(world) == before, f"day {day} moved money twice"
        # found made, or (a loan written off) no longer run
        assert again.made_before > 0 or again.loans < first.loans
        last = day
    assert world.loans.loan(late.id).status.value == "charged_off"  # type: ignore[union-attr]
    assert set(world.trial_balance().values()) == {0}


def test_a_small_page_and_batch_walk_every_loan_once(world: World) -> None:
    """Pages of two loans and batches of six events: the same money as one page."""
    phones = [f"+65911100{n:02d}" for n in range(10, 15)]
    world.fund(1_000_000_00)
    for phone in phones:
        wallet = world.person(phone, cash_minor=500_000)
        result, _ = world.loans.apply(wallet, "cash_3m", "daily", 500_00, world.ids.new_id())
        assert result.name == "ok"
    day = day_number(START) + 1
    world.at_day(day + 1)
    report = DailyRun(world.ctx.ledger, world.store, page_size=2, batch_max=6).run(
        day, world.clock.now_ns()
    )
    assert report.loans == 5
    assert report.accrued_minor == {"SGD": 5 * 25}  # 500.00 * 18% / 365 = 0.2466: 0.25

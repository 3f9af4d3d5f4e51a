"""A day the daily run finished is recorded, and running it again is answered from the record
without walking a loan (docs/adr/0056); a day whose run stopped part way has no record, and
running it again completes it with every event made once (the ledger's ids)."""

from __future__ import annotations

from collections.abc import Sequence
from typing import cast

import pytest

from colony.kernel.clock import day_number
from colony.kernel.errors import StorageUnavailable
from colony.ledger import LedgerPort, Transfer
from colony.ledger.results import CreateTransferResult
from colony.loans import (
    DailyRun,
    Loan,
)
from tests.loans.world import START, World

PHONES = [f"+65911100{n:02d}" for n in range(10, 15)]


class _StopsAfter:
    """The real ledger, but the process stops (as a crash would) before its `batches`+1-th
    batch of transfers reaches it."""

    def __init__(self, ledger: LedgerPort, batches: int) -> None:
        self._ledger = ledger
        self._left = batches

    def create_transfers(self, events: Sequence[Transfer]) -> list[CreateTransferResult]:
        if self._left == 0:
            raise StorageUnavailable("the process stopped")
        self._left -= 1
        return self._ledger.create_transfers(events)

    def __getattr__(self, name: str) -> object:
        return getattr(self._ledger, name)


def _five_loans(world: World) -> list[Loan]:
    world.fund(1_000_000_00)
    made = []
    for phone in PHONES:
        wallet = world.person(phone, cash_minor=500_000)
        result, loan = world.loans.apply(wallet, "cash_3m", "daily", 500_00, world.ids.new_id())
        assert result.name == "ok" and loan is not None
        made.append(loan)
    return made


def _interest_owed(world: World, loans: list[Loan]) -> list[int]:
    accounts = world.ctx.ledger.lookup_accounts([x.interest_account_id for x in loans])
    return [a.debits_posted - a.credits_posted for a in accounts]


def _transfers(world: World) -> int:
    return sum(1 for _ in world.ctx.ledger.all_transfers())


def test_a_finished_day_is_answered_from_its_record(world: World) -> None:
    loans = _five_loans(world)
    day = day_number(START) + 1
    first = world.run_day(day)
    assert first.loans == 5 and first.recorded is None
    made = _transfers(world)
    recorded = world.store.day_record(day)
    assert recorded is not None and recorded.loans == 5 and recorded.day == day
    assert world.store.day_record(day + 1) is None

    again = world.run_day(day)
    assert again.recorded == recorded  # answered from the record
    assert again.loans == 0 and again.made_before == 0  # no loan walked
    assert _transfers(world) == made
    assert _interest_owed(world, loans) == [25] * 5  # 500.00 * 18% / 365, once

    # walked again on purpose: every event is found made, nothing moves
    walked = DailyRun(world.ctx.ledger, world.store).run(
        day, world.clock.now_ns(), answer_from_record=False
    )
    assert walked.loans == 5 and walked.made_before == 5
    assert _transfers(world) == made
    assert world.store.day_record(day) == recorded  # the first record stands


def test_a_day_stopped_part_way_completes_once(world: World) -> None:
    loans = _five_loans(world)
    day = day_number(START) + 1
    world.at_day(day + 1)
    before = _transfers(world)
    # Pages of two loans and batches of six events: the first page's accruals are made,
    # then the process stops.
    stopping = cast(LedgerPort, _StopsAfter(world.ctx.ledger, batches=1))
    with pytest.raises(StorageUnavailable):
        DailyRun(stopping, world.store, page_size=2, batch_max=6).run(day, world.clock.now_ns())
    assert _transfers(world) == before + 2
    assert world.store.day_record(day) is None  # not finished: nothing says it was

    rest = DailyRun(world.ctx.ledger, world.store, page_size=2, batch_max=6).run(
        day, world.clock.now_ns()
    )
    assert rest.recorded is None and rest.loans == 5
    assert rest.made_before == 2  # the first page's accruals, found made
    assert rest.accrued_minor == {"SGD": 3 * 25}  # only the rest moved now
    assert _transfers(world) == before + 5 + 1  # each loan's accrual; the provision raised
    assert _interest_owed(world, loans) == [25] * 5
    recorded = world.store.day_record(day)
    assert recorded is not None and recorded.made_before == 2

    assert world.run_day(day).recorded == recorded
    assert _transfers(world) == before + 5 + 1
    assert set(world.trial_balance().values()) == {0}

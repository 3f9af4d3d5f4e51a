"""A merchant's takings per UTC day, through a `TakingsBook`, on a real ledger: payments,
refunds and fees counted on their days, a hold only once captured, each line read once (the
book reads on from the newest line it counted), older days counted when asked for, and the
book's bounds on days and merchants."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest

from colony.chart import TransferCode
from colony.kernel.clock import NS_PER_S, ManualClock
from colony.ledger import Account, Ledger, StatementPage, Transfer, TransferFlags
from colony.merchants import DAY_NS, Takings, TakingsBook
from colony.storage.open import open_ledger

DAY_1 = 1_767_225_600 * NS_PER_S  # 2026-01-01, a UTC midnight
SHOP, PAYER, REVENUE, OTHER_SHOP = 1, 2, 3, 4
SGD = 702


class Counting:
    """The ledger, counting the statement lines it hands out."""

    def __init__(self, ledger: Ledger) -> None:
        self._ledger = ledger
        self.lines = 0

    def statement(self, account_id: int, **kwargs: int) -> StatementPage:
        page = self._ledger.statement(account_id, **kwargs)
        self.lines += len(page.lines)
        return page


@pytest.fixture
def shop(tmp_path: Path) -> Iterator[tuple[Ledger, ManualClock]]:
    clock = ManualClock(DAY_1 + 9 * 3_600 * NS_PER_S)
    ledger = open_ledger(f"sqlite:///{tmp_path / 'ledger.db'}", clock=clock)
    accounts = [Account(n, SGD, 1) for n in (SHOP, PAYER, REVENUE, OTHER_SHOP)]
    assert not any(ledger.create_accounts(accounts))
    yield ledger, clock
    ledger.close()


_ids = iter(range(100, 10_000))


def _pay(ledger: Ledger, amount: int, shop: int = SHOP, *, held: bool = False) -> int:
    flags = int(TransferFlags.pending) if held else 0
    pid = next(_ids)
    paid = Transfer(pid, PAYER, shop, amount, SGD, TransferCode.payment, flags)
    assert ledger.create_transfers([paid]) == [0]
    return pid


def _move(ledger: Ledger, code: TransferCode, debit: int, credit: int, amount: int) -> None:
    assert ledger.create_transfers([Transfer(next(_ids), debit, credit, amount, SGD, code)]) == [0]


def _figures(t: Takings) -> tuple[int, int, int, int, int]:
    return t.payments, t.gross_minor, t.refunds, t.refunded_minor, t.fees_minor


def test_each_day_counts_its_payments_refunds_and_fees(
    shop: tuple[Ledger, ManualClock],
) -> None:
    ledger, clock = shop
    book = TakingsBook(ledger)
    _pay(ledger, 1_000)
    _move(ledger, TransferCode.discount_fee, SHOP, REVENUE, 15)
    hold = _pay(ledger, 700, held=True)  # not money until captured
    _pay(ledger, 999, OTHER_SHOP)  # another shop's
    clock.advance(ns=DAY_NS)
    _move(ledger, TransferCode.refund, SHOP, PAYER, 400)
    capture = Transfer(
        next(_ids), 0, 0, 700, SGD, TransferCode.payment,
        int(TransferFlags.post_pending_transfer), hold,
    )  # fmt: skip
    assert ledger.create_transfers([capture]) == [0]
    today, yesterday = book.by_day(SHOP, DAY_1, 2)
    assert (yesterday.day_ns, _figures(yesterday)) == (DAY_1, (1, 1_000, 0, 0, 15))
    assert (today.day_ns, _figures(today)) == (DAY_1 + DAY_NS, (1, 700, 1, 400, 0))
    assert today.net_minor == 300
    assert _figures(book.since(SHOP, clock.now_ns())) == _figures(today)


def test_a_poll_reads_only_the_lines_written_since_the_last(
    shop: tuple[Ledger, ManualClock],
) -> None:
    ledger, clock = shop
    counting = Counting(ledger)
    book = TakingsBook(counting)  # type: ignore[arg-type]
    for _ in range(30):
        _pay(ledger, 100)
    assert book.since(SHOP, clock.now_ns()).payments == 30
    assert counting.lines == 30
    assert book.since(SHOP, clock.now_ns()).payments == 30  # nothing new: nothing read
    assert counting.lines == 30
    _pay(ledger, 250)
    assert _figures(book.since(SHOP, clock.now_ns()))[:2] == (31, 3_250)
    assert counting.lines == 31
    clock.advance(ns=DAY_NS)  # a new day starts empty, and yesterday stays counted
    assert book.since(SHOP, clock.now_ns()).payments == 0
    assert [t.payments for t in book.by_day(SHOP, DAY_1, 2)] == [0, 31]
    assert counting.lines == 31


def test_an_older_day_asked_for_is_counted_from_the_ledger(
    shop: tuple[Ledger, ManualClock],
) -> None:
    ledger, clock = shop
    _pay(ledger, 100)
    clock.advance(ns=DAY_NS)
    _pay(ledger, 200)
    book = TakingsBook(ledger)
    assert book.since(SHOP, clock.now_ns()).gross_minor == 200  # today's only
    assert [t.gross_minor for t in book.by_day(SHOP, DAY_1, 2)] == [200, 100]
    _pay(ledger, 50)
    assert [t.gross_minor for t in book.by_day(SHOP, DAY_1, 2)] == [250, 100]


def test_a_book_keeps_its_days_and_merchants_within_bounds(
    shop: tuple[Ledger, ManualClock],
) -> None:
    ledger, clock = shop
    counting = Counting(ledger)
    book = TakingsBook(counting, accounts_max=1, days_max=2)  # type: ignore[arg-type]
    for _ in range(3):
        _pay(ledger, 100)
        _pay(ledger, 10, OTHER_SHOP)
        clock.advance(ns=DAY_NS)
    with pytest.raises(ValueError, match="1 to 2"):
        book.by_day(SHOP, DAY_1, 3)
    assert [t.payments for t in book.by_day(SHOP, DAY_1 + DAY_NS, 2)] == [1, 1]
    assert [t.gross_minor for t in book.by_day(OTHER_SHOP, DAY_1, 2)] == [10, 10]
    read = counting.lines
    # The shop was forgotten for the other: counted again from the ledger, the same.
    assert [t.payments for t in book.by_day(SHOP, DAY_1 + DAY_NS, 2)] == [1, 1]
    assert counting.lines == read + 2

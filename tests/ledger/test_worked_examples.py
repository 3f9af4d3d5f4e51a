"""Worked examples: small accounting stories told in transfers, each ending in a trial balance.

Accounts are liabilities (wallets, merchants: what Colony owes them) or assets (the bank's
settlement account: what the bank holds for Colony). A liability's balance is its credits
less its debits; an asset's is its debits less its credits. Amounts are cents of USD.
"""

from __future__ import annotations

from collections.abc import Iterator

import pytest

from colony.kernel.clock import ManualClock
from colony.ledger import AMOUNT_MAX, Account, AccountFlags, Ledger, Transfer, TransferFlags
from colony.ledger.results import CreateTransferResult as RT
from colony.ledger.verify import verify
from colony.storage.open import open_ledger
from tests.ledger.engines import each_engine  # noqa: F401 - every test on both paths (ADR 0069)

USD = 840
BANK, REVENUE, EMPLOYER, ALICE, BOB, SHOP, LOANS = 1, 2, 3, 4, 5, 6, 7
WALLET = int(AccountFlags.debits_must_not_exceed_credits)
PENDING = int(TransferFlags.pending)
POST = int(TransferFlags.post_pending_transfer)
LINKED = int(TransferFlags.linked)
SALARY, P2P, PAYMENT, FEE, REFUND, TOP_UP, LOAN, REPAYMENT = range(1, 9)


@pytest.fixture
def book(journal_url: str) -> Iterator[tuple[Ledger, ManualClock]]:
    clock = ManualClock()
    ledger = open_ledger(journal_url, clock=clock, auto_pulse=False)
    accounts = [
        Account(BANK, USD, 10),
        Account(REVENUE, USD, 20),
        Account(EMPLOYER, USD, 30),
        Account(ALICE, USD, 30, WALLET),
        Account(BOB, USD, 30, WALLET),
        Account(SHOP, USD, 40),
        Account(LOANS, USD, 50),
    ]
    assert not any(ledger.create_accounts(accounts))
    yield ledger, clock
    ledger.close()


def pay(tid: int, dr: int, cr: int, cents: int, code: int, flags: int = 0, **kw: int) -> Transfer:
    return Transfer(tid, dr, cr, cents, USD, code, flags, **kw)


def liability(ledger: Ledger, account_id: int) -> int:
    a = ledger.lookup_accounts([account_id])[0]
    return a.credits_posted - a.debits_posted


def trial_balance(ledger: Ledger) -> None:
    (totals,) = ledger.totals()
    assert totals.debits_posted == totals.credits_posted
    assert totals.debits_pending == totals.credits_pending
    assert verify(*ledger.snapshot_for_verify()).ok


def test_salary_then_p2p(book: tuple[Ledger, ManualClock]) -> None:
    ledger, _ = book
    # The employer's salary arrives through the bank: the bank holds $2,500.00 more for us, and
    # we owe Alice $2,500.00.
    assert ledger.create_transfers([pay(1, BANK, ALICE, 250_000, SALARY)]) == [RT.ok]
    # Alice sends Bob $40.00.
    assert ledger.create_transfers([pay(2, ALICE, BOB, 4_000, P2P)]) == [RT.ok]
    assert liability(ledger, ALICE) == 246_000
    assert liability(ledger, BOB) == 4_000
    assert -liability(ledger, BANK) == 250_000  # the asset side: what the bank holds
    trial_balance(ledger)


def test_qr_payment_with_fee_and_partial_refund(book: tuple[Ledger, ManualClock]) -> None:
    ledger, _ = book
    ledger.create_transfers([pay(1, BANK, ALICE, 10_000, TOP_UP)])
    # Alice pays the shop $60.00 by QR; the shop's 2.5% discount fee ($1.50) goes to revenue in
    # the same chain: both or neither.
    chain = [pay(2, ALICE, SHOP, 6_000, PAYMENT, LINKED), pay(3, SHOP, REVENUE, 150, FEE)]
    assert ledger.create_transfers(chain) == [RT.ok, RT.ok]
    # The shop refunds $20.00: a new transfer pointing at the payment, never an edit of it.
    refund = pay(4, SHOP, ALICE, 2_000, REFUND, user_data_128=2)
    assert ledger.create_transfers([refund]) == [RT.ok]
    assert liability(ledger, ALICE) == 10_000 - 6_000 + 2_000
    assert liability(ledger, SHOP) == 6_000 - 150 - 2_000
    assert liability(ledger, REVENUE) == 150
    assert ledger.lookup_transfers([4])[0].user_data_128 == 2
    trial_balance(ledger)


def test_card_top_up_is_held_until_the_issuer_confirms(book: tuple[Ledger, ManualClock]) -> None:
    ledger, _ = book
    hold = pay(1, BANK, BOB, 5_000, TOP_UP, PENDING, timeout=300)
    assert ledger.create_transfers([hold]) == [RT.ok]
    # While held, Bob cannot spend it: pending credits do not count toward his limit.
    assert ledger.create_transfers([pay(2, BOB, SHOP, 100, PAYMENT)]) == [RT.exceeds_credits]
    confirm = Transfer(3, 0, 0, AMOUNT_MAX, 0, 0, POST, pending_id=1)
    assert ledger.create_transfers([confirm]) == [RT.ok]
    assert liability(ledger, BOB) == 5_000
    assert ledger.create_transfers([pay(4, BOB, SHOP, 100, PAYMENT)]) == [RT.ok]
    trial_balance(ledger)


def test_unconfirmed_hold_expires(book: tuple[Ledger, ManualClock]) -> None:
    ledger, clock = book
    ledger.create_transfers([pay(1, BANK, ALICE, 5_000, TOP_UP)])
    # The shop authorises $30.00 for a taxi ride that never happens.
    assert ledger.create_transfers([pay(2, ALICE, SHOP, 3_000, PAYMENT, PENDING, timeout=60)]) == [
        RT.ok
    ]
    alice = ledger.lookup_accounts([ALICE])[0]
    assert alice.debits_pending == 3_000
    clock.advance(61)
    assert ledger.pulse() == 1
    alice = ledger.lookup_accounts([ALICE])[0]
    assert (alice.debits_pending, liability(ledger, ALICE)) == (0, 5_000)
    late = Transfer(3, 0, 0, AMOUNT_MAX, 0, 0, POST, pending_id=2)
    assert ledger.create_transfers([late]) == [RT.pending_transfer_expired]
    trial_balance(ledger)


def test_instalment_loan_disbursed_and_repaid(book: tuple[Ledger, ManualClock]) -> None:
    ledger, clock = book
    # Colony lends Bob $300.00: the loan book (an asset) is debited, Bob's wallet credited.
    assert ledger.create_transfers([pay(1, LOANS, BOB, 30_000, LOAN)]) == [RT.ok]
    # Three instalments of $100.00 plus $2.00 interest each, a month apart; each instalment is
    # a chain: principal back to the loan book, interest to revenue.
    tid = 10
    for _ in range(3):
        clock.advance(30 * 86_400)
        chain = [
            pay(tid, BOB, LOANS, 10_000, REPAYMENT, LINKED),
            pay(tid + 1, BOB, REVENUE, 200, FEE),
        ]
        if liability(ledger, BOB) < 10_200:
            ledger.create_transfers([pay(tid + 2, EMPLOYER, BOB, 5_000, SALARY)])
        assert ledger.create_transfers(chain) == [RT.ok, RT.ok]
        tid += 10
    loans = ledger.lookup_accounts([LOANS])[0]
    assert loans.debits_posted == loans.credits_posted == 30_000  # repaid in full
    assert liability(ledger, REVENUE) == 600
    # The statement of the loan book reads like the schedule.
    lines = ledger.statement(LOANS, limit=10).lines
    assert [line.transfer.amount for line in lines] == [30_000, 10_000, 10_000, 10_000]
    assert [line.balance.debits_posted - line.balance.credits_posted for line in lines] == [
        30_000,
        20_000,
        10_000,
        0,
    ]
    trial_balance(ledger)

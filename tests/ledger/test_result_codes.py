"""Table tests: one row per event with the result the ledger must give, in precedence order.

Every row runs on a fresh database holding the same small world (see `world`), so each row
reads on its own. Precedence rows break two rules at once and expect the earlier one.
"""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass, replace
from pathlib import Path

import pytest

from colony.kernel.clock import NS_PER_S, ManualClock
from colony.kernel.errors import StorageUnavailable
from colony.ledger import AMOUNT_MAX, Account, Ledger, Transfer, TransferPendingStatus
from colony.ledger.model import AccountFlags as AF
from colony.ledger.model import TransferFlags as TF
from colony.ledger.results import CreateAccountResult as RA
from colony.ledger.results import CreateTransferResult as RT
from colony.storage.open import open_ledger

MAX = 2**128 - 1
PENDING, POST, VOID = int(TF.pending), int(TF.post_pending_transfer), int(TF.void_pending_transfer)
LINKED, IMPORTED = int(TF.linked), int(TF.imported)
START_NS = 1_767_225_600 * NS_PER_S

# The world: 1 a wallet holding 100 (may not go below zero); 2 may not be credited past its
# debits; 3 is on ledger 2; 4 and 5 are open; 6 is closed by pending transfer 60; 7 and 8 sit
# near the u128 ceiling (credits and debits posted MAX - 10, 5 more pending each).
WORLD_ACCOUNTS = [
    Account(1, 1, 1, int(AF.debits_must_not_exceed_credits)),
    Account(2, 1, 1, int(AF.credits_must_not_exceed_debits)),
    Account(3, 2, 1),
    Account(4, 1, 1),
    Account(5, 1, 1),
    Account(6, 1, 1),
    Account(7, 1, 1),
    Account(8, 1, 1),
]
WORLD_TRANSFERS = [
    Transfer(50, 4, 1, 100, 1, 1, user_data_128=1, user_data_64=2, user_data_32=3),
    Transfer(51, 4, 5, 30, 1, 1, PENDING),
    Transfer(52, 4, 5, 10, 1, 1, PENDING, timeout=1),
    Transfer(53, 4, 5, 10, 1, 1, PENDING),
    Transfer(54, 0, 0, AMOUNT_MAX, 0, 0, POST, pending_id=53),
    Transfer(55, 4, 5, 10, 1, 1, PENDING),
    Transfer(56, 0, 0, 0, 0, 0, VOID, pending_id=55),
    Transfer(60, 6, 4, 1, 1, 1, PENDING | int(TF.closing_debit)),
    Transfer(70, 8, 7, MAX - 10, 1, 1),
    Transfer(71, 8, 4, 5, 1, 1, PENDING),
    Transfer(72, 4, 7, 5, 1, 1, PENDING),
]
TRANSIENT = Transfer(80, 1, 4, 10_000, 1, 1)  # exceeds_credits: burns id 80


@dataclass
class World:
    ledger: Ledger
    clock: ManualClock


def build_world(url: str, start_ns: int = START_NS) -> World:
    clock = ManualClock(start_ns)
    ledger = open_ledger(url, clock=clock, auto_pulse=False)
    assert not any(ledger.create_accounts([replace(a) for a in WORLD_ACCOUNTS]))
    assert not any(ledger.create_transfers([replace(t) for t in WORLD_TRANSFERS]))
    assert ledger.create_transfers([replace(TRANSIENT)]) == [RT.exceeds_credits]
    clock.advance(0.5)
    return World(ledger, clock)


@pytest.fixture
def world(journal_url: str) -> Iterator[World]:
    w = build_world(journal_url)
    yield w
    w.ledger.close()


def T(id: int, dr: int = 4, cr: int = 5, amount: int = 1, **kw: int) -> Transfer:
    return Transfer(id, dr, cr, amount, kw.pop("ledger", 1), kw.pop("code", 1), **kw)


def post(id: int, pending_id: int, amount: int = AMOUNT_MAX, **kw: int) -> Transfer:
    return Transfer(
        id,
        kw.pop("dr", 0),
        kw.pop("cr", 0),
        amount,
        kw.pop("ledger", 0),
        kw.pop("code", 0),
        POST,
        pending_id=pending_id,
        **kw,
    )


def void(id: int, pending_id: int, amount: int = 0, **kw: int) -> Transfer:
    return Transfer(
        id,
        kw.pop("dr", 0),
        kw.pop("cr", 0),
        amount,
        kw.pop("ledger", 0),
        kw.pop("code", 0),
        VOID,
        pending_id=pending_id,
        **kw,
    )


FUNDING = WORLD_TRANSFERS[0]

TRANSFER_ROWS: list[tuple[str, Transfer, RT]] = [
    ("ok", T(100), RT.ok),
    ("timestamp_must_be_zero", T(100, timestamp=5), RT.timestamp_must_be_zero),
    (
        "imported_event_timestamp_out_of_range",
        T(100, flags=IMPORTED, timestamp=0),
        RT.imported_event_timestamp_out_of_range,
    ),
    (
        "imported_event_timestamp_must_not_advance",
        T(100, flags=IMPORTED, timestamp=START_NS + 100 * NS_PER_S),
        RT.imported_event_timestamp_must_not_advance,
    ),
    ("reserved_flag", T(100, flags=1 << 12), RT.reserved_flag),
    ("id_must_not_be_zero", T(0), RT.id_must_not_be_zero),
    ("id_must_not_be_int_max", T(MAX), RT.id_must_not_be_int_max),
    (
        "exists_with_different_flags",
        replace(FUNDING, flags=PENDING),
        RT.exists_with_different_flags,
    ),
    (
        "exists_with_different_pending_id",
        replace(FUNDING, pending_id=3),
        RT.exists_with_different_pending_id,
    ),
    (
        "exists_with_different_timeout",
        replace(FUNDING, timeout=1),
        RT.exists_with_different_timeout,
    ),
    (
        "exists_with_different_debit_account_id",
        replace(FUNDING, debit_account_id=5),
        RT.exists_with_different_debit_account_id,
    ),
    (
        "exists_with_different_credit_account_id",
        replace(FUNDING, credit_account_id=2),
        RT.exists_with_different_credit_account_id,
    ),
    ("exists_with_different_amount", replace(FUNDING, amount=99), RT.exists_with_different_amount),
    (
        "exists_with_different_user_data_128",
        replace(FUNDING, user_data_128=9),
        RT.exists_with_different_user_data_128,
    ),
    (
        "exists_with_different_user_data_64",
        replace(FUNDING, user_data_64=9),
        RT.exists_with_different_user_data_64,
    ),
    (
        "exists_with_different_user_data_32",
        replace(FUNDING, user_data_32=9),
        RT.exists_with_different_user_data_32,
    ),
    ("exists_with_different_ledger", replace(FUNDING, ledger=2), RT.exists_with_different_ledger),
    ("exists_with_different_code", replace(FUNDING, code=2), RT.exists_with_different_code),
    ("exists", replace(FUNDING), RT.exists),
    ("exists (post, accounts left out)", post(54, 53), RT.exists),
    ("id_already_failed", replace(TRANSIENT), RT.id_already_failed),
    ("flags_are_mutually_exclusive", T(100, flags=PENDING | POST), RT.flags_are_mutually_exclusive),
    (
        "flags_are_mutually_exclusive (balancing and void)",
        Transfer(100, 0, 0, 0, 0, 0, VOID | int(TF.balancing_debit), pending_id=51),
        RT.flags_are_mutually_exclusive,
    ),
    ("debit_account_id_must_not_be_zero", T(100, dr=0), RT.debit_account_id_must_not_be_zero),
    (
        "debit_account_id_must_not_be_int_max",
        T(100, dr=MAX),
        RT.debit_account_id_must_not_be_int_max,
    ),
    ("credit_account_id_must_not_be_zero", T(100, cr=0), RT.credit_account_id_must_not_be_zero),
    (
        "credit_account_id_must_not_be_int_max",
        T(100, cr=MAX),
        RT.credit_account_id_must_not_be_int_max,
    ),
    ("accounts_must_be_different", T(100, dr=4, cr=4), RT.accounts_must_be_different),
    ("pending_id_must_be_zero", T(100, pending_id=51), RT.pending_id_must_be_zero),
    ("pending_id_must_not_be_zero", post(100, 0), RT.pending_id_must_not_be_zero),
    ("pending_id_must_not_be_int_max", post(100, MAX), RT.pending_id_must_not_be_int_max),
    ("pending_id_must_be_different", post(100, 100), RT.pending_id_must_be_different),
    (
        "timeout_reserved_for_pending_transfer",
        T(100, timeout=5),
        RT.timeout_reserved_for_pending_transfer,
    ),
    (
        "timeout_reserved_for_pending_transfer (post)",
        post(100, 51, timeout=5),
        RT.timeout_reserved_for_pending_transfer,
    ),
    (
        "closing_transfer_must_be_pending",
        T(100, flags=int(TF.closing_debit)),
        RT.closing_transfer_must_be_pending,
    ),
    ("ledger_must_not_be_zero", T(100, ledger=0), RT.ledger_must_not_be_zero),
    ("code_must_not_be_zero", T(100, code=0), RT.code_must_not_be_zero),
    ("debit_account_not_found", T(100, dr=99), RT.debit_account_not_found),
    ("credit_account_not_found", T(100, cr=99), RT.credit_account_not_found),
    ("accounts_must_have_the_same_ledger", T(100, cr=3), RT.accounts_must_have_the_same_ledger),
    (
        "transfer_must_have_the_same_ledger_as_accounts",
        T(100, ledger=2),
        RT.transfer_must_have_the_same_ledger_as_accounts,
    ),
    ("pending_transfer_not_found", post(100, 999), RT.pending_transfer_not_found),
    ("pending_transfer_not_pending", post(100, 50), RT.pending_transfer_not_pending),
    (
        "pending_transfer_has_different_debit_account_id",
        post(100, 51, dr=1),
        RT.pending_transfer_has_different_debit_account_id,
    ),
    (
        "pending_transfer_has_different_credit_account_id",
        post(100, 51, cr=1),
        RT.pending_transfer_has_different_credit_account_id,
    ),
    (
        "pending_transfer_has_different_ledger",
        post(100, 51, ledger=2),
        RT.pending_transfer_has_different_ledger,
    ),
    (
        "pending_transfer_has_different_code",
        post(100, 51, code=2),
        RT.pending_transfer_has_different_code,
    ),
    (
        "exceeds_pending_transfer_amount",
        post(100, 51, amount=31),
        RT.exceeds_pending_transfer_amount,
    ),
    (
        "exceeds_pending_transfer_amount: a void of more than is pending",
        void(100, 51, amount=31),
        RT.exceeds_pending_transfer_amount,
    ),
    (
        "pending_transfer_has_different_amount",
        void(100, 51, amount=5),
        RT.pending_transfer_has_different_amount,
    ),
    ("pending_transfer_already_posted", post(100, 53), RT.pending_transfer_already_posted),
    ("pending_transfer_already_voided", post(100, 55), RT.pending_transfer_already_voided),
    (
        "imported_event_timeout_must_be_zero",
        T(100, flags=IMPORTED | PENDING, timestamp=START_NS + 400_000_000, timeout=1),
        RT.imported_event_timeout_must_be_zero,
    ),
    (
        "imported_event_timestamp_must_not_regress",
        T(100, flags=IMPORTED, timestamp=START_NS - 1),
        RT.imported_event_timestamp_must_not_regress,
    ),
    ("debit_account_already_closed", T(100, dr=6), RT.debit_account_already_closed),
    ("credit_account_already_closed", T(100, cr=6), RT.credit_account_already_closed),
    (
        "overflows_debits_pending",
        T(100, dr=4, cr=1, amount=MAX, flags=PENDING),
        RT.overflows_debits_pending,
    ),
    (
        "overflows_credits_pending",
        T(100, dr=1, cr=5, amount=MAX, flags=PENDING),
        RT.overflows_credits_pending,
    ),
    ("overflows_debits_posted", T(100, dr=8, cr=4, amount=11), RT.overflows_debits_posted),
    ("overflows_credits_posted", T(100, dr=4, cr=7, amount=11), RT.overflows_credits_posted),
    ("overflows_debits", T(100, dr=8, cr=4, amount=6), RT.overflows_debits),
    ("overflows_credits", T(100, dr=5, cr=7, amount=6), RT.overflows_credits),
    ("exceeds_credits", T(100, dr=1, cr=4, amount=101), RT.exceeds_credits),
    ("exceeds_debits", T(100, dr=4, cr=2, amount=1), RT.exceeds_debits),
    # Precedence: two rules broken at once, the earlier one wins.
    ("precedence: timestamp before id", T(0, timestamp=5), RT.timestamp_must_be_zero),
    ("precedence: reserved flag before id", T(0, flags=1 << 12), RT.reserved_flag),
    ("precedence: id before overflow", T(0, dr=8, cr=4, amount=MAX), RT.id_must_not_be_zero),
    (
        "precedence: exists before missing accounts",
        replace(FUNDING, debit_account_id=99, credit_account_id=98),
        RT.exists_with_different_debit_account_id,
    ),
    (
        "precedence: id_already_failed before shape",
        replace(TRANSIENT, debit_account_id=0),
        RT.id_already_failed,
    ),
    (
        "precedence: flags before debit id",
        Transfer(100, 0, 5, 1, 1, 1, PENDING | VOID),
        RT.flags_are_mutually_exclusive,
    ),
    ("precedence: shape before lookups", T(100, dr=99, ledger=0), RT.ledger_must_not_be_zero),
    ("precedence: debit before credit not found", T(100, dr=99, cr=98), RT.debit_account_not_found),
    (
        "precedence: same ledger before closed",
        T(100, dr=6, cr=3),
        RT.accounts_must_have_the_same_ledger,
    ),
    (
        "precedence: amount before status",
        post(100, 53, amount=11),
        RT.exceeds_pending_transfer_amount,
    ),
    (
        "precedence: posted overflow before limits",
        T(100, dr=8, cr=2, amount=11),
        RT.overflows_debits_posted,
    ),
    (
        "precedence: exceeds_credits before exceeds_debits",
        T(100, dr=1, cr=2, amount=101),
        RT.exceeds_credits,
    ),
]


@pytest.mark.parametrize(
    ("event", "expected"),
    [(e, r) for _, e, r in TRANSFER_ROWS],
    ids=[name for name, _, _ in TRANSFER_ROWS],
)
def test_transfer_result(world: World, event: Transfer, expected: RT) -> None:
    before = world.ledger.lookup_accounts(list(range(1, 9)))
    assert world.ledger.create_transfers([event]) == [expected]
    if expected is not RT.ok:
        assert world.ledger.lookup_accounts(list(range(1, 9))) == before, "a failure moved money"


def test_pending_transfer_expired(world: World) -> None:
    world.clock.advance(1.0)  # hold 52 had a 1 s timeout
    assert world.ledger.create_transfers([post(100, 52)]) == [RT.pending_transfer_expired]
    assert world.ledger.pending_status(52) is TransferPendingStatus.expired


def test_expiry_falls_exactly_on_the_deadline(tmp_path: Path) -> None:
    clock = ManualClock(START_NS)
    ledger = open_ledger(f"sqlite:///{tmp_path}/e.db", clock=clock, auto_pulse=False)
    try:
        ledger.create_accounts([Account(1, 1, 1), Account(2, 1, 1)])
        clock.advance(1.0)  # the next batch's first event gets exactly the clock's time
        assert ledger.create_transfers([T(10, 1, 2, 5, flags=PENDING, timeout=2)]) == [RT.ok]
        held = ledger.lookup_transfers([10])[0]
        assert held.timestamp == clock.now_ns()
        clock.advance(2.0, ns=-1)
        assert ledger.pulse() == 0, "one nanosecond before the deadline it still holds"
        clock.advance(ns=1)
        assert ledger.pulse() == 1, "at the deadline it expires"
        assert ledger.lookup_accounts([1])[0].debits_pending == 0
        assert ledger.expired_at(10) == held.timestamp + 2 * NS_PER_S
    finally:
        ledger.close()


def test_a_clock_out_of_range_stops_the_ledger_cleanly(tmp_path: Path) -> None:
    clock = ManualClock(2**63)
    ledger = open_ledger(f"sqlite:///{tmp_path}/c.db", clock=clock, auto_pulse=False)
    try:
        with pytest.raises(StorageUnavailable, match="outside 1"):
            ledger.create_accounts([Account(1, 1, 1)])
        with pytest.raises(StorageUnavailable):
            ledger.create_accounts([Account(1, 1, 1)])
    finally:
        ledger.close()


def test_imported_batches_must_agree(world: World) -> None:
    stamp = START_NS + 400_000_000
    mixed = [T(100, flags=IMPORTED, timestamp=stamp), T(101)]
    assert world.ledger.create_transfers(mixed) == [RT.ok, RT.imported_event_expected]
    assert world.ledger.lookup_transfers([100])[0].timestamp == stamp
    mixed = [T(102), T(103, flags=IMPORTED, timestamp=stamp + 1)]
    assert world.ledger.create_transfers(mixed) == [RT.ok, RT.imported_event_not_expected]


def test_imported_account_batches_must_agree(world: World) -> None:
    stamp = START_NS + 400_000_000
    batch = [Account(20, 1, 1, int(AF.imported), timestamp=stamp), Account(21, 1, 1)]
    assert world.ledger.create_accounts(batch) == [RA.ok, RA.imported_event_expected]
    batch = [Account(22, 1, 1), Account(23, 1, 1, int(AF.imported), timestamp=stamp + 1)]
    assert world.ledger.create_accounts(batch) == [RA.ok, RA.imported_event_not_expected]
    assert world.ledger.lookup_accounts([20])[0].timestamp == stamp


def test_every_transfer_result_is_covered() -> None:
    """Every result has a row above or a test below, except the two an imported transfer gets
    when it predates one of its accounts, which need imported accounts of their own
    (test_rules.py::test_imported_transfers_follow_the_last_transfer_not_the_last_account)."""
    elsewhere = {
        RT.imported_event_timestamp_must_postdate_debit_account,
        RT.imported_event_timestamp_must_postdate_credit_account,
    }
    covered = {r for _, _, r in TRANSFER_ROWS} | {
        RT.pending_transfer_expired,
        RT.overflows_timeout,
        RT.imported_event_expected,
        RT.imported_event_not_expected,
        RT.linked_event_failed,
        RT.linked_event_chain_open,
    }
    assert set(RT) - covered == elsewhere


ACCOUNT_ROWS: list[tuple[str, Account, RA]] = [
    ("ok", Account(20, 1, 1), RA.ok),
    ("timestamp_must_be_zero", Account(20, 1, 1, timestamp=5), RA.timestamp_must_be_zero),
    ("reserved_field", Account(20, 1, 1, reserved=1), RA.reserved_field),
    ("reserved_flag", Account(20, 1, 1, 1 << 9), RA.reserved_flag),
    ("id_must_not_be_zero", Account(0, 1, 1), RA.id_must_not_be_zero),
    ("id_must_not_be_int_max", Account(MAX, 1, 1), RA.id_must_not_be_int_max),
    ("exists_with_different_flags", Account(1, 1, 1), RA.exists_with_different_flags),
    (
        "exists_with_different_user_data_128",
        Account(4, 1, 1, user_data_128=1),
        RA.exists_with_different_user_data_128,
    ),
    (
        "exists_with_different_user_data_64",
        Account(4, 1, 1, user_data_64=1),
        RA.exists_with_different_user_data_64,
    ),
    (
        "exists_with_different_user_data_32",
        Account(4, 1, 1, user_data_32=1),
        RA.exists_with_different_user_data_32,
    ),
    ("exists_with_different_ledger", Account(4, 2, 1), RA.exists_with_different_ledger),
    ("exists_with_different_code", Account(4, 1, 2), RA.exists_with_different_code),
    ("exists", Account(4, 1, 1), RA.exists),
    ("exists (an account closed since)", Account(6, 1, 1), RA.exists),
    (
        "flags_are_mutually_exclusive",
        Account(
            20, 1, 1, int(AF.debits_must_not_exceed_credits | AF.credits_must_not_exceed_debits)
        ),
        RA.flags_are_mutually_exclusive,
    ),
    (
        "debits_pending_must_be_zero",
        Account(20, 1, 1, debits_pending=1),
        RA.debits_pending_must_be_zero,
    ),
    (
        "debits_posted_must_be_zero",
        Account(20, 1, 1, debits_posted=1),
        RA.debits_posted_must_be_zero,
    ),
    (
        "credits_pending_must_be_zero",
        Account(20, 1, 1, credits_pending=1),
        RA.credits_pending_must_be_zero,
    ),
    (
        "credits_posted_must_be_zero",
        Account(20, 1, 1, credits_posted=1),
        RA.credits_posted_must_be_zero,
    ),
    ("ledger_must_not_be_zero", Account(20, 0, 1), RA.ledger_must_not_be_zero),
    ("code_must_not_be_zero", Account(20, 1, 0), RA.code_must_not_be_zero),
    (
        "imported_event_timestamp_out_of_range",
        Account(20, 1, 1, int(AF.imported), timestamp=0),
        RA.imported_event_timestamp_out_of_range,
    ),
    (
        "imported_event_timestamp_must_not_advance",
        Account(20, 1, 1, int(AF.imported), timestamp=START_NS + 100 * NS_PER_S),
        RA.imported_event_timestamp_must_not_advance,
    ),
    (
        "imported_event_timestamp_must_not_regress",
        Account(20, 1, 1, int(AF.imported), timestamp=START_NS),
        RA.imported_event_timestamp_must_not_regress,
    ),
    ("precedence: id before existence", Account(0, 2, 2), RA.id_must_not_be_zero),
    ("precedence: exists before balances", Account(4, 1, 1, debits_posted=1), RA.exists),
    (
        "precedence: flags before balances",
        Account(
            20,
            1,
            1,
            int(AF.debits_must_not_exceed_credits | AF.credits_must_not_exceed_debits),
            debits_posted=1,
        ),
        RA.flags_are_mutually_exclusive,
    ),
]


@pytest.mark.parametrize(
    ("event", "expected"),
    [(e, r) for _, e, r in ACCOUNT_ROWS],
    ids=[name for name, _, _ in ACCOUNT_ROWS],
)
def test_account_result(world: World, event: Account, expected: RA) -> None:
    assert world.ledger.create_accounts([event]) == [expected]
    found = world.ledger.lookup_accounts([20])
    assert bool(found) == (expected is RA.ok and event.id == 20)


def test_account_results_are_all_covered() -> None:
    covered = {r for _, _, r in ACCOUNT_ROWS} | {
        RA.linked_event_failed,
        RA.linked_event_chain_open,
        RA.imported_event_expected,
        RA.imported_event_not_expected,
    }
    assert covered == set(RA)


# ---------------------------------------------------------------------------------- chains


def test_failed_chain_is_taken_back_whole(world: World) -> None:
    chain = [
        T(100, 4, 5, 7, flags=LINKED),
        T(101, 5, 1, 3, flags=LINKED),
        T(102, 1, 4, 1000, flags=LINKED),  # exceeds_credits
        T(103, 4, 5, 1),  # the chain's last event
        T(104, 4, 5, 2),  # not in the chain
    ]
    before = world.ledger.lookup_accounts([1, 4, 5])
    assert world.ledger.create_transfers(chain) == [
        RT.linked_event_failed,
        RT.linked_event_failed,
        RT.exceeds_credits,
        RT.linked_event_failed,
        RT.ok,
    ]
    assert [t.id for t in world.ledger.lookup_transfers([100, 101, 102, 103, 104])] == [104]
    after = world.ledger.lookup_accounts([1, 4, 5])
    assert after[0] == before[0]
    assert after[1].debits_posted == before[1].debits_posted + 2
    # The chain-mates' ids are free again; the transient failure's id is burnt.
    assert world.ledger.create_transfers([T(100, 4, 5, 7), T(102, 1, 4, 1)]) == [
        RT.ok,
        RT.id_already_failed,
    ]


def test_chain_open_at_the_end_fails(world: World) -> None:
    assert world.ledger.create_transfers([T(100, flags=LINKED), T(101, flags=LINKED)]) == [
        RT.linked_event_failed,
        RT.linked_event_chain_open,
    ]
    assert world.ledger.lookup_transfers([100, 101]) == []


def test_exists_fails_a_chain(world: World) -> None:
    assert world.ledger.create_transfers([replace(FUNDING, flags=LINKED), T(100)]) == [
        RT.exists_with_different_flags,
        RT.linked_event_failed,
    ]


def test_account_chain(world: World) -> None:
    chain = [Account(20, 1, 1, int(AF.linked)), Account(21, 1, 0)]
    assert world.ledger.create_accounts(chain) == [RA.linked_event_failed, RA.code_must_not_be_zero]
    assert world.ledger.lookup_accounts([20, 21]) == []
    assert world.ledger.create_accounts([Account(20, 1, 1, int(AF.linked))]) == [
        RA.linked_event_chain_open
    ]


# ---------------------------------------------------------------------------------- effects


def test_idempotent_retry_moves_money_once(world: World) -> None:
    assert world.ledger.create_transfers([T(100, 4, 5, 9)]) == [RT.ok]
    assert world.ledger.create_transfers([T(100, 4, 5, 9)]) == [RT.exists]
    assert world.ledger.lookup_accounts([5])[0].credits_posted == 9 + 10  # 10 from post 54


def test_partial_post_returns_the_rest(world: World) -> None:
    assert world.ledger.create_transfers([post(100, 51, amount=12)]) == [RT.ok]
    four, five = world.ledger.lookup_accounts([4, 5])
    assert (four.debits_pending, five.credits_pending) == (10 + 5 + 1 - 1, 10)  # 52, 71/72, 60 gone
    assert world.ledger.lookup_transfers([100])[0].amount == 12
    assert world.ledger.pending_status(51) is TransferPendingStatus.posted


def test_void_returns_everything(world: World) -> None:
    five_before = world.ledger.lookup_accounts([5])[0]
    assert world.ledger.create_transfers([void(100, 51)]) == [RT.ok]
    five = world.ledger.lookup_accounts([5])[0]
    assert five.credits_pending == five_before.credits_pending - 30
    assert five.credits_posted == five_before.credits_posted
    assert world.ledger.lookup_transfers([100])[0].amount == 30


def test_balancing_debit_clamps_to_what_the_wallet_holds(world: World) -> None:
    sweep = T(100, 1, 4, AMOUNT_MAX, flags=int(TF.balancing_debit))
    assert world.ledger.create_transfers([sweep]) == [RT.ok]
    assert world.ledger.lookup_transfers([100])[0].amount == 100
    wallet = world.ledger.lookup_accounts([1])[0]
    assert wallet.credits_posted - wallet.debits_posted == 0


def test_balancing_credit_counts_held_credits(world: World) -> None:
    # Account 2 may not be credited past its debits: debit it 10, hold 4 of credit, then a
    # balancing credit may move only the remaining 6.
    assert world.ledger.create_transfers([T(100, 2, 4, 10), T(101, 4, 2, 4, flags=PENDING)]) == [
        RT.ok,
        RT.ok,
    ]
    fill = T(102, 5, 2, 50, flags=int(TF.balancing_credit))
    assert world.ledger.create_transfers([fill]) == [RT.ok]
    assert world.ledger.lookup_transfers([102])[0].amount == 6


def test_closing_and_reopening(world: World) -> None:
    assert world.ledger.create_transfers([T(100, dr=6, cr=5)]) == [RT.debit_account_already_closed]
    assert world.ledger.create_transfers([void(101, 60)]) == [RT.ok]
    assert not world.ledger.lookup_accounts([6])[0].flags & AF.closed
    assert world.ledger.create_transfers([T(102, dr=6, cr=5)]) == [RT.ok]


def test_an_expired_closing_transfer_opens_the_account_again(world: World) -> None:
    close = T(100, dr=5, cr=4, flags=PENDING | int(TF.closing_debit), timeout=1)
    assert world.ledger.create_transfers([close]) == [RT.ok]
    assert world.ledger.create_transfers([T(101, dr=5, cr=4)]) == [RT.debit_account_already_closed]
    world.clock.advance(2)
    assert world.ledger.pulse() == 2  # hold 52 (1 s) and the closing transfer
    assert not world.ledger.lookup_accounts([5])[0].flags & AF.closed
    assert world.ledger.create_transfers([T(102, dr=5, cr=4)]) == [RT.ok]


def test_last_linked_event_is_chain_open_even_after_the_chain_failed(world: World) -> None:
    chain = [T(100, dr=4, cr=4, flags=LINKED), T(101, flags=LINKED)]
    assert world.ledger.create_transfers(chain) == [
        RT.accounts_must_be_different,
        RT.linked_event_chain_open,
    ]

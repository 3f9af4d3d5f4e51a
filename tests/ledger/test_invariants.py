"""Each invariant the state machine asserts fires on a state corrupted to break it.

A correct ledger never breaks them, so each test corrupts a state by hand, the way a bug
would, and shows the check names what went wrong. The checks raise `InvariantBroken`
explicitly, so `python -O` keeps them (the last test proves it in such a process).
"""

from __future__ import annotations

import subprocess
import sys
from collections.abc import Callable, Iterator
from dataclasses import replace

import pytest

from colony.kernel.clock import NS_PER_S, ManualClock
from colony.kernel.errors import StorageUnavailable
from colony.ledger import Account, Transfer, invariants
from colony.ledger.accounts import create_accounts
from colony.ledger.history import Expiry
from colony.ledger.invariants import InvariantBroken, check_batch, check_limits, check_state
from colony.ledger.model import AccountFlags as AF
from colony.ledger.model import TransferFlags as TF
from colony.ledger.state import LedgerState, expire_pending
from colony.ledger.transfers import create_transfers
from colony.storage.open import open_ledger

START_NS = 1_767_225_600 * NS_PER_S
PENDING = int(TF.pending)


def _state() -> LedgerState:
    """Accounts 1 (may not be overdrawn) and 2 (may not be credited past its debits), 3 and
    4 on ledger 1, 5 on ledger 2; 3 paid 1 100 and holds 10 for 4, pending for 1 s."""
    state = LedgerState()
    accounts = [
        Account(1, 1, 1, int(AF.debits_must_not_exceed_credits)),
        Account(2, 1, 1, int(AF.credits_must_not_exceed_debits)),
        Account(3, 1, 1),
        Account(4, 1, 1),
        Account(5, 2, 1),
    ]
    assert not any(create_accounts(state, accounts, START_NS))
    transfers = [
        Transfer(10, 3, 1, 100, 1, 1),
        Transfer(11, 3, 4, 10, 1, 1, PENDING, timeout=1),
        Transfer(12, 2, 3, 7, 1, 1),
    ]
    assert not any(create_transfers(state, transfers, START_NS + 1000))
    check_state(state)
    return state


@pytest.fixture
def state() -> Iterator[LedgerState]:
    yield _state()


def _corrupt(state: LedgerState, account_id: int, **fields: int) -> None:
    a = state.accounts[account_id]
    for name, value in fields.items():
        setattr(a, name, value)


CORRUPTIONS: list[tuple[str, Callable[[LedgerState], None], str]] = [
    ("debits past credits", lambda s: _corrupt(s, 1, debits_posted=101), "debits exceed"),
    ("credits past debits", lambda s: _corrupt(s, 2, credits_posted=8), "credits exceed"),
    ("negative pending", lambda s: _corrupt(s, 4, credits_pending=-1), "-1 is outside u128"),
    (
        "debits not credits",
        lambda s: _corrupt(s, 4, credits_posted=1),
        "ledger 1: debits",
    ),
    (
        "pending not held",
        lambda s: (_corrupt(s, 3, debits_pending=11), _corrupt(s, 4, credits_pending=11)),
        "pending balances",
    ),
    ("outside u128", lambda s: _corrupt(s, 5, debits_posted=2**128), "outside u128"),
    (
        "debits overflow",
        lambda s: (
            _corrupt(s, 3, debits_posted=2**128 - 5),
            _corrupt(s, 4, credits_posted=2**128 - 5 - 110 + 7),
        ),
        "overflow",
    ),
    (
        "history out of order",
        lambda s: s.accounts[3].lines.reverse(),
        "out of time order",
    ),
    ("account timestamps", lambda s: s.account_timestamps.pop(), "account timestamps"),
    ("sums not kept", lambda s: s.sums[2, 1].__setitem__(2, 5), "sums kept"),
    ("sums not shared", lambda s: setattr(s.accounts[4], "sums", [1, 0, 0, 0, 0]), "other sums"),
]


@pytest.mark.parametrize(
    ("corrupt", "says"),
    [pytest.param(c, says, id=name) for name, c, says in CORRUPTIONS],
)
def test_the_whole_state_check_finds_each_corruption(
    state: LedgerState, corrupt: Callable[[LedgerState], None], says: str
) -> None:
    corrupt(state)
    with pytest.raises(InvariantBroken, match=says):
        check_state(state)


def test_the_sums_kept_follow_posts_holds_expiries_and_a_chain_taken_back(
    state: LedgerState,
) -> None:
    # Ledger 1 holds 4 accounts, 107 posted and 10 pending each way.
    assert state.sums[1, 1] == [4, 10, 107, 10, 107]
    linked = int(TF.linked)
    results = create_transfers(
        state,
        [
            Transfer(20, 3, 4, 5, 1, 1, linked),
            Transfer(21, 5, 6, 1, 2, 1, PENDING),  # ends the chain, which fails: 20 is undone
            Transfer(22, 4, 1, 1, 1, 1),
            Transfer(23, 3, 4, 9, 1, 1, PENDING, timeout=1),
            Transfer(24, 0, 0, 9, 1, 1, int(TF.post_pending_transfer), pending_id=23),
        ],
        START_NS + 2000,
    )
    assert [r.name for r in results[:2]] == ["linked_event_failed", "credit_account_not_found"]
    assert not any(results[2:])  # 20 undone; 22 posts 1; 23 holds 9, which 24 posts
    assert state.sums[1, 1] == [4, 10, 117, 10, 117]
    expire_pending(state, START_NS + 2 * NS_PER_S)  # the hold of 10 expires
    assert state.sums[1, 1] == [4, 0, 117, 0, 117]
    assert state.sums[2, 1] == [1, 0, 0, 0, 0]
    check_state(state)  # the same as a pass over the accounts finds


def test_the_limit_check_runs_inline_on_every_change() -> None:
    a = Account(1, 1, 1, int(AF.debits_must_not_exceed_credits), debits_posted=1)
    with pytest.raises(InvariantBroken, match="debits exceed credits"):
        check_limits(a)
    b = Account(2, 1, 1, int(AF.credits_must_not_exceed_debits), credits_pending=1)
    with pytest.raises(InvariantBroken, match="credits exceed debits"):
        check_limits(b)
    with pytest.raises(InvariantBroken, match="negative"):
        check_limits(Account(3, 1, 1, debits_pending=-1))


def test_the_batch_check_finds_a_result_missing(state: LedgerState) -> None:
    with pytest.raises(InvariantBroken, match="3 events gave 2 results"):
        check_batch(state, 3, 2)


def test_the_batch_check_finds_a_timestamp_past_the_last(state: LedgerState) -> None:
    state.last_transfer_timestamp = state.last_timestamp + 1
    with pytest.raises(InvariantBroken, match="passes the ledger's last timestamp"):
        check_batch(state, 0, 0)


def test_a_batch_on_a_corrupted_state_is_refused_when_verifying(state: LedgerState) -> None:
    _corrupt(state, 4, credits_posted=1)
    assert invariants.verify  # tests/conftest.py turns the expensive checks on
    with pytest.raises(InvariantBroken, match="ledger 1"):
        create_transfers(state, [Transfer(20, 3, 4, 1, 1, 1)], START_NS + 10_000)


def test_an_expiry_that_would_leave_a_negative_pending_balance_stops(state: LedgerState) -> None:
    _corrupt(state, 3, debits_pending=9)  # less than the 10 the pending transfer holds
    with pytest.raises(InvariantBroken, match="negative pending"):
        expire_pending(state, START_NS + 2 * NS_PER_S)


def test_a_post_that_would_break_a_limit_stops(state: LedgerState) -> None:
    hold = Transfer(20, 1, 4, 50, 1, 1, PENDING)
    assert not any(create_transfers(state, [hold], START_NS + 10_000))
    _corrupt(state, 1, credits_posted=40)  # as if the money had gone meanwhile
    _corrupt(state, 3, debits_posted=40 + 0)  # keep the trial balance, break only the limit
    post = Transfer(21, 0, 0, 50, 0, 0, int(TF.post_pending_transfer), pending_id=20)
    with pytest.raises(InvariantBroken, match="debits exceed credits"):
        create_transfers(state, [post], START_NS + 20_000)


def test_an_imported_post_before_its_accounts_stops(state: LedgerState) -> None:
    state.accounts[4].timestamp = state.last_timestamp + 10**9  # as if 4 were opened later
    post = Transfer(
        20,
        0,
        0,
        10,
        0,
        0,
        int(TF.post_pending_transfer | TF.imported),
        pending_id=11,
        timestamp=state.last_timestamp + 1,
    )
    with pytest.raises(InvariantBroken, match="predates its pending transfer"):
        create_transfers(state, [post], state.last_timestamp + 10**6)


def test_the_ledger_stops_on_a_broken_invariant_and_a_reopen_rebuilds(tmp_path: object) -> None:
    url = f"sqlite:///{tmp_path}/l.db"
    ledger = open_ledger(url, clock=ManualClock(START_NS), auto_pulse=False)
    try:
        assert not any(ledger.create_accounts([Account(1, 1, 1), Account(2, 1, 1)]))
        assert not any(ledger.create_transfers([Transfer(10, 1, 2, 5, 1, 1)]))
        ledger._state.accounts[2].credits_posted = 6  # a bug's doing, in memory only
        with pytest.raises(StorageUnavailable, match="InvariantBroken"):
            ledger.create_transfers([Transfer(11, 1, 2, 1, 1, 1)])
        assert ledger.broken
    finally:
        ledger.close()
    reopened = open_ledger(url, clock=ManualClock(START_NS + NS_PER_S), auto_pulse=False)
    try:
        assert reopened.lookup_accounts([2])[0].credits_posted == 5  # the journal's truth
    finally:
        reopened.close()


def test_expiry_lines_keep_the_history_in_time_order(state: LedgerState) -> None:
    expire_pending(state, START_NS + 2 * NS_PER_S)
    assert isinstance(state.accounts[4].lines[-1], Expiry)
    # An imported transfer may not slip in before the expiry on the same account's history.
    t = Transfer(30, 3, 4, 1, 1, 1, int(TF.imported), timestamp=START_NS + NS_PER_S)
    (result,) = create_transfers(state, [replace(t)], START_NS + 3 * NS_PER_S)
    assert result.name == "imported_event_timestamp_must_not_regress"
    check_state(state)


def test_python_dash_o_keeps_the_checks() -> None:
    code = (
        "from colony.ledger.invariants import InvariantBroken, check_limits\n"
        "from colony.ledger.model import Account\n"
        "try:\n"
        "    check_limits(Account(1, 1, 1, 2, debits_posted=1))\n"
        "except InvariantBroken:\n"
        "    print('raised')\n"
    )
    out = subprocess.run(
        [sys.executable, "-O", "-c", code], capture_output=True, text=True, check=True
    )
    assert out.stdout.strip() == "raised"

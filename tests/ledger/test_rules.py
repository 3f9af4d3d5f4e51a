"""The rules that changed to agree with TigerBeetle, through the ledger and its journal.

A journal written before the change replays under the rules it was written with (rules 1), so
the results it acknowledged still come out; the first batch after opening it records that the
current rules (2) apply from there on (docs/adr/0022).
"""

from __future__ import annotations

from dataclasses import replace

from colony.kernel.clock import NS_PER_S, ManualClock
from colony.ledger import Account, Balances, Ledger, Transfer
from colony.ledger import codec as ledger_codec
from colony.ledger.accounts import create_accounts
from colony.ledger.model import AccountFlags as AF
from colony.ledger.model import TransferFlags as TF
from colony.ledger.results import CreateAccountResult as RA
from colony.ledger.results import CreateTransferResult as RT
from colony.ledger.state import RULES_CURRENT, RULES_LEGACY, TIMESTAMP_MAX, LedgerState
from colony.ledger.store import JournalEntry, Operation, read_all
from colony.ledger.transfers import create_transfers
from colony.storage.open import open_journal, open_ledger

PENDING, POST, VOID = int(TF.pending), int(TF.post_pending_transfer), int(TF.void_pending_transfer)
IMPORTED, LINKED = int(TF.imported), int(TF.linked)
START_NS = 1_767_225_600 * NS_PER_S
ACCOUNTS = [Account(1, 1, 1), Account(2, 1, 1)]
# Under rules 1, posting the pending transfer that closed account 1 succeeded and voiding an
# ordinary pending transfer on the closed account failed; under rules 2 it is the other way.
LEGACY_BATCHES = [
    [Transfer(10, 1, 2, 5, 1, 1, PENDING)],
    [Transfer(11, 1, 2, 0, 1, 1, PENDING | int(TF.closing_debit))],
    [Transfer(12, 0, 0, 0, 0, 0, VOID, pending_id=10)],
    [Transfer(13, 0, 0, 2**128 - 1, 0, 0, POST, pending_id=11)],
]
LEGACY_RESULTS = [[RT.ok], [RT.ok], [RT.debit_account_already_closed], [RT.ok]]


def write_legacy_journal(
    url: str,
    accounts: list[Account],
    batches: list[tuple[int, list[Transfer], list[RT]]],
    accounts_at_ns: int = START_NS,
) -> LedgerState:
    """A journal as Colony wrote it before rules were recorded (no rules entry at all): the
    accounts, then each batch of transfers applied under rules 1 at its time `now`, which
    must give the results the batch names. Returns the state the journal leaves."""
    state = LedgerState(rules=RULES_LEGACY)
    results = create_accounts(state, [replace(a) for a in accounts], accounts_at_ns)
    body = ledger_codec.pack_accounts(accounts)
    entries = [JournalEntry(1, Operation.create_accounts, accounts_at_ns, body, bytes(results))]
    for seq, (now, batch, expected) in enumerate(batches, start=2):
        results = create_transfers(state, [replace(t) for t in batch], now)
        assert results == expected, (seq, results)
        body = ledger_codec.pack_transfers(batch)
        entries.append(JournalEntry(seq, Operation.create_transfers, now, body, bytes(results)))
    journal = open_journal(url)
    try:
        journal.append(entries)
    finally:
        journal.close()
    return state


def _write_legacy_journal(url: str) -> None:
    batches = [
        (START_NS + 1000 * n, batch, results)
        for n, (batch, results) in enumerate(zip(LEGACY_BATCHES, LEGACY_RESULTS, strict=True), 1)
    ]
    write_legacy_journal(url, ACCOUNTS, batches)


def test_a_journal_from_before_the_rules_change_still_opens(journal_url: str) -> None:
    _write_legacy_journal(journal_url)
    clock = ManualClock(START_NS + NS_PER_S)
    ledger = open_ledger(journal_url, clock=clock, auto_pulse=False)
    try:
        # Replayed under rules 1: the closing transfer was posted, the account stays closed.
        assert ledger.lookup_accounts([1])[0].flags & AF.closed
        assert ledger.lookup_transfers([13])[0].amount == 0
        # New batches follow rules 2: the pending transfer that rules 1 could not void on the
        # closed account is voided now.
        void = Transfer(21, 0, 0, 0, 0, 0, VOID, pending_id=10)
        assert ledger.create_transfers([void]) == [RT.ok]
        assert ledger.lookup_accounts([1])[0].debits_pending == 0
    finally:
        ledger.close()
    journal = open_journal(journal_url)
    try:
        operations = [e.operation for e in read_all(journal)]
    finally:
        journal.close()
    # The rules entry went in with the first new batch, and only once.
    assert operations[5:] == [Operation.rules, Operation.create_transfers]
    reopened = open_ledger(journal_url, clock=clock, auto_pulse=False)
    try:
        assert reopened.lookup_transfers([21])[0].flags == VOID  # both eras replay as acked
    finally:
        reopened.close()


def test_a_new_journal_records_its_rules_before_its_first_batch(journal_url: str) -> None:
    ledger = open_ledger(journal_url, clock=ManualClock(START_NS), auto_pulse=False)
    try:
        assert ledger.journal_seq == 0  # opening writes nothing
        assert ledger.create_accounts(ACCOUNTS) == [RA.ok, RA.ok]
    finally:
        ledger.close()
    journal = open_journal(journal_url)
    try:
        entries = list(read_all(journal))
    finally:
        journal.close()
    assert [e.operation for e in entries] == [Operation.rules, Operation.create_accounts]
    assert int.from_bytes(entries[0].body, "little") == RULES_CURRENT


def test_a_journal_asking_for_unknown_rules_is_refused(journal_url: str) -> None:
    journal = open_journal(journal_url)
    try:
        journal.append(
            [JournalEntry(1, Operation.rules, START_NS, (99).to_bytes(4, "little"), b"")]
        )
    finally:
        journal.close()
    try:
        open_ledger(journal_url, clock=ManualClock(START_NS), auto_pulse=False)
    except Exception as exc:
        assert "rules 99" in str(exc)
    else:
        raise AssertionError("a journal from a newer Colony opened")


def _world(url: str) -> tuple[Ledger, ManualClock]:
    clock = ManualClock(START_NS)
    ledger = open_ledger(url, clock=clock, auto_pulse=False)
    assert ledger.create_accounts(ACCOUNTS) == [RA.ok, RA.ok]
    return ledger, clock


def test_posting_the_transfer_that_closed_an_account_is_refused(journal_url: str) -> None:
    ledger, _ = _world(journal_url)
    try:
        close = Transfer(10, 1, 2, 0, 1, 1, PENDING | int(TF.closing_debit))
        assert ledger.create_transfers([close]) == [RT.ok]
        post = Transfer(11, 0, 0, 2**128 - 1, 0, 0, POST, pending_id=10)
        assert ledger.create_transfers([post]) == [RT.debit_account_already_closed]
        void = Transfer(12, 0, 0, 0, 0, 0, VOID, pending_id=10)
        assert ledger.create_transfers([void]) == [RT.ok]
        assert not ledger.lookup_accounts([1])[0].flags & AF.closed
    finally:
        ledger.close()


def test_balances_are_the_accounts_figures_for_the_ids_that_exist(journal_url: str) -> None:
    ledger, _ = _world(journal_url)
    try:
        assert ledger.create_transfers([Transfer(10, 1, 2, 5, 1, 1, PENDING)]) == [RT.ok]
        assert ledger.create_transfers([Transfer(11, 2, 1, 7, 1, 1)]) == [RT.ok]
        found = ledger.lookup_balances([2, 99, 1])
        assert list(found) == [2, 1]  # in the order asked; the unknown id left out
        for account in ledger.lookup_accounts([1, 2]):
            b = found[account.id]
            assert (b.debits_pending, b.debits_posted, b.credits_pending, b.credits_posted) == (
                account.debits_pending, account.debits_posted, account.credits_pending,
                account.credits_posted,
            )  # fmt: skip
        assert found[1] == Balances(5, 0, 0, 7)
    finally:
        ledger.close()


def test_voiding_more_than_is_pending_exceeds_it(journal_url: str) -> None:
    ledger, _ = _world(journal_url)
    try:
        assert ledger.create_transfers([Transfer(10, 1, 2, 5, 1, 1, PENDING)]) == [RT.ok]
        void = Transfer(11, 0, 0, 6, 0, 0, VOID, pending_id=10)
        assert ledger.create_transfers([void]) == [RT.exceeds_pending_transfer_amount]
        void = replace(void, amount=4)
        assert ledger.create_transfers([void]) == [RT.pending_transfer_has_different_amount]
    finally:
        ledger.close()


def test_a_deadline_past_the_last_timestamp_overflows(journal_url: str) -> None:
    ledger, clock = _world(journal_url)
    try:
        clock.set_ns(TIMESTAMP_MAX - 10 * NS_PER_S)
        late = Transfer(10, 1, 2, 5, 1, 1, PENDING, timeout=11)
        assert ledger.create_transfers([late]) == [RT.overflows_timeout]
        assert ledger.create_transfers([replace(late, timeout=9)]) == [RT.ok]
    finally:
        ledger.close()


def test_a_failed_imported_chain_can_be_imported_again(journal_url: str) -> None:
    clock = ManualClock(START_NS)
    ledger = open_ledger(journal_url, clock=clock, auto_pulse=False)
    try:
        imported = [
            replace(a, flags=int(AF.imported), timestamp=10 + i) for i, a in enumerate(ACCOUNTS)
        ]
        assert ledger.create_accounts(imported) == [RA.ok, RA.ok]
        chain = [
            Transfer(10, 1, 2, 5, 1, 1, LINKED | IMPORTED, timestamp=20),
            Transfer(11, 1, 2, 5, 1, 1, IMPORTED, timestamp=0),
        ]
        assert ledger.create_transfers(chain) == [
            RT.linked_event_failed,
            RT.imported_event_timestamp_out_of_range,
        ]
        chain[1] = replace(chain[1], timestamp=21)
        assert ledger.create_transfers(chain) == [RT.ok, RT.ok]
    finally:
        ledger.close()


def test_imported_transfers_follow_the_last_transfer_not_the_last_account(
    journal_url: str,
) -> None:
    clock = ManualClock(START_NS)
    ledger = open_ledger(journal_url, clock=clock, auto_pulse=False)
    try:
        accounts = [
            Account(1, 1, 1, int(AF.imported), timestamp=10),
            Account(2, 1, 1, int(AF.imported), timestamp=20),
            Account(3, 1, 1, int(AF.imported), timestamp=30),
        ]
        assert ledger.create_accounts(accounts) == [RA.ok] * 3
        # 25 is before account 3 but after the last transfer (none yet): only 3's own
        # transfers are refused, and each names the account it must postdate.
        t = Transfer(10, 3, 1, 1, 1, 1, IMPORTED, timestamp=25)
        assert ledger.create_transfers([t]) == [
            RT.imported_event_timestamp_must_postdate_debit_account
        ]
        t = replace(t, debit_account_id=1, credit_account_id=3)
        assert ledger.create_transfers([t]) == [
            RT.imported_event_timestamp_must_postdate_credit_account
        ]
        t = replace(t, credit_account_id=2)
        assert ledger.create_transfers([t]) == [RT.ok]
        # An account may not take a transfer's timestamp, nor a transfer an account's.
        late = Account(4, 1, 1, int(AF.imported), timestamp=25)
        assert ledger.create_accounts([late]) == [RA.imported_event_timestamp_must_not_regress]
        t = Transfer(11, 1, 2, 1, 1, 1, IMPORTED, timestamp=30)
        assert ledger.create_transfers([t]) == [RT.imported_event_timestamp_must_not_regress]
    finally:
        ledger.close()


def test_a_failed_chain_that_made_and_posted_a_pending_transfer_leaves_no_trace_of_it() -> None:
    """Taking the chain back restores the pending transfer's status before removing the
    transfer itself: the other way round, a status outlived its transfer (an invariant
    broken at the next check)."""
    state = LedgerState()
    assert not any(create_accounts(state, [Account(1, 1, 1), Account(2, 1, 1)], 1_000))
    chain = [
        Transfer(2, 1, 2, 5, 1, 1, flags=int(TF.linked | TF.pending)),
        Transfer(
            1, 0, 0, 2**128 - 1, 0, 0, flags=int(TF.linked | TF.post_pending_transfer), pending_id=2
        ),
        Transfer(3, 1, 1, 5, 1, 1),  # the same account on both sides: the chain fails here
    ]
    assert create_transfers(state, chain, 2_000) == [
        RT.linked_event_failed,
        RT.linked_event_failed,
        RT.accounts_must_be_different,
    ]
    assert state.transfers == {} and state.pending_status == {}
    assert all(a.debits_pending == a.credits_pending == 0 for a in state.accounts.values())

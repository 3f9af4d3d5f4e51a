"""The rules of `create_accounts`: TigerBeetle's, with its result precedence."""

from __future__ import annotations

from collections.abc import Sequence

from colony.ledger.invariants import InvariantBroken, check_batch
from colony.ledger.model import ACCOUNT_FLAGS_KNOWN, U128_MAX, Account
from colony.ledger.results import CreateAccountResult
from colony.ledger.state import (
    _A_CLOSED,
    _A_CR_LIMIT,
    _A_DR_LIMIT,
    _A_IMPORTED,
    _A_LINKED,
    RULES_LEGACY,
    SUMS_ACCOUNTS,
    TIMESTAMP_MAX,
    LedgerState,
    LiveAccount,
    Undo,
    expire_pending,
    sums_for,
)

RA = CreateAccountResult


def create_accounts(
    state: LedgerState, events: Sequence[Account], now_ns: int
) -> list[CreateAccountResult]:
    """Apply one batch of accounts; one result per event, in order."""
    base = state.batch_base_timestamp(now_ns)
    expire_pending(state, base)
    base = state.batch_base_timestamp(base)
    n = len(events)
    results: list[CreateAccountResult] = [RA.ok] * n
    imported_batch = n > 0 and bool(events[0].flags & _A_IMPORTED)
    legacy = state.rules == RULES_LEGACY
    advance_limit = base if legacy else base + n - 1
    chain_start = -1
    chain_failed = False
    undo: Undo | None = None
    for i in range(n):
        a = events[i]
        linked = a.flags & _A_LINKED
        if chain_start < 0 and linked:
            chain_start = i
            chain_failed = False
            undo = Undo(state)
        # TigerBeetle's order: a chain left open at the end of the batch is named as such
        # even when an earlier event of it already failed.
        if linked and i == n - 1:
            result = RA.linked_event_chain_open
        elif chain_failed:
            result = RA.linked_event_failed
        else:
            result = _create_account(state, a, base + i, imported_batch, advance_limit, undo)
            if result is RA.ok and imported_batch and legacy:
                state.last_timestamp = a.timestamp
        results[i] = result
        if result is not RA.ok and chain_start >= 0 and not chain_failed:
            if undo is None:
                raise InvariantBroken("a linked chain without its undo log")
            undo.rollback(state)
            for j in range(chain_start, i):
                results[j] = RA.linked_event_failed
            chain_failed = True
        if chain_start >= 0 and not linked:
            chain_start = -1
            chain_failed = False
            undo = None
    if n and not (imported_batch and legacy):
        state.last_timestamp = max(state.last_timestamp, base + n - 1)
    check_batch(state, n, len(results))
    return results


def _create_account(
    state: LedgerState,
    a: Account,
    timestamp: int,
    imported_batch: bool,
    advance_limit: int,
    undo: Undo | None,
) -> CreateAccountResult:
    flags = a.flags
    if imported_batch:
        if not flags & _A_IMPORTED:
            return RA.imported_event_expected
        timestamp = a.timestamp
        if timestamp < 1 or timestamp > TIMESTAMP_MAX:
            return RA.imported_event_timestamp_out_of_range
        if timestamp >= advance_limit:
            return RA.imported_event_timestamp_must_not_advance
    else:
        if flags & _A_IMPORTED:
            return RA.imported_event_not_expected
        if a.timestamp != 0:
            return RA.timestamp_must_be_zero
    if a.reserved != 0:
        return RA.reserved_field
    if flags & ~ACCOUNT_FLAGS_KNOWN:
        return RA.reserved_flag
    if a.id == 0:
        return RA.id_must_not_be_zero
    if a.id == U128_MAX:
        return RA.id_must_not_be_int_max
    e = state.accounts.get(a.id)
    if e is not None:
        # The stored flags may have gained `closed` since; compare what the creator chose.
        if flags != e.flags and not (e.flags & _A_CLOSED and flags == e.flags & ~_A_CLOSED):
            return RA.exists_with_different_flags
        if a.user_data_128 != e.user_data_128:
            return RA.exists_with_different_user_data_128
        if a.user_data_64 != e.user_data_64:
            return RA.exists_with_different_user_data_64
        if a.user_data_32 != e.user_data_32:
            return RA.exists_with_different_user_data_32
        if a.ledger != e.ledger:
            return RA.exists_with_different_ledger
        if a.code != e.code:
            return RA.exists_with_different_code
        return RA.exists
    if flags & _A_DR_LIMIT and flags & _A_CR_LIMIT:
        return RA.flags_are_mutually_exclusive
    if a.debits_pending != 0:
        return RA.debits_pending_must_be_zero
    if a.debits_posted != 0:
        return RA.debits_posted_must_be_zero
    if a.credits_pending != 0:
        return RA.credits_pending_must_be_zero
    if a.credits_posted != 0:
        return RA.credits_posted_must_be_zero
    if a.ledger == 0:
        return RA.ledger_must_not_be_zero
    if a.code == 0:
        return RA.code_must_not_be_zero
    if imported_batch:
        if state.rules == RULES_LEGACY:
            if timestamp <= state.last_timestamp:
                return RA.imported_event_timestamp_must_not_regress
        # TigerBeetle's rule: after the last account, and no transfer's timestamp.
        elif timestamp <= state.last_account_timestamp() or state.is_transfer_timestamp(timestamp):
            return RA.imported_event_timestamp_must_not_regress
    stored = LiveAccount(
        a.id,
        a.ledger,
        a.code,
        flags,
        0,
        0,
        0,
        0,
        a.user_data_128,
        a.user_data_64,
        a.user_data_32,
        0,
        timestamp,
    )
    stored.lines = []
    stored.checkpoints = []
    stored.trimmed = 0
    state.accounts[a.id] = stored
    state.account_timestamps.append(timestamp)
    stored.sums = sums_for(state, a.ledger, a.code)
    stored.sums[SUMS_ACCOUNTS] += 1
    if undo is not None:
        undo.new_accounts.append(a.id)
    return RA.ok

"""The rules of `create_transfers`: TigerBeetle's, with its result precedence.

Hot loops use plain ints and local names on purpose: this code runs once per transfer at
festival peak. `_create_plain_transfer` is a fast path for the commonest event; it only ever
decides success, and the full path decides every failure.
"""

from __future__ import annotations

import heapq
from collections.abc import Sequence

from colony.ledger import native
from colony.ledger.archive import archived_failure, find_transfer, pending_status_of
from colony.ledger.invariants import InvariantBroken, check_batch, check_limits
from colony.ledger.model import AMOUNT_MAX, TRANSFER_FLAGS_KNOWN, U64_MAX, U128_MAX, Transfer
from colony.ledger.results import TRANSIENT_TRANSFER_RESULTS, CreateTransferResult
from colony.ledger.state import (
    _A_CLOSED,
    _A_CR_LIMIT,
    _A_DR_LIMIT,
    _ST_EXPIRED,
    _ST_PENDING,
    _ST_POSTED,
    _ST_VOIDED,
    _T_BAL_CR,
    _T_BAL_DR,
    _T_BALANCING_OR_CLOSING,
    _T_CLOSE_CR,
    _T_CLOSE_DR,
    _T_IMPORTED,
    _T_LINKED,
    _T_PENDING,
    _T_POST,
    _T_POST_OR_VOID,
    NS_PER_S,
    RULES_LEGACY,
    SUMS_CR_PENDING,
    SUMS_CR_POSTED,
    SUMS_DR_PENDING,
    SUMS_DR_POSTED,
    TIMESTAMP_MAX,
    LedgerState,
    Undo,
    expire_pending,
    record,
)

R = CreateTransferResult
_OK = R.ok
_TRANSIENT = TRANSIENT_TRANSFER_RESULTS


def create_transfers(
    state: LedgerState, events: Sequence[Transfer], now_ns: int
) -> list[CreateTransferResult]:
    """Apply one batch of transfers; one result per event, in order."""
    base = state.batch_base_timestamp(now_ns)
    expire_pending(state, base)
    base = state.batch_base_timestamp(base)
    n = len(events)
    results: list[CreateTransferResult] = [_OK] * n
    imported_batch = n > 0 and bool(events[0].flags & _T_IMPORTED)
    legacy = state.rules == RULES_LEGACY
    # An imported event must lie before the batch's own timestamp: its last one (TigerBeetle's
    # rule), or its first under the legacy rules.
    advance_limit = base if legacy else base + n - 1
    chain_start = -1
    chain_failed = False
    undo: Undo | None = None
    # The C hot path (native.py) applies runs of plain transfers outside chains (and refuses
    # those that pass every rule but a limit), stopping at the first it would not decide;
    # every other event, and that one, takes the path below.
    fast = native.engine if not imported_batch and isinstance(events, list) else None
    fast_until = 0
    for i in range(n):
        if i < fast_until:
            continue  # decided by the C hot path (applied, or refused by a limit)
        t = events[i]
        if fast is not None and chain_start < 0 and not t.flags:
            fast_until = _apply_plain_run(fast, state, events, i, n, base, results)  # type: ignore[arg-type]
            if fast_until > i:
                continue
        linked = t.flags & _T_LINKED
        if chain_start < 0 and linked:
            chain_start = i
            chain_failed = False
            undo = Undo(state)
        timestamp = base + i
        # TigerBeetle's order: a chain left open at the end of the batch is named as such
        # even when an earlier event of it already failed.
        if linked and i == n - 1:
            result = R.linked_event_chain_open
        elif chain_failed:
            result = R.linked_event_failed
        elif not t.flags and not imported_batch and _create_plain_transfer(state, t, timestamp):
            result = _OK
        else:
            result = _create_transfer(state, t, timestamp, imported_batch, advance_limit, undo)
            if result is _OK:
                if imported_batch:
                    # Imported events carry their own (past) timestamps, which must rise.
                    state.last_transfer_timestamp = t.timestamp
                    if legacy:
                        state.last_timestamp = t.timestamp
            elif result in _TRANSIENT:
                state.failed_transfer_ids[t.id] = result
                state.failed_at[t.id] = timestamp
        results[i] = result
        if result is not _OK and chain_start >= 0 and not chain_failed:
            # Take the chain back: earlier events become linked_event_failed.
            if undo is None:
                raise InvariantBroken("a linked chain without its undo log")
            undo.rollback(state)
            for j in range(chain_start, i):
                results[j] = R.linked_event_failed
            chain_failed = True
        if chain_start >= 0 and not linked:
            chain_start = -1
            chain_failed = False
            undo = None
    if n:
        if not imported_batch:
            state.last_timestamp = base + n - 1
            _note_last_transfer(state, results, base)
        elif not legacy:
            state.last_timestamp = max(state.last_timestamp, base + n - 1)
    check_batch(state, n, len(results))
    return results


def _apply_plain_run(
    fast: object,
    state: LedgerState,
    events: list[Transfer],
    start: int,
    stop: int,
    base: int,
    results: list[CreateTransferResult],
) -> int:
    """`_create_plain_transfer` in C over events[start:stop], until one it would not decide:
    that one's index. A transfer refused by a limit gets its result in `results` and its id
    burned, as this module's loop does for a transient result."""
    bits, mask, top = state.id_filter.raw() if state.id_filter is not None else (None, 0, 0)
    return fast.apply_plain(  # type: ignore[attr-defined, no-any-return]
        events,
        start,
        stop,
        base,
        state.transfers,
        state.failed_transfer_ids,
        state.failed_at,
        results,
        state.accounts,
        bits,
        mask,
        top,
    )


def _note_last_transfer(state: LedgerState, results: list[CreateTransferResult], base: int) -> None:
    """After a batch that was not imported: the timestamp of its last transfer, if any."""
    for i in range(len(results) - 1, -1, -1):
        if results[i] is _OK:
            state.last_transfer_timestamp = base + i
            return


def _create_plain_transfer(state: LedgerState, t: Transfer, timestamp: int) -> bool:
    """The fast path for the commonest event: a posted transfer with no flags, unchained.

    It only decides success: it applies the transfer and answers True when every rule of
    `_create_transfer` would pass, and otherwise changes nothing and answers False, so the
    full path finds the exact result code with its precedence. Both paths must agree; the
    model-based tests check the engine against an independent model on mixed workloads.
    """
    tid = t.id
    dr_id = t.debit_account_id
    cr_id = t.credit_account_id
    if not (
        0 < tid < U128_MAX
        and 0 < dr_id < U128_MAX
        and 0 < cr_id < U128_MAX
        and dr_id != cr_id
        and t.timestamp == 0
        and t.pending_id == 0
        and t.timeout == 0
        and t.ledger
        and t.code
    ):
        return False
    if tid in state.transfers or tid in state.failed_transfer_ids:
        return False
    id_filter = state.id_filter
    if id_filter is not None and id_filter.may_hold(tid):
        return False  # perhaps archived: the full path reads the disk
    accounts = state.accounts
    dr = accounts.get(dr_id)
    cr = accounts.get(cr_id)
    if dr is None or cr is None or not (dr.ledger == cr.ledger == t.ledger):
        return False
    dr_flags = dr.flags
    cr_flags = cr.flags
    if (dr_flags | cr_flags) & _A_CLOSED:
        return False
    amount = t.amount
    debits_posted = dr.debits_posted + amount
    credits_posted = cr.credits_posted + amount
    if (
        debits_posted + dr.debits_pending > U128_MAX
        or credits_posted + cr.credits_pending > U128_MAX
        or (dr_flags & _A_DR_LIMIT and debits_posted + dr.debits_pending > dr.credits_posted)
        or (cr_flags & _A_CR_LIMIT and credits_posted + cr.credits_pending > cr.debits_posted)
    ):
        return False
    stored = Transfer(
        tid,
        dr_id,
        cr_id,
        amount,
        t.ledger,
        t.code,
        0,
        0,
        0,
        t.user_data_128,
        t.user_data_64,
        t.user_data_32,
        timestamp,
    )
    state.transfers[tid] = stored
    record(dr, stored)
    record(cr, stored)
    dr.debits_posted = debits_posted
    cr.credits_posted = credits_posted
    dr.sums[SUMS_DR_POSTED] += amount
    cr.sums[SUMS_CR_POSTED] += amount
    return True


def _create_transfer(
    state: LedgerState,
    t: Transfer,
    timestamp: int,
    imported_batch: bool,
    advance_limit: int,
    undo: Undo | None,
) -> CreateTransferResult:
    flags = t.flags
    if imported_batch:
        if not flags & _T_IMPORTED:
            return R.imported_event_expected
        timestamp = t.timestamp
        if timestamp < 1 or timestamp > TIMESTAMP_MAX:
            return R.imported_event_timestamp_out_of_range
        if timestamp >= advance_limit:
            return R.imported_event_timestamp_must_not_advance
    else:
        if flags & _T_IMPORTED:
            return R.imported_event_not_expected
        if t.timestamp != 0:
            return R.timestamp_must_be_zero
    if flags & ~TRANSFER_FLAGS_KNOWN:
        return R.reserved_flag
    tid = t.id
    if tid == 0:
        return R.id_must_not_be_zero
    if tid == U128_MAX:
        return R.id_must_not_be_int_max
    existing = find_transfer(state, tid)
    if existing is not None:
        return _transfer_exists(state, t, existing)
    if state.failed_transfer_ids and tid in state.failed_transfer_ids:
        return R.id_already_failed
    if state.archive is not None and archived_failure(state, tid) is not None:
        return R.id_already_failed
    if flags & _T_POST_OR_VOID:
        if flags & _T_PENDING or (flags & _T_POST_OR_VOID) == _T_POST_OR_VOID:
            return R.flags_are_mutually_exclusive
        if flags & _T_BALANCING_OR_CLOSING:
            return R.flags_are_mutually_exclusive
        return _post_or_void(state, t, timestamp, imported_batch, undo)

    dr_id = t.debit_account_id
    cr_id = t.credit_account_id
    if dr_id == 0:
        return R.debit_account_id_must_not_be_zero
    if dr_id == U128_MAX:
        return R.debit_account_id_must_not_be_int_max
    if cr_id == 0:
        return R.credit_account_id_must_not_be_zero
    if cr_id == U128_MAX:
        return R.credit_account_id_must_not_be_int_max
    if dr_id == cr_id:
        return R.accounts_must_be_different
    if t.pending_id != 0:
        return R.pending_id_must_be_zero
    pending = flags & _T_PENDING
    if not pending:
        if t.timeout != 0:
            return R.timeout_reserved_for_pending_transfer
        if flags & (_T_CLOSE_DR | _T_CLOSE_CR):
            return R.closing_transfer_must_be_pending
    if t.ledger == 0:
        return R.ledger_must_not_be_zero
    if t.code == 0:
        return R.code_must_not_be_zero
    accounts = state.accounts
    dr = accounts.get(dr_id)
    if dr is None:
        return R.debit_account_not_found
    cr = accounts.get(cr_id)
    if cr is None:
        return R.credit_account_not_found
    if dr.ledger != cr.ledger:
        return R.accounts_must_have_the_same_ledger
    if t.ledger != dr.ledger:
        return R.transfer_must_have_the_same_ledger_as_accounts
    if imported_batch:
        regress = _imported_transfer_regresses(state, timestamp)
        if regress is not None:
            return regress
        if timestamp <= dr.timestamp:
            return R.imported_event_timestamp_must_postdate_debit_account
        if timestamp <= cr.timestamp:
            return R.imported_event_timestamp_must_postdate_credit_account
        if t.timeout != 0:
            return R.imported_event_timeout_must_be_zero
    if dr.flags & _A_CLOSED:
        return R.debit_account_already_closed
    if cr.flags & _A_CLOSED:
        return R.credit_account_already_closed

    amount = t.amount
    if flags & (_T_BAL_DR | _T_BAL_CR):
        if flags & _T_BAL_DR:
            room = dr.credits_posted - dr.debits_posted - dr.debits_pending
            amount = min(amount, room if room > 0 else 0)
        if flags & _T_BAL_CR:
            room = cr.debits_posted - cr.credits_posted - cr.credits_pending
            amount = min(amount, room if room > 0 else 0)

    dp = dr.debits_pending
    dpo = dr.debits_posted
    cp = cr.credits_pending
    cpo = cr.credits_posted
    if pending:
        if dp + amount > U128_MAX:
            return R.overflows_debits_pending
        if cp + amount > U128_MAX:
            return R.overflows_credits_pending
    if dpo + amount > U128_MAX:
        return R.overflows_debits_posted
    if cpo + amount > U128_MAX:
        return R.overflows_credits_posted
    if dp + dpo + amount > U128_MAX:
        return R.overflows_debits
    if cp + cpo + amount > U128_MAX:
        return R.overflows_credits
    timeout = t.timeout
    # The deadline must be a timestamp (at most 2**63-1, TigerBeetle's u63), though the legacy
    # rules only refused one past u64.
    if timeout and timestamp + timeout * NS_PER_S > (
        U64_MAX if state.rules == RULES_LEGACY else TIMESTAMP_MAX
    ):
        return R.overflows_timeout
    if dr.flags & _A_DR_LIMIT and dp + dpo + amount > dr.credits_posted:
        return R.exceeds_credits
    if cr.flags & _A_CR_LIMIT and cp + cpo + amount > cr.debits_posted:
        return R.exceeds_debits

    stored = Transfer(
        tid,
        dr_id,
        cr_id,
        amount,
        t.ledger,
        t.code,
        flags,
        0,
        timeout,
        t.user_data_128,
        t.user_data_64,
        t.user_data_32,
        timestamp,
    )
    if undo is not None:
        undo.record_transfer(tid, dr, cr)
    state.transfers[tid] = stored
    record(dr, stored)
    record(cr, stored)
    if pending:
        dr.debits_pending = dp + amount
        cr.credits_pending = cp + amount
        dr.sums[SUMS_DR_PENDING] += amount
        cr.sums[SUMS_CR_PENDING] += amount
        state.pending_status[tid] = _ST_PENDING
        if timeout:
            heapq.heappush(state.expiries, (timestamp + timeout * NS_PER_S, tid))
        if flags & _T_CLOSE_DR:
            dr.flags |= _A_CLOSED
        if flags & _T_CLOSE_CR:
            cr.flags |= _A_CLOSED
    else:
        dr.debits_posted = dpo + amount
        cr.credits_posted = cpo + amount
        dr.sums[SUMS_DR_POSTED] += amount
        cr.sums[SUMS_CR_POSTED] += amount
    check_limits(dr)
    check_limits(cr)
    return _OK


def _imported_transfer_regresses(state: LedgerState, timestamp: int) -> CreateTransferResult | None:
    """`imported_event_timestamp_must_not_regress`, or None: under the current rules an
    imported transfer must postdate the last transfer (or expiry) and share no account's
    timestamp; under the legacy rules, postdate every event of the ledger."""
    if state.rules == RULES_LEGACY:
        last = state.last_timestamp
    else:
        if state.is_account_timestamp(timestamp):
            return R.imported_event_timestamp_must_not_regress
        last = state.last_transfer_timestamp
    return R.imported_event_timestamp_must_not_regress if timestamp <= last else None


def _post_or_void(
    state: LedgerState,
    t: Transfer,
    timestamp: int,
    imported_batch: bool,
    undo: Undo | None,
) -> CreateTransferResult:
    pending_id = t.pending_id
    if pending_id == 0:
        return R.pending_id_must_not_be_zero
    if pending_id == U128_MAX:
        return R.pending_id_must_not_be_int_max
    if pending_id == t.id:
        return R.pending_id_must_be_different
    if t.timeout != 0:
        return R.timeout_reserved_for_pending_transfer
    p = find_transfer(state, pending_id)
    if p is None:
        return R.pending_transfer_not_found
    if not p.flags & _T_PENDING:
        return R.pending_transfer_not_pending
    if t.debit_account_id and t.debit_account_id != p.debit_account_id:
        return R.pending_transfer_has_different_debit_account_id
    if t.credit_account_id and t.credit_account_id != p.credit_account_id:
        return R.pending_transfer_has_different_credit_account_id
    if t.ledger and t.ledger != p.ledger:
        return R.pending_transfer_has_different_ledger
    if t.code and t.code != p.code:
        return R.pending_transfer_has_different_code
    is_post = bool(t.flags & _T_POST)
    legacy = state.rules == RULES_LEGACY
    if is_post:
        amount = p.amount if t.amount == AMOUNT_MAX else t.amount
        if amount > p.amount:
            return R.exceeds_pending_transfer_amount
    elif legacy:
        if t.amount != 0 and t.amount != p.amount:
            return R.pending_transfer_has_different_amount
        amount = p.amount
    else:
        # A void of more than is pending exceeds it, as a post would; of less, differs.
        if t.amount > p.amount:
            return R.exceeds_pending_transfer_amount
        if t.amount != 0 and t.amount != p.amount:
            return R.pending_transfer_has_different_amount
        amount = p.amount
    status = pending_status_of(state, pending_id)
    if status is _ST_POSTED:
        return R.pending_transfer_already_posted
    if status is _ST_VOIDED:
        return R.pending_transfer_already_voided
    if status is _ST_EXPIRED:
        return R.pending_transfer_expired
    dr = state.accounts[p.debit_account_id]
    cr = state.accounts[p.credit_account_id]
    if imported_batch:
        regress = _imported_transfer_regresses(state, timestamp)
        if regress is not None:
            return regress
        # A post or void postdates its pending transfer, which postdates both accounts.
        if timestamp <= dr.timestamp or timestamp <= cr.timestamp:
            raise InvariantBroken(f"imported transfer {t.id} predates its pending transfer")
    if legacy:
        # The legacy rules exempted the transfer that closed the account, posted or voided.
        if dr.flags & _A_CLOSED and not p.flags & _T_CLOSE_DR:
            return R.debit_account_already_closed
        if cr.flags & _A_CLOSED and not p.flags & _T_CLOSE_CR:
            return R.credit_account_already_closed
    elif not is_post:
        pass  # The one movement a closed account allows: voiding a pending transfer.
    elif dr.flags & _A_CLOSED:
        return R.debit_account_already_closed
    elif cr.flags & _A_CLOSED:
        return R.credit_account_already_closed
    if is_post:
        if dr.debits_posted + amount > U128_MAX:
            return R.overflows_debits_posted
        if cr.credits_posted + amount > U128_MAX:
            return R.overflows_credits_posted

    if legacy:
        user_data = (t.user_data_128, t.user_data_64, t.user_data_32)
    else:
        # User data left out (zero) is the pending transfer's, as TigerBeetle stores it.
        user_data = (
            t.user_data_128 or p.user_data_128,
            t.user_data_64 or p.user_data_64,
            t.user_data_32 or p.user_data_32,
        )
    stored = Transfer(
        t.id,
        p.debit_account_id,
        p.credit_account_id,
        amount,
        p.ledger,
        p.code,
        t.flags,
        pending_id,
        0,
        *user_data,
        timestamp,
    )
    if undo is not None:
        undo.record_transfer(t.id, dr, cr)
        undo.statuses.append((pending_id, status))
    state.transfers[t.id] = stored
    record(dr, stored)
    record(cr, stored)
    dr.debits_pending -= p.amount
    cr.credits_pending -= p.amount
    dr.sums[SUMS_DR_PENDING] -= p.amount
    cr.sums[SUMS_CR_PENDING] -= p.amount
    if is_post:
        dr.debits_posted += amount
        cr.credits_posted += amount
        dr.sums[SUMS_DR_POSTED] += amount
        cr.sums[SUMS_CR_POSTED] += amount
        state.pending_status[pending_id] = _ST_POSTED
    else:
        state.pending_status[pending_id] = _ST_VOIDED
        # Voiding the transfer that closed an account opens it again.
        if p.flags & _T_CLOSE_DR:
            dr.flags &= ~_A_CLOSED
        if p.flags & _T_CLOSE_CR:
            cr.flags &= ~_A_CLOSED
    check_limits(dr)
    check_limits(cr)
    return _OK


def _transfer_exists(state: LedgerState, t: Transfer, e: Transfer) -> CreateTransferResult:
    if t.flags != e.flags:
        return R.exists_with_different_flags
    if t.pending_id != e.pending_id:
        return R.exists_with_different_pending_id
    if t.timeout != e.timeout:
        return R.exists_with_different_timeout
    post_or_void = t.flags & _T_POST_OR_VOID
    if post_or_void:
        if t.debit_account_id and t.debit_account_id != e.debit_account_id:
            return R.exists_with_different_debit_account_id
        if t.credit_account_id and t.credit_account_id != e.credit_account_id:
            return R.exists_with_different_credit_account_id
        if state.rules != RULES_LEGACY:
            pending = find_transfer(state, t.pending_id)
            if pending is None:
                raise InvariantBroken(f"transfer {t.id} posts or voids a transfer never made")
            return _post_or_void_exists(t, e, pending)
        if t.flags & _T_POST:
            if t.amount != AMOUNT_MAX and t.amount != e.amount:
                return R.exists_with_different_amount
        elif t.amount != 0 and t.amount != e.amount:
            return R.exists_with_different_amount
    else:
        if t.debit_account_id != e.debit_account_id:
            return R.exists_with_different_debit_account_id
        if t.credit_account_id != e.credit_account_id:
            return R.exists_with_different_credit_account_id
        if t.flags & (_T_BAL_DR | _T_BAL_CR):
            if t.amount < e.amount:
                return R.exists_with_different_amount
        elif t.amount != e.amount:
            return R.exists_with_different_amount
    if t.user_data_128 != e.user_data_128:
        return R.exists_with_different_user_data_128
    if t.user_data_64 != e.user_data_64:
        return R.exists_with_different_user_data_64
    if t.user_data_32 != e.user_data_32:
        return R.exists_with_different_user_data_32
    if post_or_void:
        if t.ledger and t.ledger != e.ledger:
            return R.exists_with_different_ledger
        if t.code and t.code != e.code:
            return R.exists_with_different_code
    else:
        if t.ledger != e.ledger:
            return R.exists_with_different_ledger
        if t.code != e.code:
            return R.exists_with_different_code
    return R.exists


def _post_or_void_exists(t: Transfer, e: Transfer, p: Transfer) -> CreateTransferResult:
    """The rest of the idempotency check of a post or void (TigerBeetle's): a field left out
    (zero; AMOUNT_MAX for a post's amount) means the pending transfer's value."""
    if t.flags & _T_POST:
        if (p.amount if t.amount == AMOUNT_MAX else t.amount) != e.amount:
            return R.exists_with_different_amount
    elif (p.amount if t.amount == 0 else t.amount) != e.amount:
        return R.exists_with_different_amount
    # A post or void stored under the legacy rules kept a zero user data as zero.
    if t.user_data_128 != e.user_data_128 and (
        t.user_data_128 or e.user_data_128 not in (0, p.user_data_128)
    ):
        return R.exists_with_different_user_data_128
    if t.user_data_64 != e.user_data_64 and (
        t.user_data_64 or e.user_data_64 not in (0, p.user_data_64)
    ):
        return R.exists_with_different_user_data_64
    if t.user_data_32 != e.user_data_32 and (
        t.user_data_32 or e.user_data_32 not in (0, p.user_data_32)
    ):
        return R.exists_with_different_user_data_32
    if t.ledger and t.ledger != e.ledger:
        return R.exists_with_different_ledger
    if t.code and t.code != e.code:
        return R.exists_with_different_code
    return R.exists

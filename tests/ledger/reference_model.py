"""A tiny reference model of the ledger, written from the rules, for model-based tests.

It is meant to be obviously right rather than fast: the state is plain dicts, a linked chain
works on a deep copy that is kept or thrown away whole, and each rule is one line in an
ordered list of checks, first match wins (the precedence). It shares no code with the engine
except the record types and the result enums. Imported events are not modelled.
"""

from __future__ import annotations

import copy
from collections.abc import Callable
from dataclasses import dataclass, field, replace

from colony.ledger.model import AMOUNT_MAX, Account, Transfer
from colony.ledger.model import AccountFlags as AF
from colony.ledger.model import TransferFlags as TF
from colony.ledger.results import TRANSIENT_TRANSFER_RESULTS
from colony.ledger.results import CreateAccountResult as RA
from colony.ledger.results import CreateTransferResult as RT

MAX = 2**128 - 1
NS = 1_000_000_000
KNOWN_TRANSFER_FLAGS = sum(int(f) for f in TF)
KNOWN_ACCOUNT_FLAGS = sum(int(f) for f in AF)


@dataclass
class ModelState:
    accounts: dict[int, Account] = field(default_factory=dict)
    transfers: dict[int, Transfer] = field(default_factory=dict)
    status: dict[int, str] = field(default_factory=dict)  # pending id -> pending/posted/...
    failed: set[int] = field(default_factory=set)
    last: int = 0


class Model:
    def __init__(self) -> None:
        self.s = ModelState()

    # -------------------------------------------------------------- time and expiry

    def _base(self, now_ns: int) -> int:
        return max(now_ns, self.s.last + 1)

    def _sweep(self, base: int) -> None:
        due = []
        for pid, status in self.s.status.items():
            p = self.s.transfers[pid]
            if status == "pending" and p.timeout and p.timestamp + p.timeout * NS <= base:
                due.append((p.timestamp + p.timeout * NS, pid))
        for _, pid in sorted(due):
            p = self.s.transfers[pid]
            self.s.last = max(base, self.s.last + 1)
            self.s.status[pid] = "expired"
            dr, cr = self.s.accounts[p.debit_account_id], self.s.accounts[p.credit_account_id]
            dr.debits_pending -= p.amount
            cr.credits_pending -= p.amount
            if p.flags & TF.closing_debit:
                dr.flags &= ~int(AF.closed)
            if p.flags & TF.closing_credit:
                cr.flags &= ~int(AF.closed)

    def pulse(self, now_ns: int) -> None:
        self._sweep(self._base(now_ns))

    # -------------------------------------------------------------- batches

    def _batch(
        self, events: list, now_ns: int, one: Callable, linked_flag: int, failed: int, open_: int
    ):  # type: ignore[no-untyped-def, type-arg]
        self._sweep(self._base(now_ns))
        base = self._base(now_ns)
        results: list = [None] * len(events)  # type: ignore[type-arg]
        i = 0
        while i < len(events):
            # The chain: events up to and including the first without the linked flag.
            j = i
            while j < len(events) and events[j].flags & linked_flag:
                j += 1
            end = min(j, len(events) - 1)
            chain = list(range(i, end + 1))
            # A lone event that fails changes nothing, so only a real chain needs the copy.
            saved = copy.deepcopy(self.s) if len(chain) > 1 else self.s
            broke = False
            for k in chain:
                if j >= len(events) and k == len(events) - 1 and events[k].flags & linked_flag:
                    result = open_  # named so even when the chain already broke
                elif broke:
                    results[k] = failed
                    continue
                else:
                    result = one(events[k], base + k)
                results[k] = result
                if result != 0 and not broke:  # only the first failure takes the chain back
                    broke = True
                    transient = result in TRANSIENT_TRANSFER_RESULTS and isinstance(
                        events[k], Transfer
                    )
                    if len(chain) > 1:
                        failed_ids = set(self.s.failed)
                        self.s = saved
                        self.s.failed |= failed_ids
                        for m in chain:
                            if m < k:
                                results[m] = failed
                    if transient:
                        self.s.failed.add(events[k].id)
            i = end + 1
        if events:
            self.s.last = base + len(events) - 1
        return results

    def create_accounts(self, events: list[Account], now_ns: int) -> list[RA]:
        return self._batch(
            events,
            now_ns,
            self._account,
            int(AF.linked),
            RA.linked_event_failed,
            RA.linked_event_chain_open,
        )  # type: ignore[no-any-return]

    def create_transfers(self, events: list[Transfer], now_ns: int) -> list[RT]:
        return self._batch(
            events,
            now_ns,
            self._transfer,
            int(TF.linked),
            RT.linked_event_failed,
            RT.linked_event_chain_open,
        )  # type: ignore[no-any-return]

    # -------------------------------------------------------------- accounts

    def _account(self, a: Account, ts: int) -> RA:
        e = self.s.accounts.get(a.id)
        both = AF.debits_must_not_exceed_credits | AF.credits_must_not_exceed_debits
        created_flags = None if e is None else e.flags & ~int(AF.closed)
        rules: list[tuple[bool, RA]] = [
            (bool(a.flags & AF.imported), RA.imported_event_not_expected),
            (a.timestamp != 0, RA.timestamp_must_be_zero),
            (a.reserved != 0, RA.reserved_field),
            (bool(a.flags & ~KNOWN_ACCOUNT_FLAGS), RA.reserved_flag),
            (a.id == 0, RA.id_must_not_be_zero),
            (a.id == MAX, RA.id_must_not_be_int_max),
        ]
        if e is not None:
            rules += [
                (a.flags != e.flags and a.flags != created_flags, RA.exists_with_different_flags),
                (a.user_data_128 != e.user_data_128, RA.exists_with_different_user_data_128),
                (a.user_data_64 != e.user_data_64, RA.exists_with_different_user_data_64),
                (a.user_data_32 != e.user_data_32, RA.exists_with_different_user_data_32),
                (a.ledger != e.ledger, RA.exists_with_different_ledger),
                (a.code != e.code, RA.exists_with_different_code),
                (True, RA.exists),
            ]
        rules += [
            ((a.flags & both) == both, RA.flags_are_mutually_exclusive),
            (a.debits_pending != 0, RA.debits_pending_must_be_zero),
            (a.debits_posted != 0, RA.debits_posted_must_be_zero),
            (a.credits_pending != 0, RA.credits_pending_must_be_zero),
            (a.credits_posted != 0, RA.credits_posted_must_be_zero),
            (a.ledger == 0, RA.ledger_must_not_be_zero),
            (a.code == 0, RA.code_must_not_be_zero),
        ]
        for broken, result in rules:
            if broken:
                return result
        self.s.accounts[a.id] = replace(
            a, debits_pending=0, debits_posted=0, credits_pending=0, credits_posted=0, timestamp=ts
        )
        return RA.ok

    # -------------------------------------------------------------- transfers

    def _transfer(self, t: Transfer, ts: int) -> RT:
        f = t.flags
        post, void, pending = (
            bool(f & TF.post_pending_transfer),
            bool(f & TF.void_pending_transfer),
            bool(f & TF.pending),
        )
        bal_or_close = f & (
            TF.balancing_debit | TF.balancing_credit | TF.closing_debit | TF.closing_credit
        )
        head: list[tuple[bool, RT]] = [
            (bool(f & TF.imported), RT.imported_event_not_expected),
            (t.timestamp != 0, RT.timestamp_must_be_zero),
            (bool(f & ~KNOWN_TRANSFER_FLAGS), RT.reserved_flag),
            (t.id == 0, RT.id_must_not_be_zero),
            (t.id == MAX, RT.id_must_not_be_int_max),
        ]
        for broken, result in head:
            if broken:
                return result
        if t.id in self.s.transfers:
            return self._exists(t, self.s.transfers[t.id])
        if t.id in self.s.failed:
            return RT.id_already_failed
        if (pending and (post or void)) or (post and void) or ((post or void) and bal_or_close):
            return RT.flags_are_mutually_exclusive
        if post or void:
            return self._post_or_void(t, ts, post)
        return self._single_phase(t, ts, pending)

    def _exists(self, t: Transfer, e: Transfer) -> RT:
        pv = bool(t.flags & (TF.post_pending_transfer | TF.void_pending_transfer))
        # The pending transfer, when both name the same one (else an earlier check decides).
        p = self.s.transfers.get(t.pending_id) if pv and t.pending_id == e.pending_id else None
        if t.flags & TF.post_pending_transfer and p is not None:
            amount_differs = (p.amount if t.amount == AMOUNT_MAX else t.amount) != e.amount
        elif t.flags & TF.void_pending_transfer and p is not None:
            amount_differs = (t.amount or p.amount) != e.amount
        elif pv:
            amount_differs = True  # never reached: flags or pending_id differ first
        elif t.flags & (TF.balancing_debit | TF.balancing_credit):
            amount_differs = t.amount < e.amount
        else:
            amount_differs = t.amount != e.amount

        def differs(mine: int, theirs: int) -> bool:
            return (mine != theirs and mine != 0) if pv else mine != theirs

        def user_data_differs(name: str) -> bool:
            # A post or void that left user data out holds the pending transfer's.
            mine = getattr(t, name)
            if p is not None and mine == 0:
                return bool(getattr(e, name) != getattr(p, name))
            return bool(mine != getattr(e, name))

        checks: list[tuple[bool, RT]] = [
            (t.flags != e.flags, RT.exists_with_different_flags),
            (t.pending_id != e.pending_id, RT.exists_with_different_pending_id),
            (t.timeout != e.timeout, RT.exists_with_different_timeout),
            (
                differs(t.debit_account_id, e.debit_account_id),
                RT.exists_with_different_debit_account_id,
            ),
            (
                differs(t.credit_account_id, e.credit_account_id),
                RT.exists_with_different_credit_account_id,
            ),
            (amount_differs, RT.exists_with_different_amount),
            (user_data_differs("user_data_128"), RT.exists_with_different_user_data_128),
            (user_data_differs("user_data_64"), RT.exists_with_different_user_data_64),
            (user_data_differs("user_data_32"), RT.exists_with_different_user_data_32),
            (differs(t.ledger, e.ledger), RT.exists_with_different_ledger),
            (differs(t.code, e.code), RT.exists_with_different_code),
        ]
        for broken, result in checks:
            if broken:
                return result
        return RT.exists

    def _single_phase(self, t: Transfer, ts: int, pending: bool) -> RT:
        closing = bool(t.flags & (TF.closing_debit | TF.closing_credit))
        shape: list[tuple[bool, RT]] = [
            (t.debit_account_id == 0, RT.debit_account_id_must_not_be_zero),
            (t.debit_account_id == MAX, RT.debit_account_id_must_not_be_int_max),
            (t.credit_account_id == 0, RT.credit_account_id_must_not_be_zero),
            (t.credit_account_id == MAX, RT.credit_account_id_must_not_be_int_max),
            (t.debit_account_id == t.credit_account_id, RT.accounts_must_be_different),
            (t.pending_id != 0, RT.pending_id_must_be_zero),
            (not pending and t.timeout != 0, RT.timeout_reserved_for_pending_transfer),
            (not pending and closing, RT.closing_transfer_must_be_pending),
            (t.ledger == 0, RT.ledger_must_not_be_zero),
            (t.code == 0, RT.code_must_not_be_zero),
            (t.debit_account_id not in self.s.accounts, RT.debit_account_not_found),
            (t.credit_account_id not in self.s.accounts, RT.credit_account_not_found),
        ]
        for broken, result in shape:
            if broken:
                return result
        dr, cr = self.s.accounts[t.debit_account_id], self.s.accounts[t.credit_account_id]
        amount = t.amount
        if t.flags & TF.balancing_debit:
            amount = min(amount, max(0, dr.credits_posted - dr.debits_posted - dr.debits_pending))
        if t.flags & TF.balancing_credit:
            amount = min(amount, max(0, cr.debits_posted - cr.credits_posted - cr.credits_pending))
        rest: list[tuple[bool, RT]] = [
            (dr.ledger != cr.ledger, RT.accounts_must_have_the_same_ledger),
            (t.ledger != dr.ledger, RT.transfer_must_have_the_same_ledger_as_accounts),
            (bool(dr.flags & AF.closed), RT.debit_account_already_closed),
            (bool(cr.flags & AF.closed), RT.credit_account_already_closed),
            (pending and dr.debits_pending + amount > MAX, RT.overflows_debits_pending),
            (pending and cr.credits_pending + amount > MAX, RT.overflows_credits_pending),
            (dr.debits_posted + amount > MAX, RT.overflows_debits_posted),
            (cr.credits_posted + amount > MAX, RT.overflows_credits_posted),
            (dr.debits_pending + dr.debits_posted + amount > MAX, RT.overflows_debits),
            (cr.credits_pending + cr.credits_posted + amount > MAX, RT.overflows_credits),
            (ts + t.timeout * NS > 2**63 - 1, RT.overflows_timeout),
            (
                bool(dr.flags & AF.debits_must_not_exceed_credits)
                and dr.debits_pending + dr.debits_posted + amount > dr.credits_posted,
                RT.exceeds_credits,
            ),
            (
                bool(cr.flags & AF.credits_must_not_exceed_debits)
                and cr.credits_pending + cr.credits_posted + amount > cr.debits_posted,
                RT.exceeds_debits,
            ),
        ]
        for broken, result in rest:
            if broken:
                return result
        self.s.transfers[t.id] = replace(t, amount=amount, timestamp=ts)
        if pending:
            dr.debits_pending += amount
            cr.credits_pending += amount
            self.s.status[t.id] = "pending"
            if t.flags & TF.closing_debit:
                dr.flags |= int(AF.closed)
            if t.flags & TF.closing_credit:
                cr.flags |= int(AF.closed)
        else:
            dr.debits_posted += amount
            cr.credits_posted += amount
        return RT.ok

    def _post_or_void(self, t: Transfer, ts: int, post: bool) -> RT:
        p = self.s.transfers.get(t.pending_id)
        early: list[tuple[bool, RT]] = [
            (t.pending_id == 0, RT.pending_id_must_not_be_zero),
            (t.pending_id == MAX, RT.pending_id_must_not_be_int_max),
            (t.pending_id == t.id, RT.pending_id_must_be_different),
            (t.timeout != 0, RT.timeout_reserved_for_pending_transfer),
            (p is None, RT.pending_transfer_not_found),
        ]
        for broken, result in early:
            if broken:
                return result
        assert p is not None
        if post:
            amount = p.amount if t.amount == AMOUNT_MAX else t.amount
        else:
            amount = t.amount or p.amount
        dr, cr = self.s.accounts[p.debit_account_id], self.s.accounts[p.credit_account_id]
        status = self.s.status.get(p.id)
        late: list[tuple[bool, RT]] = [
            (not p.flags & TF.pending, RT.pending_transfer_not_pending),
            (
                t.debit_account_id not in (0, p.debit_account_id),
                RT.pending_transfer_has_different_debit_account_id,
            ),
            (
                t.credit_account_id not in (0, p.credit_account_id),
                RT.pending_transfer_has_different_credit_account_id,
            ),
            (t.ledger not in (0, p.ledger), RT.pending_transfer_has_different_ledger),
            (t.code not in (0, p.code), RT.pending_transfer_has_different_code),
            (amount > p.amount, RT.exceeds_pending_transfer_amount),
            (amount < p.amount and not post, RT.pending_transfer_has_different_amount),
            (status == "posted", RT.pending_transfer_already_posted),
            (status == "voided", RT.pending_transfer_already_voided),
            (status == "expired", RT.pending_transfer_expired),
            # A closed account allows one movement: voiding a pending transfer.
            (post and bool(dr.flags & AF.closed), RT.debit_account_already_closed),
            (post and bool(cr.flags & AF.closed), RT.credit_account_already_closed),
            (post and dr.debits_posted + amount > MAX, RT.overflows_debits_posted),
            (post and cr.credits_posted + amount > MAX, RT.overflows_credits_posted),
        ]
        for broken, result in late:
            if broken:
                return result
        self.s.transfers[t.id] = Transfer(
            t.id,
            p.debit_account_id,
            p.credit_account_id,
            amount,
            p.ledger,
            p.code,
            t.flags,
            p.id,
            0,
            t.user_data_128 or p.user_data_128,
            t.user_data_64 or p.user_data_64,
            t.user_data_32 or p.user_data_32,
            ts,
        )
        dr.debits_pending -= p.amount
        cr.credits_pending -= p.amount
        if post:
            dr.debits_posted += amount
            cr.credits_posted += amount
            self.s.status[p.id] = "posted"
        else:
            self.s.status[p.id] = "voided"
            if p.flags & TF.closing_debit:
                dr.flags &= ~int(AF.closed)
            if p.flags & TF.closing_credit:
                cr.flags &= ~int(AF.closed)
        return RT.ok

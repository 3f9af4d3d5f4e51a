"""The daily run over every open cash loan (`colony loans accrue --day`, docs/adr/0051).

For UTC day d, a page of open loans at a time (`loans_page_size`), read with both their
receivables in one ledger lookup:
1. accrue the day's interest (410) and penalty on principal overdue before d (412), each with
   user_data_32 = d;
2. collect what is due (the interest owed and the principal the schedule called for by d) from
   the wallet, all or nothing, as one chain with the wallet's balance headroom given back, the
   lender's allowance back for the principal and its share of the interest (413, 401, 414);
3. read the receivables again: a loan now owing nothing is repaid; one `charge_off_days`
   overdue is written off (416); the rest count toward the provision of their bucket;
then raise or release each currency's provision to the buckets' sum (415).

Every transfer id is derived from (loan, d) or (provision account, d) through chart slots, so a
day run again finds its transfers made and moves nothing twice. Events go to the ledger in
batches of at most `batch_events_max` (chains never split across batches).

A day finished is recorded (`DayRecord`) after its last event, and a run of a recorded day is
answered from the record without walking a loan (docs/adr/0056). A day whose run stopped part
way has no record: running it again walks every loan, and the ledger's ids keep what was made
from being made twice.
"""

from __future__ import annotations

import time
from collections import defaultdict
from collections.abc import Iterator
from dataclasses import dataclass, field
from typing import NamedTuple

from colony.chart import IdPrefix, Slot, Slots
from colony.kernel.clock import NS_PER_DAY
from colony.kernel.money import currency_of_ledger
from colony.ledger import LedgerPort, Transfer
from colony.ledger.results import CreateTransferResult as RT
from colony.loans import chains, rules
from colony.loans.books import held
from colony.loans.model import (
    TRANSFER_INTEREST_ACCRUAL,
    TRANSFER_PENALTY_ACCRUAL,
    TRANSFER_PROVISION,
    DayRecord,
    LoanStatus,
    Repayment,
    RunLoan,
    book_account_id,
)
from colony.loans.store import LoanStore
from colony.wallets import WalletService

# Loans read from the table at a time: their two receivables are one ledger lookup of 8,000
# ids, under the ledger's batch of 8,190.
loans_page_size = 4_000
# Events in one ledger batch the run submits: the ledger's own limit.
batch_events_max = 8_190
# Distinct schedules whose day a run keeps worked out (loans made alike share one): past this
# many, the kept ones are dropped and worked out again.
calendar_kept_max = 65_536


@dataclass
class DayReport:
    day: int
    loans: int = 0
    accrued_minor: dict[str, int] = field(default_factory=lambda: defaultdict(int))
    penalty_minor: dict[str, int] = field(default_factory=lambda: defaultdict(int))
    collected: int = 0
    collected_minor: dict[str, int] = field(default_factory=lambda: defaultdict(int))
    not_collected: int = 0  # the wallet held too little: tried again tomorrow
    repaid: int = 0
    charged_off: int = 0
    provision_minor: dict[str, int] = field(default_factory=lambda: defaultdict(int))
    made_before: int = 0  # events the ledger had from an earlier run of the day
    seconds: float = 0.0
    # The day was finished before: answered from its record, no loan walked, nothing moved.
    recorded: DayRecord | None = None


class _Accrual(NamedTuple):
    """One of the two accruals of a day (interest, penalty): its id slot, book and code."""

    slot: Slot
    income: IdPrefix
    code: int


_INTEREST = _Accrual(
    Slots.loan_interest_of_day, IdPrefix.interest_income, TRANSFER_INTEREST_ACCRUAL
)
_PENALTY = _Accrual(Slots.loan_penalty_of_day, IdPrefix.penalty_income, TRANSFER_PENALTY_ACCRUAL)


class _Calendar(NamedTuple):
    """What a schedule says of day d, the same for every loan made alike (kept per run)."""

    due_before: int  # principal called for by d - 1
    due_by: int  # principal called for by d
    collect: bool  # d is a due day, or after the last


class DailyRun:
    def __init__(
        self,
        ledger: LedgerPort,
        store: LoanStore,
        *,
        page_size: int = loans_page_size,
        batch_max: int = batch_events_max,
    ) -> None:
        if not 1 <= page_size <= 4_095 or not 6 <= batch_max <= batch_events_max:
            raise ValueError("a page of 1-4,095 loans, batches of 6-8,190 events")
        self._ledger = ledger
        self._store = store
        self._page_size = page_size
        self._batch_max = batch_max
        self._shares = {(x.name, x.currency): x.income_share_bps for x in store.lenders()}
        # Each schedule's day, worked out once a run (`_calendar_of`).
        self._calendar: dict[tuple[tuple[int, ...], tuple[int, ...]], _Calendar] = {}

    def run(self, day: int, now_ns: int, *, answer_from_record: bool = True) -> DayReport:
        """Run day `day` (UTC days since 1970-01-01) at `now_ns`. A day finished before is
        answered from its record; with `answer_from_record=False` it is walked again (every
        event found made: nothing moves), which checks the ledger holds the whole day."""
        started = time.perf_counter()
        report = DayReport(day)
        if answer_from_record:
            report.recorded = self._store.day_record(day)
            if report.recorded is not None:
                report.seconds = time.perf_counter() - started
                return report
        # Every lender's currency is provided for, so a book whose loans are all repaid
        # releases its provision to zero.
        targets: dict[int, int] = {x.ledger: 0 for x in self._store.lenders()}
        self._calendar = {}
        # A collection is recorded as made on its day (at its last moment), so the portfolio's
        # history reads it on the right day however late the run.
        at = min(now_ns, (day + 1) * NS_PER_DAY - 1)
        for page in self._pages():
            self._page(day, at, [x for x in page if x.disbursed_day < day], report, targets)
        self._provide(day, targets, report)
        # Only now, every event of the day made: the record says the day needs no walk again.
        self._store.record_day(
            DayRecord(
                day, report.loans, report.collected, report.not_collected, report.repaid,
                report.charged_off, report.made_before, now_ns,
            )
        )  # fmt: skip
        report.seconds = time.perf_counter() - started
        return report

    def _pages(self) -> Iterator[list[RunLoan]]:
        after = ""
        while True:
            page, after = self._store.run_page(after, self._page_size)
            if not page:
                return
            yield page

    def _balances(self, loans: list[RunLoan]) -> dict[int, int]:
        """What each loan's two receivables are owed (debits less credits posted)."""
        ids = [i for x in loans for i in (x.account_id, x.interest_account_id)]
        found = self._ledger.lookup_balances(ids)
        return {i: b.debits_posted - b.credits_posted for i, b in found.items()}

    def _calendar_of(self, loan: RunLoan, day: int) -> _Calendar:
        calendar = self._calendar
        key = (loan.due_days, loan.principal_parts)
        found = calendar.get(key)
        if found is None:
            if len(calendar) >= calendar_kept_max:
                calendar.clear()
            found = calendar[key] = _Calendar(
                rules.principal_due_by(day - 1, loan.due_days, loan.principal_parts),
                rules.principal_due_by(day, loan.due_days, loan.principal_parts),
                day in loan.due_days or day > loan.due_days[-1],
            )
        return found

    def _page(
        self,
        day: int,
        now_ns: int,
        loans: list[RunLoan],
        report: DayReport,
        targets: dict[int, int],
    ) -> None:
        if not loans:
            return
        report.loans += len(loans)
        owes = self._balances(loans)
        accruals: list[list[Transfer]] = []
        collections: list[list[Transfer]] = []
        intents: list[Repayment] = []
        # What each loan owes after its accruals, unless a collection changes it (re-read).
        after: dict[int, int] = {}
        calendars = [self._calendar_of(x, day) for x in loans]
        for loan, when in zip(loans, calendars, strict=True):
            p_out, i_out = owes[loan.account_id], owes[loan.interest_account_id]
            paid = loan.principal_minor - p_out
            late = when.due_before - paid
            interest = rules.interest_on(
                day, loan.method, loan.annual_rate_bps, p_out, loan.disbursed_day, loan.due_days,
                loan.interest_parts,
            )  # fmt: skip
            penalty = rules.penalty_on(late) if late > 0 else 0
            if interest > 0:
                accruals.append(self._accrual(_INTEREST, loan, day, interest))
            if penalty > 0:
                accruals.append(self._accrual(_PENALTY, loan, day, penalty))
            due = max(0, when.due_by - paid)
            owing = i_out + interest + penalty
            after[loan.account_id], after[loan.interest_account_id] = p_out, owing
            if (due > 0 or when.collect) and due + owing > 0:
                collections.append(self._collection(loan, day, owing, due, now_ns, intents))
                after.pop(loan.account_id)
        if intents:
            self._store.add_repayments(intents)  # intent first; counted once the ledger has it
        # The accruals and the collections go together, in that order: a collection takes
        # the interest its accruals add, and the ledger applies events in the order sent.
        outcomes = list(self._submit(accruals + collections))
        stale = False  # a day run before: what the ledger holds is not what was predicted
        for chain, results in outcomes[: len(accruals)]:
            if results[0] is RT.ok:  # counted as made now, not when found made before
                made = chain[0]
                amounts = (
                    report.accrued_minor if made.code == _INTEREST.code else report.penalty_minor
                )
                amounts[_currency(made)] += made.amount
            else:
                if not chains.done_before(results):
                    raise chains.ChainRefused(f"accrual {chain[0].id}: {results[0].name}")
                report.made_before += 1
                stale = True
        for chain, results in outcomes[len(accruals) :]:
            outcome = results[0] if all(r is results[0] for r in results) else None
            if outcome is RT.ok:
                report.collected += 1
                report.collected_minor[_currency(chain[0])] += chain[0].amount + chain[1].amount
            elif chains.done_before(results):
                report.made_before += 1
            else:  # the wallet held too little (anything else raises): tried again tomorrow
                chains.chain_outcome(results, wallet_legs=(0, 1), daily_cap_at=None)
                report.not_collected += 1
        unsure = loans if stale else [x for x in loans if x.account_id not in after]
        after |= self._balances(unsure) if unsure else {}
        self._settle(day, loans, calendars, after, report, targets)

    @staticmethod
    def _accrual(kind: _Accrual, loan: RunLoan, day: int, amount: int) -> list[Transfer]:
        """The day's interest or penalty on a loan, owed on its interest receivable."""
        return [
            Transfer(
                kind.slot.of(loan.account_id, day), loan.interest_account_id,
                book_account_id(kind.income, loan.ledger), amount, loan.ledger, kind.code,
                user_data_32=day,
            )
        ]  # fmt: skip

    def _collection(
        self, loan: RunLoan, day: int, owing: int, due: int, now_ns: int, intents: list[Repayment]
    ) -> list[Transfer]:
        """The chain collecting what a loan owes and is due from its wallet; its intent noted."""
        tid = Slots.loan_collection_of_day.of(loan.account_id, day)
        share = rules.share_of(owing, self._shares.get((loan.lender, loan.currency), 0))
        out, legs = chains.repayment(loan, tid, owing, due, share)
        control = WalletService.limit_control_account_id(loan.ledger)
        back = chains.headroom_back(loan, tid, control, owing + due)
        intents.append(
            Repayment(f"lrp_{tid:032x}", loan.id, tid, owing + due, owing, due, False, True, now_ns)
        )
        return chains.linked([*out, back, *legs])

    def _settle(
        self,
        day: int,
        loans: list[RunLoan],
        calendars: list[_Calendar],
        owes: dict[int, int],
        report: DayReport,
        targets: dict[int, int],
    ) -> None:
        """After the day's money: repaid loans close, loans long overdue are written off, the
        rest are provided for by their bucket."""
        changes: list[tuple[str, LoanStatus, int | None, int]] = []
        overdue: list[RunLoan] = []
        for loan, when in zip(loans, calendars, strict=True):
            p_out, i_out = owes[loan.account_id], owes[loan.interest_account_id]
            if p_out == 0 and i_out == 0:
                changes.append((loan.id, LoanStatus.repaid, None, 0))
                report.repaid += 1
                continue
            paid = loan.principal_minor - p_out
            late = (
                0  # paid all the schedule called for by today: not overdue
                if paid >= when.due_by
                else rules.days_overdue(day, loan.due_days, loan.principal_parts, paid)
            )
            if late >= rules.charge_off_days:
                overdue.append(loan)
            else:
                targets[loan.ledger] = targets.get(loan.ledger, 0) + rules.provision_for(
                    p_out, late
                )
        exact = self._balances(overdue) if overdue else {}  # what is written off, to the cent
        offs: list[list[Transfer]] = []
        for loan in overdue:
            p_out, i_out = exact[loan.account_id], exact[loan.interest_account_id]
            offs.append(chains.charge_off(loan, p_out, i_out))
            changes.append((loan.id, LoanStatus.charged_off, day, p_out + i_out))
            report.charged_off += 1
        for chain, results in self._submit(offs):
            if any(r is not RT.ok for r in results) and not chains.done_before(results):
                raise chains.ChainRefused(f"charge-off {chain[0].id}: {[r.name for r in results]}")
        if changes:
            self._store.set_statuses(changes)

    def _provide(self, day: int, targets: dict[int, int], report: DayReport) -> None:
        """Each currency's provision raised or released to what its buckets call for."""
        moves = []
        for ledger, target in sorted(targets.items()):
            provision = book_account_id(IdPrefix.loss_provision, ledger)
            expense = book_account_id(IdPrefix.provision_expense, ledger)
            (account,) = self._ledger.lookup_accounts([provision])
            change = target - held(account)
            if change == 0:
                continue
            dr, cr = (expense, provision) if change > 0 else (provision, expense)
            tid = Slots.provision_of_day.of(provision, day)
            moves.append([Transfer(tid, dr, cr, abs(change), ledger, TRANSFER_PROVISION,
                                   user_data_32=day)])  # fmt: skip
        for chain, results in self._submit(moves):
            if results[0] is RT.ok:
                raised = chain[0].credit_account_id == book_account_id(
                    IdPrefix.loss_provision, chain[0].ledger
                )
                amount = chain[0].amount
                report.provision_minor[_currency(chain[0])] += amount if raised else -amount
            elif chains.done_before(results):
                report.made_before += 1
            else:
                raise chains.ChainRefused(f"provision {chain[0].id}: {results[0].name}")

    def _submit(self, chains_: list[list[Transfer]]) -> Iterator[tuple[list[Transfer], list[RT]]]:
        """Each chain with its results, sent in batches of at most `batch_max` events."""
        batch: list[list[Transfer]] = []
        size = 0
        for chain in chains_:
            if size + len(chain) > self._batch_max:
                yield from self._send(batch)
                batch, size = [], 0
            batch.append(chain)
            size += len(chain)
        if batch:
            yield from self._send(batch)

    def _send(self, batch: list[list[Transfer]]) -> Iterator[tuple[list[Transfer], list[RT]]]:
        results = self._ledger.create_transfers([t for chain in batch for t in chain])
        at = 0
        for chain in batch:
            yield chain, results[at : at + len(chain)]
            at += len(chain)


def _currency(t: Transfer) -> str:
    return currency_of_ledger(t.ledger) or str(t.ledger)

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
"""

from __future__ import annotations

import time
from collections import defaultdict
from collections.abc import Iterator
from dataclasses import dataclass, field

from colony.chart import IdPrefix, Slots
from colony.kernel.money import currency_of_ledger
from colony.ledger import LedgerPort, Transfer
from colony.ledger.results import CreateTransferResult as RT
from colony.loans import chains, rules
from colony.loans.books import held, owed
from colony.loans.days import NS_PER_DAY
from colony.loans.model import (
    TRANSFER_INTEREST_ACCRUAL,
    TRANSFER_PENALTY_ACCRUAL,
    TRANSFER_PROVISION,
    Loan,
    LoanStatus,
    Repayment,
    book_account_id,
)
from colony.loans.store import LoanStore
from colony.wallets import WalletService

# Loans read from the table at a time: their two receivables are one ledger lookup of 8,000
# ids, under the ledger's batch of 8,190.
loans_page_size = 4_000
# Events in one ledger batch the run submits: the ledger's own limit.
batch_events_max = 8_190


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

    def run(self, day: int, now_ns: int) -> DayReport:
        started = time.perf_counter()
        report = DayReport(day)
        # Every lender's currency is provided for, so a book whose loans are all repaid
        # releases its provision to zero.
        targets: dict[int, int] = {x.ledger: 0 for x in self._store.lenders()}
        for page in self._pages():
            # A collection is recorded as made on its day (at its last moment), so the
            # portfolio's history reads it on the right day however late the run.
            at = min(now_ns, (day + 1) * NS_PER_DAY - 1)
            self._page(day, at, [x for x in page if x.disbursed_day < day], report, targets)
        self._provide(day, targets, report)
        report.seconds = time.perf_counter() - started
        return report

    def _pages(self) -> Iterator[list[Loan]]:
        after = ""
        while True:
            page = self._store.loans_page(LoanStatus.open, after, self._page_size)
            if not page:
                return
            yield page
            after = page[-1].id

    def _balances(self, loans: list[Loan]) -> dict[int, int]:
        ids = [i for x in loans for i in (x.account_id, x.interest_account_id)]
        return {a.id: owed(a) for a in self._ledger.lookup_accounts(ids)}

    def _page(
        self, day: int, now_ns: int, loans: list[Loan], report: DayReport, targets: dict[int, int]
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
        for loan in loans:
            p_out, i_out = owes[loan.account_id], owes[loan.interest_account_id]
            paid = loan.principal_minor - p_out
            late = rules.principal_due_by(day - 1, loan.due_days, loan.principal_parts) - paid
            interest = rules.interest_on(
                day, loan.method, loan.annual_rate_bps, p_out, loan.disbursed_day, loan.due_days,
                loan.interest_parts,
            )  # fmt: skip
            penalty = rules.penalty_on(late) if late > 0 else 0
            accruals += self._accruals(loan, day, interest, penalty, report)
            due = max(0, rules.principal_due_by(day, loan.due_days, loan.principal_parts) - paid)
            owing = i_out + interest + penalty
            after[loan.account_id], after[loan.interest_account_id] = p_out, owing
            if (due > 0 or day in loan.due_days or day > loan.due_days[-1]) and due + owing > 0:
                tid = Slots.loan_collection_of_day.of(loan.account_id, day)
                share = rules.share_of(owing, self._shares.get((loan.lender, loan.currency), 0))
                out, legs = chains.repayment(loan, tid, owing, due, share)
                control = WalletService.limit_control_account_id(loan.ledger)
                back = chains.headroom_back(loan, tid, control, owing + due)
                collections.append(chains.linked([*out, back, *legs]))
                intents.append(
                    Repayment(
                        f"lrp_{tid:032x}",
                        loan.id,
                        tid,
                        owing + due,
                        owing,
                        due,
                        False,
                        True,
                        now_ns,
                    )
                )
                after.pop(loan.account_id)
        stale = False  # a day run before: what the ledger holds is not what was predicted
        for chain, results in self._submit(accruals):
            if results[0] is not RT.ok:
                if not chains.done_before(results):
                    raise chains.ChainRefused(f"accrual {chain[0].id}: {results[0].name}")
                report.made_before += 1
                stale = True
        if intents:
            self._store.add_repayments(intents)  # intent first; counted once the ledger has it
        for chain, results in self._submit(collections):
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
        self._settle(day, loans, after, report, targets)

    def _accruals(
        self, loan: Loan, day: int, interest: int, penalty: int, report: DayReport
    ) -> list[list[Transfer]]:
        made = []
        if interest > 0:
            income = book_account_id(IdPrefix.interest_income, loan.ledger)
            made.append([
                Transfer(
                    Slots.loan_interest_of_day.of(loan.account_id, day), loan.interest_account_id,
                    income, interest, loan.ledger, TRANSFER_INTEREST_ACCRUAL, user_data_32=day,
                )
            ])  # fmt: skip
            report.accrued_minor[loan.currency] += interest
        if penalty > 0:
            income = book_account_id(IdPrefix.penalty_income, loan.ledger)
            made.append([
                Transfer(
                    Slots.loan_penalty_of_day.of(loan.account_id, day), loan.interest_account_id,
                    income, penalty, loan.ledger, TRANSFER_PENALTY_ACCRUAL, user_data_32=day,
                )
            ])  # fmt: skip
            report.penalty_minor[loan.currency] += penalty
        return made

    def _settle(
        self,
        day: int,
        loans: list[Loan],
        owes: dict[int, int],
        report: DayReport,
        targets: dict[int, int],
    ) -> None:
        """After the day's money: repaid loans close, loans long overdue are written off, the
        rest are provided for by their bucket."""
        changes: list[tuple[str, LoanStatus, int | None, int]] = []
        overdue: list[Loan] = []
        for loan in loans:
            p_out, i_out = owes[loan.account_id], owes[loan.interest_account_id]
            if p_out == 0 and i_out == 0:
                changes.append((loan.id, LoanStatus.repaid, None, 0))
                report.repaid += 1
                continue
            paid = loan.principal_minor - p_out
            late = rules.days_overdue(day, loan.due_days, loan.principal_parts, paid)
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

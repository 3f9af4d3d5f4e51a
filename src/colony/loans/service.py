"""Cash loans: offers, applying (a decision from the person's credit score), disbursement
into the wallet, a loan's state read from the ledger, and repayment (docs/adr/0051).

Intent first (ADR 0003): a loan is recorded `pending` with every id it will use derived from
its own, then its accounts are made and its disbursement submitted as one linked chain:
the lender's available capital is drawn (the ledger refuses a loan larger than what is left),
the principal is paid into the wallet and the wallet's balance headroom is used. A retry with
the same loan id resubmits the same chain and moves nothing twice.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

from colony.credit import (
    DECLINED,
    CreditScores,
    LineStore,
    Method,
    Schedule,
    ScoreResult,
    due_date,
    schedule,
)
from colony.kernel.clock import NS_PER_DAY, Clock, date_of_day, day_number
from colony.kernel.money import scale_of
from colony.ledger import LedgerPort
from colony.ledger.results import CreateTransferResult as RT
from colony.loans import chains, rules
from colony.loans.accrual import DailyRun
from colony.loans.books import ensure_currency_books, loan_accounts, make_accounts, owed
from colony.loans.lenders import Lenders
from colony.loans.model import (
    InterestMethod,
    Lender,
    Loan,
    LoanProduct,
    LoanStatus,
    Repayment,
    account_id_of,
    loan_id_of,
    open_loans_per_wallet_max,
    product_named,
)
from colony.loans.portfolio import Portfolio, portfolio
from colony.loans.results import LoanResult
from colony.loans.store import LoanStore
from colony.wallets import Wallet, WalletService

_OPEN_NOW = (LoanStatus.pending, LoanStatus.open)
_SCHEDULE_METHOD = {
    InterestMethod.schedule: Method.annuity,
    InterestMethod.daily: Method.equal_principal,
}


def plan(
    product: LoanProduct, method: InterestMethod, principal_minor: int, disbursed: dt.date
) -> Schedule:
    """The schedule of a loan made on `disbursed`: monthly from a month after. On the daily
    method its interest is what a loan repaid on time would pay at 1/12 of the rate a month;
    what is charged is the day's interest on what is outstanding."""
    made, found = schedule(
        principal_minor, product.annual_rate_bps, product.months, _SCHEDULE_METHOD[method],
        due_date(disbursed, 1),
    )  # fmt: skip
    if found is None:
        raise ValueError(f"a product's own terms refused: {made.name}")
    return found


@dataclass(frozen=True)
class LoanState:
    loan: Loan
    principal_outstanding: int
    interest_owed: int  # interest and penalty accrued, not yet paid
    days_overdue: int
    principal_due_now: int  # principal the schedule called for by today, not yet repaid
    next_due_day: int | None
    still_owed: int  # all that is owed; after a charge-off, what was written off less recoveries

    @property
    def due_now(self) -> int:
        return (
            self.interest_owed + self.principal_due_now
            if self.loan.status is LoanStatus.open
            else 0
        )


class LoanService:
    def __init__(
        self,
        ledger: LedgerPort,
        wallets: WalletService,
        scores: CreditScores,
        lenders: Lenders,
        store: LoanStore,
        clock: Clock,
    ) -> None:
        self._ledger = ledger
        self._wallets = wallets
        self._scores = scores
        self.lenders = lenders
        self._store = store
        self._clock = clock

    def today(self) -> int:
        return self._clock.now_ns() // NS_PER_DAY

    def portfolio(self, day: int | None = None, lines: LineStore | None = None) -> Portfolio:
        """The portfolio report as of `day` (today by default); the credit line's too, given
        its store."""
        return portfolio(self._ledger, self._store, self.today() if day is None else day, lines)

    def daily_run(self, **limits: int) -> DailyRun:
        """The daily run over this service's loans (`page_size`, `batch_max` as DailyRun)."""
        return DailyRun(self._ledger, self._store, **limits)

    # -------------------------------------------------------------- applying

    def apply(
        self,
        wallet: Wallet,
        product_code: str,
        method: str,
        amount_minor: int,
        loan_account_id: int,
    ) -> tuple[LoanResult, Loan | None]:
        """Apply for a loan and, if the score allows, disburse it into the wallet. The same
        `loan_account_id` again (a retry) finishes or repeats the same loan."""
        found = self._store.loan(loan_id_of(loan_account_id))
        if found is not None:
            same = (found.wallet_id, found.product, found.method.value, found.principal_minor) == (
                wallet.id, product_code, method, amount_minor,
            )  # fmt: skip
            if not same:
                return LoanResult.id_reused_differently, None
            if found.status is LoanStatus.refused:
                return LoanResult.refused_before, None
            return self._disburse(wallet, found)
        product = product_named(product_code)
        if product is None:
            return LoanResult.unknown_product, None
        if method not in InterestMethod.__members__:
            return LoanResult.unknown_method, None
        least, most = product.amount_bounds(scale_of(wallet.currency))
        if isinstance(amount_minor, bool) or not least <= amount_minor <= most:
            return LoanResult.amount_out_of_range, None
        if self._wallets.is_frozen(wallet.id):
            return LoanResult.wallet_frozen, None
        live = [x for x in self._store.loans_of_wallet(wallet.id) if x.status in _OPEN_NOW]
        if len(live) >= open_loans_per_wallet_max:
            return LoanResult.too_many_open_loans, None
        lender = self._lender_for(wallet.currency, amount_minor)
        if lender is None:
            return LoanResult.no_lender, None
        scored, record = self._scores.score_wallet(wallet)
        if scored is ScoreResult.consent_required or record is None:
            return LoanResult.consent_required, None
        if record.band == DECLINED:
            return LoanResult.declined, None
        if amount_minor > record.limit_minor:
            return LoanResult.over_limit, None
        today = self.today()
        made = plan(product, InterestMethod(method), amount_minor, date_of_day(today))
        loan = Loan(
            loan_id_of(loan_account_id), loan_account_id, wallet.id, wallet.account_id,
            lender.name, product.code, InterestMethod(method), wallet.currency, wallet.ledger,
            amount_minor, product.annual_rate_bps, today,
            tuple(day_number(i.due_date) for i in made.instalments),
            tuple(i.principal_minor for i in made.instalments),
            tuple(i.interest_minor for i in made.instalments),
            LoanStatus.pending, None, 0, self._clock.now_ns(),
        )  # fmt: skip
        self._store.insert_loan(loan)  # intent first (ADR 0003)
        return self._disburse(wallet, loan)

    def _lender_for(self, currency: str, amount_minor: int) -> Lender | None:
        """The lender in `currency` with the most left to lend (by name on a tie), if any
        has at least `amount_minor`; otherwise the first, whose refusal the ledger gives."""
        found = [self.lenders.balance(x) for x in self._store.lenders() if x.currency == currency]
        if not found:
            return None
        best = max(found, key=lambda b: (b.available_minor, b.lender.name))
        return best.lender

    def _disburse(self, wallet: Wallet, loan: Loan) -> tuple[LoanResult, Loan | None]:
        if loan.status is not LoanStatus.pending:
            return LoanResult.ok, loan
        ensure_currency_books(self._ledger, loan.ledger)
        make_accounts(self._ledger, loan_accounts(loan))
        chain = chains.linked(
            [
                *chains.disbursement(loan),
                *self._wallets.receive_legs(
                    wallet.account_id, loan.ledger, loan.principal_minor,
                    chains.disbursement_id(loan),
                ),
            ]
        )  # fmt: skip
        results = self._ledger.create_transfers(chain)
        refused = _disbursement_refusal(results)
        status = LoanStatus.open if refused is LoanResult.ok else LoanStatus.refused
        self._store.set_status(loan.id, status)
        if refused is not LoanResult.ok:
            return refused, None
        return LoanResult.ok, self._store.loan(loan.id)

    # -------------------------------------------------------------- reading

    def loan(self, loan_id: str) -> Loan | None:
        return self._store.loan(loan_id) if account_id_of(loan_id) is not None else None

    def loans_of(self, wallet: Wallet) -> list[Loan]:
        """The wallet's loans, newest first (never those the ledger refused to make)."""
        return [
            x for x in self._store.loans_of_wallet(wallet.id) if x.status is not LoanStatus.refused
        ]

    def repayments(self, loan: Loan) -> list[Repayment]:
        """The loan's repayments the ledger made, oldest first."""
        recorded = self._store.repayments(loan.id)
        made = {t.id for t in self._ledger.lookup_transfers([r.transfer_id for r in recorded])}
        return [r for r in recorded if r.transfer_id in made]

    def state(self, loan: Loan, day: int | None = None) -> LoanState:
        """What the loan owes and how late it is on `day` (today by default), from the ledger."""
        day = self.today() if day is None else day
        principal, interest = self._ledger.lookup_accounts(
            [loan.account_id, loan.interest_account_id]
        )
        p_out, i_out = owed(principal), owed(interest)
        if loan.status is LoanStatus.charged_off:
            recovered = sum(r.amount_minor for r in self.repayments(loan) if r.recovery)
            still = loan.charged_off_minor - recovered
            return LoanState(loan, 0, 0, 0, 0, None, still)
        paid = loan.principal_minor - p_out
        due_by = rules.principal_due_by(day, loan.due_days, loan.principal_parts)
        coming = [d for d in loan.due_days if d > day]
        overdue = rules.days_overdue(day, loan.due_days, loan.principal_parts, paid)
        return LoanState(
            loan, p_out, i_out, overdue, max(0, due_by - paid), coming[0] if coming else None,
            p_out + i_out,
        )  # fmt: skip

    # -------------------------------------------------------------- repaying

    def repay(
        self, wallet: Wallet, loan_id: str, amount_minor: int, transfer_id: int
    ) -> tuple[LoanResult, Repayment | None]:
        """Repay `amount_minor` of the loan from the wallet: interest first, then principal;
        early, it pays the interest accrued to date only. On a loan written off it is a
        recovery. The same `transfer_id` retries safely."""
        loan = self.loan(loan_id)
        if loan is None or loan.wallet_id != wallet.id or loan.status not in (
            LoanStatus.open, LoanStatus.charged_off, LoanStatus.repaid,
        ):  # fmt: skip
            return LoanResult.loan_not_found, None
        if isinstance(amount_minor, bool) or not isinstance(amount_minor, int) or amount_minor <= 0:
            return LoanResult.amount_must_be_positive, None
        if self._wallets.is_frozen(wallet.id):
            return LoanResult.wallet_frozen, None
        done = [r for r in self._store.repayments(loan.id) if r.transfer_id == transfer_id]
        if done:  # a retry: the same chain again, whatever the loan owes now
            if done[0].amount_minor != amount_minor:
                return LoanResult.id_reused_differently, None
            return self._submit_repayment(wallet, loan, done[0])
        if loan.status is LoanStatus.repaid:
            return LoanResult.loan_closed, None
        state = self.state(loan)
        if amount_minor > state.still_owed:
            return LoanResult.amount_exceeds_owed, None
        interest = (
            0 if loan.status is LoanStatus.charged_off else min(amount_minor, state.interest_owed)
        )
        repayment = Repayment(
            f"lrp_{transfer_id:032x}", loan.id, transfer_id, amount_minor, interest,
            0 if loan.status is LoanStatus.charged_off else amount_minor - interest,
            loan.status is LoanStatus.charged_off, False, self._clock.now_ns(),
        )  # fmt: skip
        self._store.add_repayment(repayment)  # intent first; counted once the ledger has it
        return self._submit_repayment(wallet, loan, repayment)

    def _submit_repayment(
        self, wallet: Wallet, loan: Loan, r: Repayment
    ) -> tuple[LoanResult, Repayment | None]:
        tid = r.transfer_id
        spend = self._wallets.spend_legs(wallet, r.amount_minor, tid)
        if r.recovery:
            chain = chains.linked([chains.recovery(loan, tid, r.amount_minor), *spend])
            outcome = chains.chain_outcome(
                self._ledger.create_transfers(chain), wallet_legs=(0,), daily_cap_at=1
            )
        else:
            share = rules.share_of(r.interest_minor, self._share_bps(loan))
            out, after = chains.repayment(loan, tid, r.interest_minor, r.principal_minor, share)
            chain = chains.linked([*out, *spend, *after])
            outcome = chains.chain_outcome(
                self._ledger.create_transfers(chain), wallet_legs=(0, 1), daily_cap_at=2
            )
        if outcome is not LoanResult.ok:
            return outcome, None
        if not r.recovery:
            after_state = self.state(loan)
            if after_state.principal_outstanding == 0 and after_state.interest_owed == 0:
                self._store.set_status(loan.id, LoanStatus.repaid)
        return LoanResult.ok, r

    def _share_bps(self, loan: Loan) -> int:
        lender = self._store.lender(loan.lender, loan.currency)
        return 0 if lender is None else lender.income_share_bps


# How a refused disbursement reads: the lender's allowance (index 0) or the wallet's balance
# headroom (index 2) short.
def _disbursement_refusal(results: list[RT]) -> LoanResult:
    if all(r is RT.ok for r in results) or results[0] is RT.exists:
        return LoanResult.ok
    failing = next(i for i, r in enumerate(results) if r is not RT.linked_event_failed)
    if results[failing] is RT.exceeds_credits and failing == 0:
        return LoanResult.lender_capital_exhausted
    if results[failing] is RT.exceeds_credits and failing == 2:
        return LoanResult.balance_cap_exceeded
    raise chains.ChainRefused(f"disbursement refused at event {failing}: {results[failing].name}")

"""Loans to merchants repaid from a share of each day's sales (docs/adr/0051).

The operator grants a loan to a merchant its score allows (the merchant agreement stands for
consent, as for its score). One chain pays it out: the lender's available capital drawn
(401), the principal paid into the merchant's account (402) and the loan's fixed fee charged
(411). Each day after, `collect_day` takes a share of the day's net sales from the merchant's
account, fee first, then principal, the lender's allowance back and its share of the fee
(413, 401, 414): run it before the day's payout, which then pays out the rest. A day run
twice collects once (ids from the loan and the day), then raises or releases the `sme`
provision to what the open loans' buckets call for (`merchant_provision.py`). No interest
accrues: what is owed is the principal and the fee.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field

from colony.chart import AccountCode, IdPrefix, Slots, lender_available_account_id
from colony.credit import DECLINED, CreditScores, RepaymentRecord
from colony.kernel.clock import Clock
from colony.kernel.money import scale_of
from colony.ledger import Account, AccountFlags, LedgerPort, Transfer
from colony.ledger.results import CreateTransferResult as RT
from colony.loans import chains, merchant_charge_off, merchant_provision, rules
from colony.loans.books import ensure_currency_books, make_accounts, owed
from colony.loans.lenders import Lenders
from colony.loans.merchant_charge_off import ensure_loss_books
from colony.loans.merchant_terms import (
    Offer,
    Standing,
    merchant_delinquent_share_bps,
    merchant_fee_bps,
    merchant_loan_major_max,
    merchant_loan_major_min,
    merchant_share_bps,
    offer_for,
    period_minimum,
    sales_window_days,
    standing,
)
from colony.loans.model import (
    ACCOUNT_LOAN_INTEREST,
    ACCOUNT_LOAN_PRINCIPAL,
    MERCHANT_BOOK,
    TRANSFER_DISBURSEMENT,
    TRANSFER_FEE,
    TRANSFER_LENDING_ALLOWANCE,
    LoanStatus,
    MerchantLoan,
    open_loans_per_wallet_max,
)
from colony.loans.results import LoanResult
from colony.loans.store import LoanStore
from colony.merchants import DAY_NS, Merchant, TakingsBook

# Loans to merchants read from the table at a time.
merchant_loans_page_size = 1_000
# Days of collections one loan's standing reads from the ledger at most (two ids a day).
loan_days_max = 1_000
# Days of takings read at a time (the takings book's most).
takings_days_per_read = 30
_NEVER_BELOW_ZERO = int(AccountFlags.credits_must_not_exceed_debits)
# A merchant with a loan in these may not borrow again: one written off is still owed.
_OWING = (LoanStatus.pending, LoanStatus.open, LoanStatus.charged_off)


def fee_income_id(ledger: int) -> int:
    return IdPrefix.fee_income.account_id(ledger, MERCHANT_BOOK)


@dataclass
class CollectionReport:
    day: int
    loans: int = 0
    collected: int = 0
    collected_minor: int = 0
    not_collected: int = 0  # the merchant's account held less (paid out already)
    repaid: int = 0
    made_before: int = 0
    delinquent: int = 0  # collected at the higher share
    charged_off: int = 0
    recovered_minor: int = 0  # on loans written off
    # The day's move of the `sme` provision per ledger (positive: raised; docs/adr/0057).
    provision_minor: dict[int, int] = field(default_factory=dict)


def paid_by_day(ledger: LedgerPort, loan: MerchantLoan, through_day: int) -> dict[int, int]:
    """What each day's collection took, from the ledger (days after the loan was made)."""
    days = range(loan.made_day + 1, min(through_day, loan.made_day + loan_days_max) + 1)
    ids = {}
    for d in days:
        tid = Slots.merchant_loan_collection_of_day.of(loan.account_id, d)
        ids[tid] = ids[Slots.repayment_principal_leg.of(tid)] = d
    paid: dict[int, int] = {}
    for t in ledger.lookup_transfers(list(ids)):
        paid[ids[t.id]] = paid.get(ids[t.id], 0) + t.amount
    return paid


def standing_of(ledger: LedgerPort, loan: MerchantLoan, day: int) -> Standing:
    """Where the loan stands on `day`, before that day's sales are collected."""
    minimum = period_minimum(loan.principal_minor, loan.fee_minor)
    owed_total = loan.principal_minor + loan.fee_minor
    return standing(loan.made_day, day, owed_total, minimum, paid_by_day(ledger, loan, day - 1))


class MerchantLoans:
    def __init__(
        self,
        ledger: LedgerPort,
        scores: CreditScores,
        lenders: Lenders,
        store: LoanStore,
        takings: TakingsBook,
        clock: Clock,
    ) -> None:
        self._ledger = ledger
        self._scores = scores
        self._lenders = lenders
        self._store = store
        self._takings = takings
        self._clock = clock
        # Whether the operator suspended a merchant (docs/adr/0114): it is lent nothing new.
        # Colony wires the merchants service's; none is suspended without it.
        self.suspended: Callable[[str], bool] = lambda merchant_id: False

    def today(self) -> int:
        return self._clock.now_ns() // DAY_NS

    def loan(self, loan_id: str) -> MerchantLoan | None:
        return self._store.merchant_loan(loan_id)

    def loans_of(self, merchant: Merchant) -> list[MerchantLoan]:
        """Newest first."""
        return self._store.merchant_loans_of(merchant.id)

    def repayment_record(self, merchant: Merchant) -> RepaymentRecord | None:
        """The merchant's record for its score (docs/adr/0064): loans repaid, and loans behind
        their 30-day minimum today or written off; None before its first loan is lent."""
        today = self.today()
        repaid = overdue = 0
        for loan in self._store.merchant_loans_of(merchant.id):
            if loan.status is LoanStatus.repaid:
                repaid += 1
            elif loan.status is LoanStatus.charged_off or (
                loan.status is LoanStatus.open and self.standing(loan, today).delinquent
            ):
                overdue += 1
        return None if repaid + overdue == 0 else RepaymentRecord(repaid, overdue)

    def offer(self, merchant: Merchant) -> Offer:
        """What the merchant may borrow now, decided from its score and its sales."""
        today = self._clock.now_ns() // DAY_NS
        daily: list[int] = []
        for start in range(today - sales_window_days, today, takings_days_per_read):
            span = min(takings_days_per_read, today - start)
            daily += [t.net_minor for t in self._takings.by_day(
                merchant.account_id, start * DAY_NS, span)]  # fmt: skip
        live = any(x.status in _OWING
                   for x in self._store.merchant_loans_of(merchant.id))  # fmt: skip
        record = self._scores.score_merchant(merchant)
        return offer_for(band=record.band, limit_minor=record.limit_minor, daily_net_minor=daily,
                         loan_open=live, scale=scale_of(merchant.currency))  # fmt: skip

    def apply(
        self, merchant: Merchant, loan_account_id: int
    ) -> tuple[LoanResult, MerchantLoan | None, Offer | None]:
        """Take the offer now, decided at once; the same id retries (and finds its loan)."""
        found = self._store.merchant_loan(f"mln_{loan_account_id:032x}")
        if found is not None:
            result, loan = self.grant(merchant, found.principal_minor, loan_account_id)
            return result, loan, None
        if self.suspended(merchant.id):
            return LoanResult.merchant_suspended, None, None
        offer = self.offer(merchant)
        if offer.result is not LoanResult.ok:
            return offer.result, None, offer
        result, loan = self.grant(merchant, offer.principal_minor, loan_account_id)
        return result, loan, offer

    def grant(
        self, merchant: Merchant, amount_minor: int, loan_account_id: int
    ) -> tuple[LoanResult, MerchantLoan | None]:
        """Lend `amount_minor` to the merchant if its score allows; the same id retries."""
        loan_id = f"mln_{loan_account_id:032x}"
        found = self._store.merchant_loan(loan_id)
        if found is not None:
            if (found.merchant_id, found.principal_minor) != (merchant.id, amount_minor):
                return LoanResult.id_reused_differently, None
            if found.status is LoanStatus.refused:
                return LoanResult.refused_before, None
            return self._pay_out(found)
        if self.suspended(merchant.id):
            return LoanResult.merchant_suspended, None  # a loan made before is found above
        unit = 10 ** scale_of(merchant.currency)
        least, most = merchant_loan_major_min * unit, merchant_loan_major_max * unit
        if isinstance(amount_minor, bool) or not least <= amount_minor <= most:
            return LoanResult.amount_out_of_range, None
        live = [x for x in self._store.merchant_loans_of(merchant.id)
                if x.status in _OWING]  # fmt: skip
        if len(live) >= open_loans_per_wallet_max:
            return LoanResult.too_many_open_loans, None
        lenders = [b for b in self._lenders.lenders() if b.lender.currency == merchant.currency]
        if not lenders:
            return LoanResult.no_lender, None
        lender = max(lenders, key=lambda b: (b.available_minor, b.lender.name)).lender
        record = self._scores.score_merchant(merchant)
        if record.band == DECLINED:
            return LoanResult.declined, None
        if amount_minor > record.limit_minor:
            return LoanResult.over_limit, None
        loan = MerchantLoan(
            loan_id, loan_account_id, merchant.id, merchant.account_id, lender.name,
            merchant.currency, merchant.ledger, amount_minor,
            rules.share_of(amount_minor, merchant_fee_bps), merchant_share_bps,
            self._clock.now_ns() // DAY_NS, LoanStatus.pending, self._clock.now_ns(),
        )  # fmt: skip
        self._store.insert_merchant_loan(loan)  # intent first (ADR 0003)
        return self._pay_out(loan)

    def _pay_out(self, loan: MerchantLoan) -> tuple[LoanResult, MerchantLoan | None]:
        if loan.status is not LoanStatus.pending:
            return LoanResult.ok, loan
        ledger = loan.ledger
        ensure_currency_books(self._ledger, ledger)
        make_accounts(self._ledger, [
            Account(fee_income_id(ledger), ledger, AccountCode.fee_income),
            Account(loan.account_id, ledger, ACCOUNT_LOAN_PRINCIPAL, _NEVER_BELOW_ZERO),
            Account(loan.interest_account_id, ledger, ACCOUNT_LOAN_INTEREST, _NEVER_BELOW_ZERO),
        ])  # fmt: skip
        chain = chains.linked([
            Transfer(
                Slots.merchant_loan_allowance_draw.of(loan.account_id),
                lender_available_account_id(loan.lender, ledger), chains.control_id(ledger),
                loan.principal_minor, ledger, TRANSFER_LENDING_ALLOWANCE,
            ),
            Transfer(
                Slots.merchant_loan_disbursement.of(loan.account_id), loan.account_id,
                loan.merchant_account_id, loan.principal_minor, ledger, TRANSFER_DISBURSEMENT,
            ),
            Transfer(
                Slots.merchant_loan_fee.of(loan.account_id), loan.interest_account_id,
                fee_income_id(ledger), loan.fee_minor, ledger, TRANSFER_FEE,
            ),
        ])  # fmt: skip
        results = self._ledger.create_transfers(chain)
        first = next((r for r in results if r is not RT.linked_event_failed), RT.ok)
        if first in (RT.ok, RT.exists):
            self._store.set_merchant_loan_status(loan.id, LoanStatus.open)
            return LoanResult.ok, self._store.merchant_loan(loan.id)
        if first is RT.exceeds_credits and results[0] is first:
            self._store.set_merchant_loan_status(loan.id, LoanStatus.refused)
            return LoanResult.lender_capital_exhausted, None
        raise chains.ChainRefused(f"loan to a merchant refused: {[r.name for r in results]}")

    def owed(self, loan: MerchantLoan) -> tuple[int, int]:
        """(principal, fee) still owed, from the ledger."""
        principal, fee = self._ledger.lookup_accounts([loan.account_id, loan.interest_account_id])
        return owed(principal), owed(fee)

    def left(self, loan: MerchantLoan) -> int:
        """What the merchant still owes: of a loan written off, what is not yet recovered."""
        if loan.status is LoanStatus.charged_off:
            paid = self.paid_by_day(loan, self.today())
            return loan.principal_minor + loan.fee_minor - sum(paid.values())
        return sum(self.owed(loan))

    def paid_by_day(self, loan: MerchantLoan, through_day: int) -> dict[int, int]:
        """What each day's collection took, from the ledger (days after the loan was made)."""
        return paid_by_day(self._ledger, loan, through_day)

    def standing(self, loan: MerchantLoan, day: int) -> Standing:
        """Where the loan stands on `day`, before that day's sales are collected."""
        return standing_of(self._ledger, loan, day)

    def delinquent(self, day: int, limit: int) -> list[tuple[MerchantLoan, Standing, int]]:
        """Open loans behind their minimum on `day`, most days overdue first: each with its
        standing and what is left to repay (at most `limit`, of every open loan read)."""
        found = []
        after = ""
        while page := self._store.merchant_loans_page(LoanStatus.open, after,
                                                      merchant_loans_page_size):  # fmt: skip
            after = page[-1].id
            for loan in page:
                if (s := self.standing(loan, day)).delinquent:
                    found.append((loan, s, sum(self.owed(loan))))
        found.sort(key=lambda x: (-x[1].days_overdue, x[0].id))
        return found[:limit]

    def collect_day(self, day: int) -> CollectionReport:
        """Each open loan's share of the merchant's net sales on UTC day `day` (a loan at
        `charge_off_days` overdue written off), then what is recovered on loans written off."""
        report = CollectionReport(day)
        for status, step in ((LoanStatus.open, self._collect),
                             (LoanStatus.charged_off, self._recover)):  # fmt: skip
            after = ""
            while page := self._store.merchant_loans_page(status, after,
                                                          merchant_loans_page_size):  # fmt: skip
                after = page[-1].id
                for loan in page:
                    if loan.made_day < day:
                        step(loan, day, report)
        report.provision_minor = merchant_provision.provide_for_day(
            self._ledger, self._store, day, self._days_overdue
        )
        return report

    def _days_overdue(self, loan: MerchantLoan, day: int) -> int:
        return self.standing(loan, day).days_overdue

    def _charge_off(self, loan: MerchantLoan, report: CollectionReport) -> None:
        ensure_loss_books(self._ledger, loan.ledger)
        p_out, f_out = self.owed(loan)
        results = self._ledger.create_transfers(merchant_charge_off.charge_off(loan, p_out, f_out))
        if not (all(r is RT.ok for r in results) or chains.done_before(results)):
            raise chains.ChainRefused(f"charge-off refused: {[r.name for r in results]}")
        self._store.set_merchant_loan_status(loan.id, LoanStatus.charged_off)
        report.charged_off += 1

    def _recover(self, loan: MerchantLoan, day: int, report: CollectionReport) -> None:
        """The delinquent share of the day's sales, up to what is still owed, recovered."""
        owed_total = loan.principal_minor + loan.fee_minor
        left = owed_total - sum(self.paid_by_day(loan, day - 1).values())
        (sales,) = self._takings.by_day(loan.merchant_account_id, day * DAY_NS, 1)
        share = rules.share_of(max(sales.net_minor, 0), merchant_delinquent_share_bps)
        amount = min(share, left)
        if amount <= 0:
            return
        (result,) = self._ledger.create_transfers([merchant_charge_off.recovery(loan, day, amount)])
        if result is RT.ok:
            report.recovered_minor += amount
        elif chains.done_before([result]):
            report.made_before += 1
        elif result is RT.exceeds_credits:
            report.not_collected += 1
        else:
            raise chains.ChainRefused(f"recovery refused: {result.name}")

    def _collect(self, loan: MerchantLoan, day: int, report: CollectionReport) -> None:
        report.loans += 1
        p_out, f_out = self.owed(loan)
        (sales,) = self._takings.by_day(loan.merchant_account_id, day * DAY_NS, 1)
        share_bps = loan.share_bps
        standing = self.standing(loan, day)
        if standing.days_overdue >= rules.charge_off_days:
            self._charge_off(loan, report)
            return
        if standing.delinquent:
            share_bps = max(share_bps, merchant_delinquent_share_bps)
            report.delinquent += 1
        amount = min(rules.share_of(max(sales.net_minor, 0), share_bps), p_out + f_out)
        if amount > 0:
            fee = min(amount, f_out)
            share = rules.share_of(fee, self._share_bps(loan))
            tid = Slots.merchant_loan_collection_of_day.of(loan.account_id, day)
            debt = chains.Debt(loan.merchant_account_id, loan.account_id,
                               loan.interest_account_id, loan.lender, loan.ledger,
                               fee_income_id(loan.ledger))  # fmt: skip
            out, legs = chains.repayment_legs(debt, tid, fee, amount - fee, share, day)
            results = self._ledger.create_transfers(chains.linked([*out, *legs]))
            if all(r is RT.ok for r in results):
                report.collected += 1
                report.collected_minor += amount
            elif chains.done_before(results):
                report.made_before += 1
            else:  # the merchant's account held less: anything else raises
                chains.chain_outcome(results, wallet_legs=(0, 1), daily_cap_at=None)
                report.not_collected += 1
        if self.owed(loan) == (0, 0):
            self._store.set_merchant_loan_status(loan.id, LoanStatus.repaid)
            report.repaid += 1

    def _share_bps(self, loan: MerchantLoan) -> int:
        lender = self._store.lender(loan.lender, loan.currency)
        return 0 if lender is None else lender.income_share_bps

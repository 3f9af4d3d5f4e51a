"""The pay-later credit line on the ledger (docs/adr/0052): opening a line with a limit from
the person's score, paying merchants with it (its side of `payments.CreditLineSource`),
repayments, instalment plans, and the line's days.

The rules are `line_model.Line`'s (the bill's rules of docs/adr/0048), kept per line as of
the start of its next day to run. Money moves in the ledger as it happens: a purchase or a
refund through the payment path, a repayment here. Each night `run_day` replays the day's
money on the line's accounts into its model, in the ledger's order, closes the day by the
rules, and posts what the close charged: the day's interest (410) and penalty (412), the
plan fees a new bill holds (411), the lender's share of each (414), and a charge-off (416)
against the loss provision, which the night then raises or releases (415) to what every
line's overdue bucket calls for (`line_provision.py`).
On the due day it repays from the wallet what the bill still asks (413). Every id a day
posts derives from the line and the day, and a day already run is not run again, so a night
run twice moves money once.
"""

from __future__ import annotations

import dataclasses
import datetime as dt
from collections.abc import Callable

from colony.chart import Slots, TransferCode, lender_capital_account_id
from colony.credit.billing import PLAN_FEE_BPS, BillingResult, check_due_day
from colony.credit.features import RepaymentRecord
from colony.credit.line_accounts import (
    PRODUCT,
    available_id,
    charge_off_id,
    control_id,
    income_ids,
    interest_id,
    line_accounts,
    recoveries_id,
)
from colony.credit.line_model import Line
from colony.credit.line_model import LineResult as ModelResult
from colony.credit.line_provision import add_targets
from colony.credit.line_records import CreditLine, PlanOf, PlanRequest, PlanStatus
from colony.credit.line_results import CreditLineResult
from colony.credit.line_store import LineStore
from colony.credit.provision import provide, provision_id
from colony.credit.score_records import ScoreRecord
from colony.credit.score_results import ScoreResult
from colony.kernel import lock_order
from colony.kernel.clock import NS_PER_DAY, Clock, date_of_day, day_number
from colony.kernel.ids import IdGenerator
from colony.ledger import LedgerPort, Transfer, TransferFlags
from colony.ledger.results import CreateAccountResult as RA
from colony.ledger.results import CreateTransferResult as RT
from colony.payments import LinePurchase, LineStanding
from colony.wallets import Wallet, WalletResult, WalletService, WalletStore

# The lender's agreed share of what the line earns (interest, fees, penalty), in basis
# points; the house keeps the rest and any remainder of the rounding down.
lender_share_bps = 7_000
# The lender a line is opened with when none is named.
lender_default = "line-lender"
# Lines read from the store per page of a night's run.
lines_per_page = 500
# Ledger lines read per statement page when replaying a day.
statement_lines_per_page = 1_000
# Plans a line may have asked for in all (the oldest first); more are refused.
plans_per_line_max = 1_000
# The most days a line catches up in one run (a run missed for a while).
catch_up_days_max = 400

_LINKED = int(TransferFlags.linked)
_BALANCING_DEBIT = int(TransferFlags.balancing_debit)
_BALANCING_CREDIT = int(TransferFlags.balancing_credit)
_A = TransferCode

_OF_CHAIN = {
    WalletResult.ok: CreditLineResult.ok,
    WalletResult.insufficient_funds: CreditLineResult.insufficient_funds,
    WalletResult.daily_outflow_cap_exceeded: CreditLineResult.daily_outflow_cap_exceeded,
    WalletResult.id_reused_differently: CreditLineResult.id_reused_differently,
    WalletResult.refused_before: CreditLineResult.refused_before,
}


def day_of(timestamp_ns: int) -> dt.date:
    """The UTC date of a moment."""
    return date_of_day(timestamp_ns // NS_PER_DAY)


def line_id_of(principal_account_id: int) -> str:
    """A line's id names its principal account."""
    return f"cl_{principal_account_id:032x}"


def share(amount_minor: int) -> int:
    """The lender's share, rounded down: the house keeps the remainder."""
    return amount_minor * lender_share_bps // 10_000


class LineService:
    def __init__(
        self,
        ledger: LedgerPort,
        wallets: WalletService,
        wallet_store: WalletStore,
        store: LineStore,
        score: Callable[[Wallet], tuple[ScoreResult, ScoreRecord | None]],
        clock: Clock,
        ids: IdGenerator,
        lender: str = lender_default,
    ) -> None:
        """`score` is `CreditScores.score_wallet`: a limit only with the person's consent."""
        self._ledger = ledger
        self._wallets = wallets
        self._wallet_store = wallet_store
        self.store = store
        self._score = score
        self._clock = clock
        self._ids = ids
        self.lender = lender
        # A line's model is changed by one thread at a time: a repayment after charge-off and
        # the night's run both write it.
        self._lock = lock_order.lock("credit lines")

    # ------------------------------------------------------------------ opening

    def line_of(self, wallet: Wallet) -> CreditLine | None:
        return self.store.by_wallet(wallet.id, wallet.currency)

    def open(self, wallet: Wallet, due_day: int) -> tuple[CreditLineResult, CreditLine | None]:
        """A line for the wallet in its currency, its limit from the person's score now; the
        wallet's line already, if it has one."""
        if check_due_day(due_day) is not BillingResult.ok:
            return CreditLineResult.invalid_due_day, None
        found = self.line_of(wallet)
        if found is not None:
            if found.limit_changes == 1:  # an opening a crash may have cut short: finished
                self._make_accounts(found)
                self._post_once([self._limit_leg(found, 0, found.model.limit_minor)])
            return CreditLineResult.ok, found
        scored, record = self._score(wallet)
        if scored is not ScoreResult.ok or record is None:
            return CreditLineResult.consent_required, None
        if record.limit_minor <= 0:
            return CreditLineResult.declined, None
        now = self._clock.now_ns()
        principal = self._ids.new_id()
        opened = Line.open(record.limit_minor, due_day, day_of(now))[1]
        assert opened is not None, "a due day checked above"
        line = CreditLine(
            line_id_of(principal), wallet.id, wallet.currency, wallet.ledger, principal,
            due_day, self.lender, now, 1, opened,
        )  # fmt: skip
        line = self.store.insert(line)  # intent first (ADR 0003); the rest is idempotent
        self._make_accounts(line)
        self._post_once([self._limit_leg(line, 0, record.limit_minor)])
        return CreditLineResult.ok, line

    def _make_accounts(self, line: CreditLine) -> None:
        accounts = line_accounts(line.principal_account_id, line.ledger, line.lender)
        for account, result in zip(accounts, self._ledger.create_accounts(accounts), strict=True):
            if result not in (RA.ok, RA.exists):
                raise RuntimeError(f"account {account.id} refused: {result.name}")

    def _limit_leg(self, line: CreditLine, change: int, amount_minor: int) -> Transfer:
        """The limit granted (a positive change) or taken back (negative) as available."""
        control, available = control_id(line.ledger), available_id(line.principal_account_id)
        debit, credit = (control, available) if amount_minor > 0 else (available, control)
        return Transfer(
            Slots.line_limit_grant.of(line.principal_account_id, change), debit, credit,
            abs(amount_minor), line.ledger, _A.lending_allowance,
        )  # fmt: skip

    def rescore(
        self, wallet: Wallet, scored: ScoreRecord | None = None
    ) -> tuple[CreditLineResult, CreditLine | None]:
        """Move the limit to what the person's score gives now (`scored`, if just given): the
        difference granted, or taken back (as much as is still available). Not while the
        line is frozen."""
        line = self.line_of(wallet)
        if line is None:
            return CreditLineResult.no_line, None
        if line.model.frozen:
            return CreditLineResult.line_frozen, line
        result, record = (ScoreResult.ok, scored) if scored is not None else self._score(wallet)
        if result is not ScoreResult.ok or record is None:
            return CreditLineResult.consent_required, line
        with self._lock:
            line = self.store.by_id(line.id) or line
            change = record.limit_minor - line.model.limit_minor
            if change == 0:
                return CreditLineResult.ok, line
            leg = self._limit_leg(line, line.limit_changes, change)
            if change < 0:
                leg.flags |= int(TransferFlags.balancing_debit)  # no more than is available
            line.model.limit_minor = record.limit_minor
            moved = dataclasses.replace(line, limit_changes=line.limit_changes + 1)
            self.store.save(moved)
            self._post_once([leg])
        return CreditLineResult.ok, moved

    def repayment_record(self, wallet: Wallet) -> RepaymentRecord | None:
        """How the person has repaid the line, for their score: the bills whose due day has
        passed, and whether the line is overdue (or was charged off) now. None before a
        bill fell due (no history)."""
        line = self.line_of(wallet)
        if line is None:
            return None
        m = line.model
        due = sum(1 for bill in m.history if bill.due < m.today)
        late = 1 if m.overdue_since is not None or m.closed else 0
        return None if due == 0 else RepaymentRecord(repaid=due - late, overdue=late)

    # ------------------------------------------------------------------ what is owed

    def balances(self, line: CreditLine) -> tuple[int, int, int]:
        """(principal owed, interest and fees owed, available), from the ledger."""
        p, i, a = self._ledger.lookup_accounts(
            [line.principal_account_id, interest_id(line.principal_account_id),
             available_id(line.principal_account_id)]
        )  # fmt: skip
        return (
            p.debits_posted - p.credits_posted,
            i.debits_posted - i.credits_posted,
            a.credits_posted - a.debits_posted - a.debits_pending,
        )

    # ------------------------------------------------------------------ paying with it

    def standing(self, wallet: Wallet) -> LineStanding:
        line = self.line_of(wallet)
        if line is None:
            return LineStanding.no_line
        return LineStanding.frozen if line.model.frozen else LineStanding.ok

    def purchase(self, wallet: Wallet, amount_minor: int, payment_id: int) -> LinePurchase:
        line = self.line_of(wallet)
        if line is None or line.model.frozen:
            return LinePurchase(self.standing(wallet))
        draw = Transfer(
            Slots.line_purchase_allowance.of(payment_id),
            available_id(line.principal_account_id), control_id(line.ledger), amount_minor,
            line.ledger, _A.lending_allowance, _LINKED,
        )  # fmt: skip
        return LinePurchase(LineStanding.ok, line.principal_account_id, (draw,))

    def refund_legs(
        self, principal_account_id: int, amount_minor: int, refund_id: int, payment_id: int
    ) -> list[Transfer]:
        """A refund repays the line's principal, never beyond it (docs/adr/0058): that part
        gives the limit back; the rest goes on from the principal into the wallet (a refund,
        naming the payment), with the wallet's money-in leg, so the wallet's balance cap
        holds. Interest and fees charged stay owed: they were for days the money was lent."""
        line = self.store.by_id(line_id_of(principal_account_id))
        assert line is not None, f"no line has principal account {principal_account_id}"
        (principal,) = self._ledger.lookup_accounts([principal_account_id])
        owed = max(principal.debits_posted - principal.credits_posted, 0)
        repaid, excess = min(amount_minor, owed), max(amount_minor - owed, 0)
        legs = []
        if repaid:
            legs.append(
                Transfer(
                    Slots.line_refund_allowance.of(refund_id), control_id(line.ledger),
                    available_id(principal_account_id), repaid, line.ledger,
                    _A.lending_allowance, _LINKED,
                )
            )  # fmt: skip
        if excess:
            wallet = self._wallet_store.by_id(line.wallet_id)
            assert wallet is not None, f"line {line.id}'s wallet vanished"
            legs += [
                Transfer(
                    Slots.line_refund_excess.of(refund_id), principal_account_id,
                    wallet.account_id, excess, line.ledger, _A.refund, _LINKED,
                    user_data_128=payment_id,
                ),
                *self._wallets.receive_legs(wallet.account_id, line.ledger, excess, refund_id),
            ]  # fmt: skip
        legs[-1].flags &= ~_LINKED
        return legs

    # ------------------------------------------------------------------ repaying

    def repay(self, wallet: Wallet, amount_minor: int, transfer_id: int) -> CreditLineResult:
        """Pay the line from the wallet: interest and fees first, then principal (which
        gives the limit back); once charged off, a recovery. The same id retries safely."""
        line = self.line_of(wallet)
        if line is None:
            return CreditLineResult.no_line
        if isinstance(amount_minor, bool) or not isinstance(amount_minor, int) or amount_minor <= 0:
            return CreditLineResult.amount_must_be_positive
        if self._wallets.is_frozen(wallet.id):
            return CreditLineResult.wallet_frozen
        if self._ledger.lookup_transfers([transfer_id]):
            return CreditLineResult.ok  # made by an earlier attempt
        if line.model.closed:
            return self._recover(line, wallet, amount_minor, transfer_id)
        return self._repay(line, wallet, amount_minor, transfer_id)

    def _repay(
        self,
        line: CreditLine,
        wallet: Wallet,
        amount_minor: int,
        transfer_id: int,
        *,
        collected: bool = False,
    ) -> CreditLineResult:
        """A repayment the holder makes counts against the wallet's daily outflow cap; one
        Colony `collected` on the due day does not (docs/adr/0058)."""
        principal, interest, _ = self.balances(line)
        # Instalments a plan has still to bill are not repaid early (the rules' plans run
        # their course): what may be repaid is the rest of what is owed.
        payable = max(principal, 0) + interest - line.model.plan_principal_minor
        if payable <= 0:
            return CreditLineResult.nothing_owed
        if amount_minor > payable:
            return CreditLineResult.more_than_owed
        to_interest = min(amount_minor, interest)
        to_principal = amount_minor - to_interest
        parts = [
            (interest_id(line.principal_account_id), to_interest, transfer_id),
            (line.principal_account_id, to_principal,
             Slots.line_repayment_principal.of(transfer_id)),
        ]  # fmt: skip
        paid = [
            Transfer(tid, wallet.account_id, account, amount, line.ledger, _A.repayment, _LINKED)
            for account, amount, tid in parts
            if amount
        ]
        paid[0].id = transfer_id  # the chain's first event is the repayment's own id
        if collected:
            limits = WalletService.collection_legs(
                wallet.account_id, wallet.ledger, amount_minor, transfer_id
            )
        else:
            limits = self._wallets.spend_legs(wallet, amount_minor, transfer_id)
        for leg in limits:
            leg.flags |= _LINKED
        chain = [paid[0], *limits, *paid[1:]]
        if to_principal:
            chain.append(
                Transfer(
                    Slots.line_repayment_allowance.of(transfer_id),
                    control_id(line.ledger),
                    available_id(line.principal_account_id),
                    to_principal,
                    line.ledger,
                    _A.lending_allowance,
                )
            )
        chain[-1].flags &= ~_LINKED
        return _OF_CHAIN[WalletService.outcome(self._ledger.create_transfers(chain), None)]

    def _recover(
        self, line: CreditLine, wallet: Wallet, amount_minor: int, transfer_id: int
    ) -> CreditLineResult:
        """Money on a line charged off: a recovery, at most what was written off and not
        recovered yet. The model learns of it at once (a closed line has no days to run)."""
        with self._lock:
            line = self.store.by_id(line.id) or line
            if line.model.charged_off_minor == 0:
                return CreditLineResult.nothing_owed
            if amount_minor > line.model.charged_off_minor:
                return CreditLineResult.more_than_owed
            chain = [
                Transfer(
                    transfer_id,
                    wallet.account_id,
                    recoveries_id(line.ledger),
                    amount_minor,
                    line.ledger,
                    _A.recovery,
                    _LINKED,
                    user_data_128=line.principal_account_id,
                ),
                *self._wallets.spend_legs(wallet, amount_minor, transfer_id),
            ]
            chain[-1].flags &= ~_LINKED
            results = self._ledger.create_transfers(chain)
            result = _OF_CHAIN[WalletService.outcome(results, None)]
            if result is CreditLineResult.ok and results[0] is RT.ok:
                line.model.pay(amount_minor)
                self.store.save(line)
            return result

    # ------------------------------------------------------------------ instalment plans

    def plans_of(self, line: CreditLine, limit: int) -> list[PlanRequest]:
        """The line's latest `limit` plans asked for, the newest first, whatever became of
        them: asked (made by tonight's run), made, or refused (too little left to split)."""
        return self.store.plans(line.id, limit, newest_first=True)

    def ask_plan(
        self,
        wallet: Wallet,
        amount_minor: int,
        instalments: int,
        plan_id: int,
        what: PlanOf = PlanOf.purchase,
    ) -> tuple[CreditLineResult, PlanRequest | None]:
        """Split `amount_minor` of what was bought since the last bill into a plan, or (`what`
        the bill) what the latest bill still asks of its purchases (`amount_minor` 0): made
        by the night's run, after the day's purchases (so today's may be split)."""
        line = self.line_of(wallet)
        if line is None:
            return CreditLineResult.no_line, None
        bill = line.model.bill
        if what is PlanOf.bill and (bill is None or line.model.today > bill.due):
            return CreditLineResult.nothing_to_split, None
        positive = isinstance(amount_minor, int) and not isinstance(amount_minor, bool)
        if what is PlanOf.purchase and not (positive and amount_minor > 0):
            return CreditLineResult.amount_must_be_positive, None
        if what is PlanOf.bill:
            amount_minor = 0
        if instalments not in PLAN_FEE_BPS:
            return CreditLineResult.plan_not_offered, None
        if line.model.frozen:
            return CreditLineResult.line_frozen, None
        asked = PlanRequest(
            f"cpl_{plan_id:032x}",
            line.id,
            amount_minor,
            instalments,
            self._clock.now_ns(),
            what=what,
        )
        stored = self.store.add_plan(asked)
        same = (stored.line_id, stored.amount_minor, stored.instalments, stored.what)
        if same != (line.id, amount_minor, instalments, what):
            return CreditLineResult.id_reused_differently, None
        return CreditLineResult.ok, stored

    # ------------------------------------------------------------------ the line's days

    def has_begun(self, day: dt.date) -> bool:
        """Whether the UTC day has begun. A night's run for a day not begun would close days
        that have not happened (interest, bills, charge-offs dated ahead), and no later
        night could undo them: the edges refuse it."""
        return day_number(day) <= self._clock.now_ns() // NS_PER_DAY

    def run_day(self, day: dt.date) -> int:
        """The night's work for `day`: every line's days closed up to its start, and its
        due-day repayment; then each currency's loss provision raised or released to what
        the lines' buckets call for (docs/adr/0057), as the move of the day closed last.
        How many lines were run."""
        after, count = "", 0
        targets: dict[int, int] = {}
        while True:
            page = self.store.page(after, lines_per_page)
            add_targets(self._ledger, [self.run_line(line.id, day) for line in page], targets)
            count += len(page)
            if len(page) < lines_per_page:
                break
            after = page[-1].id
        provide(self._ledger, PRODUCT, targets, day_number(day) - 1)
        return count

    def run_line(self, line_id: str, day: dt.date) -> CreditLine:
        """Close the line's days before `day` not closed yet, then repay on a due day: the
        line as it stands after."""
        with self._lock:
            line = self.store.by_id(line_id)
            assert line is not None, f"line {line_id} vanished"
            for _ in range(catch_up_days_max):
                if line.model.today >= day:
                    break
                self._close(line)
                self.store.save(line)
            bill = line.model.bill
            if not line.model.closed and bill is not None and bill.due == day == line.model.today:
                self._autopay(line, day)
            return line

    def _close(self, line: CreditLine) -> None:
        model = line.model
        ended = model.today
        self._replay(line, ended)
        interest, penalty = model.day_accrual()
        bills, closed = len(model.history), model.closed
        model.close_day()
        n = day_number(ended)
        principal, ledger = line.principal_account_id, line.ledger
        owed = interest_id(principal)
        earned_interest, earned_fee, earned_penalty = income_ids(ledger)
        lender = lender_capital_account_id(line.lender, ledger)
        fees = model.history[-1].fees_minor if len(model.history) > bills else 0
        charges = [
            (Slots.line_interest, Slots.line_interest_share, interest, earned_interest,
             _A.interest_accrual),
            (Slots.line_plan_fees, Slots.line_fee_share, fees, earned_fee, _A.fee_charge),
            (Slots.line_penalty, Slots.line_penalty_share, penalty, earned_penalty,
             _A.penalty_accrual),
        ]  # fmt: skip
        posted: list[Transfer] = []
        for slot, share_slot, amount, income, code in charges:
            if amount <= 0:
                continue
            charge = Transfer(slot.of(principal, n), owed, income, amount, ledger, code)
            charge.user_data_32 = n
            posted.append(charge)
            if share(amount):
                cut = share_slot.of(principal, n)
                posted.append(Transfer(cut, income, lender, share(amount), ledger, _A.lender_share))
        self._post_once(posted)
        if model.closed and not closed:
            self._charge_off(line, n)

    def _charge_off(self, line: CreditLine, n: int) -> None:
        """Write off all the line is owed: its principal against the provision as far as it
        goes (the ledger cuts the leg to what the provision holds), the rest and the interest
        as a loss; and take back its available limit: it lends no more. Still owed: what is
        paid from now on is a recovery."""
        principal, interest, available = self.balances(line)
        ledger, loss = line.ledger, charge_off_id(line.ledger)
        pid = line.principal_account_id
        provision = provision_id(PRODUCT, ledger)
        self._make_accounts(line)  # a line opened before it had a provision account gets one
        legs = [
            Transfer(Slots.line_charge_off_provided.of(pid, n), provision, pid, principal, ledger,
                     _A.charge_off, _BALANCING_DEBIT, user_data_32=n),
            Transfer(Slots.line_charge_off_principal.of(pid, n), loss, pid, principal, ledger,
                     _A.charge_off, _BALANCING_CREDIT, user_data_32=n),
            Transfer(Slots.line_charge_off_interest.of(pid, n), loss, interest_id(pid), interest,
                     ledger, _A.charge_off, user_data_32=n),
            Transfer(Slots.line_closed_allowance.of(pid, n), available_id(pid), control_id(ledger),
                     available, ledger, _A.lending_allowance),
        ]  # fmt: skip
        self._post_once([leg for leg in legs if leg.amount > 0])

    def _autopay(self, line: CreditLine, day: dt.date) -> None:
        """On the due day, repay from the wallet's balance what the bill still asks, or as
        much of it as the balance allows (less than the minimum leaves the line overdue).
        A collection: the wallet's daily outflow cap does not hold it back (docs/adr/0058)."""
        tid = Slots.line_autopay.of(line.principal_account_id, day_number(day))
        if self._ledger.lookup_transfers([tid]):
            return  # repaid by this day's run already
        wallet = self._wallet_store.by_id(line.wallet_id)
        if wallet is None or self._wallets.is_frozen(wallet.id):
            return
        amount = min(line.model.owed_on_bill_minor, self._wallets.balances(wallet)[1])
        principal, interest, _ = self.balances(line)
        amount = min(amount, max(principal, 0) + interest)
        if amount > 0:
            self._repay(line, wallet, amount, tid, collected=True)

    def _replay(self, line: CreditLine, day: dt.date) -> None:
        """Tell the model the day's money on the line, in the ledger's order: purchases and
        refunds on its principal, repayments on its principal and interest; then the plans
        asked for that day."""
        start = day_number(day) * NS_PER_DAY
        end = start + NS_PER_DAY
        pid = line.principal_account_id
        events: list[tuple[int, str, int]] = []
        for account in (pid, interest_id(pid)):
            for t in self._day_transfers(account, start, end):
                if t.code == _A.payment and t.debit_account_id == pid:
                    events.append((t.timestamp, "buy", t.amount))
                elif t.code == _A.refund and t.credit_account_id == pid:
                    events.append((t.timestamp, "refund", t.amount))
                elif t.code == _A.refund and t.debit_account_id == pid:
                    # What of the refund just before it (same chain) went on into the
                    # wallet: the line was refunded the rest (docs/adr/0058).
                    at, kind, amount = events.pop()
                    assert kind == "refund", f"transfer {t.id} follows no refund"
                    events.append((at, kind, amount - t.amount))
                elif t.code == _A.repayment:
                    events.append((t.timestamp, "pay", t.amount))
        plans = [
            p for p in self.store.plans(line.id, plans_per_line_max)
            if p.status is PlanStatus.asked and p.asked_at_ns < end
        ]  # fmt: skip
        # A plan is made at the close of the day it was asked on, after the day's money: its
        # record's time is the clock's, not the ledger's, so the two cannot be interleaved.
        events += [(end + i, p.id, 0) for i, p in enumerate(plans)]
        by_id = {p.id: p for p in plans}
        model = line.model
        for _, kind, amount in sorted(events):
            if kind == "buy":
                if model.buy(amount) is not ModelResult.ok:
                    # The ledger's limit is the one that holds; the model's counts billed
                    # interest and fees too, so it may find less room (docs/adr/0052).
                    model.unbilled_minor += amount
            elif kind == "refund":
                model.refund(amount)
            elif kind == "pay":
                model.pay(amount)
            else:
                plan = by_id[kind]
                if plan.what is PlanOf.bill:
                    made = model.split_bill(plan.instalments)
                else:
                    made = model.split_purchase(plan.amount_minor, plan.instalments)
                status = PlanStatus.made if made is ModelResult.ok else PlanStatus.refused
                self.store.mark_plan(plan.id, status)

    def _day_transfers(self, account_id: int, start_ns: int, end_ns: int) -> list[Transfer]:
        found: list[Transfer] = []
        after = start_ns - 1
        while True:
            page = self._ledger.statement(
                account_id, after_timestamp=after, limit=statement_lines_per_page
            )
            for line in page.lines:
                if line.timestamp >= end_ns:
                    return found
                if line.kind == "transfer":
                    found.append(line.transfer)
            if page.next_cursor is None or not page.lines:
                return found
            after = page.next_cursor

    def _post_once(self, transfers: list[Transfer]) -> None:
        """Post what is not posted yet: a day run again (after a crash between its money and
        its record) finds its transfers made and moves nothing twice."""
        made = {t.id for t in self._ledger.lookup_transfers([t.id for t in transfers])}
        todo = [t for t in transfers if t.id not in made]
        if not todo:
            return
        for transfer, result in zip(todo, self._ledger.create_transfers(todo), strict=True):
            if result not in (RT.ok, RT.exists):
                raise RuntimeError(f"credit line transfer {transfer.id} refused: {result.name}")

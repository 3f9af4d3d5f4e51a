"""The pay-later credit line as a model of one person's line over days: purchases, refunds,
instalment plans, bills on the 1st, payments, interest, penalty, overdue and charge-off, by
the rules of `billing.py`. It moves no money: it is what the ledger-backed line must agree
with (the reference its tests compare against) and the worked example's arithmetic.

Payments pay, in order: penalty, interest, what is overdue, the rest carried, the latest
bill, then anything not billed yet (a refund the same): money goes first to what costs the
person most.
"""

from __future__ import annotations

import datetime as dt
import enum
from dataclasses import dataclass, field

from colony.credit.billing import (
    Bill,
    BillingResult,
    PlanInstalment,
    bill_date,
    ceil_bps,
    charged_off,
    check_due_day,
    days_overdue,
    due_date,
    half_up_bps,
    instalment_plan,
    minimum_payment_bps,
    penalty_bps_per_day,
    revolving_bps_per_day,
)


class LineResult(enum.IntEnum):
    ok = 0
    over_limit = 1
    line_frozen = 2  # overdue, or charged off
    amount_must_be_positive = 3
    plan_not_offered = 4
    nothing_to_split = 5
    invalid_due_day = 6


@dataclass
class Plan:
    parts: list[PlanInstalment]  # still to be billed, first next


@dataclass
class Line:
    """One person's line on `today`: call `close_day` once a day, in order."""

    limit_minor: int
    due_day: int
    today: dt.date
    unbilled_minor: int = 0  # bought since the last bill, net of refunds and splits
    plans: list[Plan] = field(default_factory=list)
    bill: Bill | None = None  # the latest bill
    owed_on_bill_minor: int = 0  # what of the latest bill is still unpaid
    minimum_left_minor: int = 0  # what of its minimum is still unpaid
    # Unpaid from bills past their due day (revolving), and the part of it that is a missed
    # minimum (overdue: penalty interest, asked in full).
    carried_minor: int = 0
    overdue_minor: int = 0
    penalty_due_minor: int = 0  # accrued since the latest bill, billed on the next
    interest_due_minor: int = 0
    overdue_since: dt.date | None = None  # the due day whose minimum was missed
    closed: bool = False  # charged off: the line lends no more, even once recovered
    charged_off_minor: int = 0  # written off: recoveries pay it down
    recovered_minor: int = 0
    history: list[Bill] = field(default_factory=list)

    @classmethod
    def open(cls, limit_minor: int, due_day: int, today: dt.date) -> tuple[LineResult, Line | None]:
        if check_due_day(due_day) is not BillingResult.ok:
            return LineResult.invalid_due_day, None
        return LineResult.ok, cls(limit_minor, due_day, today)

    # ---------------------------------------------------------------- what is owed

    @property
    def plan_principal_minor(self) -> int:
        return sum(p.principal_minor for plan in self.plans for p in plan.parts)

    @property
    def used_minor(self) -> int:
        """Principal the line has lent and not had back: what the limit counts."""
        return max(
            self.unbilled_minor + self.owed_on_bill_minor + self.carried_minor
            + self.plan_principal_minor, 0,
        )  # fmt: skip

    @property
    def available_minor(self) -> int:
        return 0 if self.frozen else max(self.limit_minor - self.used_minor, 0)

    @property
    def days_overdue(self) -> int:
        if self.overdue_since is None:
            return 0
        return days_overdue(self.overdue_since, self.today, paid_minimum=False)

    @property
    def frozen(self) -> bool:
        return self.overdue_since is not None or self.closed

    # ---------------------------------------------------------------- what the person does

    def buy(self, amount_minor: int) -> LineResult:
        if amount_minor <= 0:
            return LineResult.amount_must_be_positive
        if self.frozen:
            return LineResult.line_frozen
        if amount_minor > self.available_minor:
            return LineResult.over_limit
        self.unbilled_minor += amount_minor
        return LineResult.ok

    def refund(self, amount_minor: int) -> LineResult:
        """Money back from a merchant: it pays the line down like a payment, unbilled
        purchases first (the purchase it undoes is most likely there)."""
        if amount_minor <= 0:
            return LineResult.amount_must_be_positive
        taken = min(amount_minor, max(self.unbilled_minor, 0))
        self.unbilled_minor -= taken
        taken += self._refund_into_plans(amount_minor - taken)
        if amount_minor > taken:
            # More than is unbilled: the rest pays what is owed, and what is more than all
            # that is owed stays as a credit the next purchases use.
            self.unbilled_minor -= self.pay(amount_minor - taken)
        return LineResult.ok

    def _refund_into_plans(self, amount_minor: int) -> int:
        """Cut what plans still have to bill, newest plan and last part first (a part left
        with no principal owes no fee either): a refunded purchase that was split stops
        costing its fees. What was taken."""
        left = amount_minor
        for plan in reversed(self.plans):
            for index in reversed(range(len(plan.parts))):
                part = plan.parts[index]
                cut = min(left, part.principal_minor)
                left -= cut
                kept = part.principal_minor - cut
                plan.parts[index] = PlanInstalment(part.number, kept, part.fee_minor if kept else 0)
            plan.parts = [part for part in plan.parts if part.total_minor > 0]
        self.plans = [plan for plan in self.plans if plan.parts]
        return amount_minor - left

    def split_purchase(self, amount_minor: int, instalments: int) -> LineResult:
        """Move a purchase not billed yet into a plan: its first part is on the next bill."""
        if amount_minor > self.unbilled_minor:
            return LineResult.nothing_to_split
        result, parts = instalment_plan(amount_minor, instalments)
        if result is not BillingResult.ok:
            return _LINE_RESULT[result]
        self.unbilled_minor -= amount_minor
        self.plans.append(Plan(list(parts)))
        return LineResult.ok

    def split_bill(self, instalments: int) -> LineResult:
        """Move what the latest bill still asks of its purchases into a plan, by its due day:
        the plan's first part is on the next bill; the bill asks for the rest, and its
        minimum no longer for the share of the purchases split."""
        bill = self.bill
        if bill is None or self.today > bill.due or self.frozen:
            return LineResult.nothing_to_split
        amount = min(self.owed_on_bill_minor, max(bill.purchases_minor, 0))
        if amount <= 0:
            return LineResult.nothing_to_split
        result, parts = instalment_plan(amount, instalments)
        if result is not BillingResult.ok:
            return _LINE_RESULT[result]
        self.owed_on_bill_minor -= amount
        lowered = self.minimum_left_minor - ceil_bps(amount, minimum_payment_bps)
        self.minimum_left_minor = min(max(lowered, 0), self.owed_on_bill_minor)
        self.plans.append(Plan(list(parts)))
        return LineResult.ok

    def pay(self, amount_minor: int) -> int:
        """Pay the line; returns what was more than is owed (left in the wallet)."""
        left = amount_minor
        if self.charged_off_minor:
            recovered = min(left, self.charged_off_minor)
            self.charged_off_minor -= recovered
            self.recovered_minor += recovered
            left -= recovered
        for name in ("penalty_due_minor", "interest_due_minor", "overdue_minor"):
            taken = min(left, getattr(self, name))
            setattr(self, name, getattr(self, name) - taken)
            left -= taken
            if name == "overdue_minor":
                self.carried_minor -= taken  # the overdue part of what is carried
        taken = min(left, self.carried_minor)
        self.carried_minor -= taken
        left -= taken
        taken = min(left, self.owed_on_bill_minor)
        self.owed_on_bill_minor -= taken
        self.minimum_left_minor = max(self.minimum_left_minor - taken, 0)
        left -= taken
        taken = min(left, max(self.unbilled_minor, 0))
        self.unbilled_minor -= taken
        left -= taken
        if (
            self.overdue_since is not None
            and self.carried_minor == 0
            and self.minimum_left_minor == 0
        ):
            self.overdue_since = None  # caught up: the line thaws
        return left

    # ---------------------------------------------------------------- the day's close

    def close_day(self) -> None:
        """End `today` and start the next: interest and penalty for the day, the bill on the
        1st, overdue after the due day, charge-off after its days."""
        self._accrue()
        ended = self.today
        self.today += dt.timedelta(days=1)
        if self.closed:
            return  # a line written off makes no bills, and nothing accrues on it
        if self.today == bill_date(ended):
            self._make_bill()
        if self.bill is not None and self.today == self.bill.due + dt.timedelta(days=1):
            self._after_due_day()
        if self.overdue_since is not None and charged_off(self.days_overdue):
            self._charge_off()

    def _accrue(self) -> None:
        interest, penalty = self.day_accrual()
        self.interest_due_minor += interest
        self.penalty_due_minor += penalty

    def day_accrual(self) -> tuple[int, int]:
        """`today`'s revolving interest and penalty interest, as `close_day` will add them: on
        what was carried past a due day and is still unpaid (on the latest bill too, until
        its own due day); penalty on the overdue part while the line is overdue."""
        if self.bill is None or self.closed:
            return 0, 0
        carried, overdue = self.carried_minor, self.overdue_minor
        if self.today <= self.bill.due:
            # Still on the latest bill: its earlier parts, less what was paid of them (a
            # payment pays the bill's overdue part, then its carried part, first).
            on_bill = self.owed_on_bill_minor
            overdue += min(on_bill, self.bill.overdue_minor)
            carried += min(on_bill, self.bill.overdue_minor + self.bill.carried_minor)
        interest = half_up_bps(carried, revolving_bps_per_day)
        penalty = half_up_bps(overdue, penalty_bps_per_day) if self.overdue_since else 0
        return interest, penalty

    def _make_bill(self) -> None:
        # The latest bill's due day (the 8th to 10th) is past by the next 1st: all it left
        # unpaid is carried by now.
        assert self.owed_on_bill_minor == 0, "a bill made before the last one fell due"
        due_parts = [plan.parts.pop(0) for plan in self.plans if plan.parts]
        self.plans = [plan for plan in self.plans if plan.parts]
        bill = Bill(
            billed=self.today,
            due=due_date(self.today, self.due_day),
            purchases_minor=self.unbilled_minor,
            instalments_minor=sum(p.principal_minor for p in due_parts),
            fees_minor=sum(p.fee_minor for p in due_parts),
            interest_minor=self.interest_due_minor,
            penalty_minor=self.penalty_due_minor,
            carried_minor=self.carried_minor - self.overdue_minor,
            overdue_minor=self.overdue_minor,
        )
        self.history.append(bill)
        self.bill = bill
        self.unbilled_minor = 0
        self.interest_due_minor = self.penalty_due_minor = 0
        self.carried_minor = self.overdue_minor = 0
        self.owed_on_bill_minor = max(bill.total_minor, 0)
        self.minimum_left_minor = bill.minimum_minor
        if bill.total_minor < 0:
            self.unbilled_minor = bill.total_minor  # a credit: the next purchases use it

    def _after_due_day(self) -> None:
        """The due day is over: the unpaid rest of the bill is carried (with interest), and
        overdue if not even the minimum was paid."""
        assert self.bill is not None
        if self.minimum_left_minor > 0 and self.overdue_since is None:
            self.overdue_since = self.bill.due
        self.overdue_minor += self.minimum_left_minor
        self.carried_minor += self.owed_on_bill_minor
        self.owed_on_bill_minor = self.minimum_left_minor = 0

    def _charge_off(self) -> None:
        written = (
            self.carried_minor + self.owed_on_bill_minor + max(self.unbilled_minor, 0)
            + self.plan_principal_minor
        )  # fmt: skip
        self.charged_off_minor += written
        self.closed = True
        self.carried_minor = self.overdue_minor = self.owed_on_bill_minor = 0
        self.minimum_left_minor = 0
        self.unbilled_minor = 0
        self.plans = []
        self.penalty_due_minor = self.interest_due_minor = 0
        self.overdue_since = None


_LINE_RESULT = {
    BillingResult.plan_not_offered: LineResult.plan_not_offered,
    BillingResult.amount_must_be_positive: LineResult.amount_must_be_positive,
}

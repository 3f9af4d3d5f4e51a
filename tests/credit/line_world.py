"""A person with a credit line, a merchant and a clock, for the credit line's tests: each
action done on the ledger-backed line and, when given one, on the reference model
(`credit/line_model.py`) the same way, so the two can be compared figure for figure."""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from pathlib import Path

from colony.api.context import ApiContext
from colony.cli.serve import build_context
from colony.credit import CreditLine, CreditLineResult, CreditScores, LineService, PlanOf
from colony.credit.line_accounts import income_ids, interest_id
from colony.credit.line_model import Line, LineResult
from colony.credit.line_service import share
from colony.kernel.clock import NS_PER_S, ManualClock, ns_from_utc
from colony.merchants import Merchant
from colony.merchants.service import OnboardResult
from colony.payments import Funding, PayResult
from colony.wallets import Wallet
from colony.wallets.results import WalletResult

ALICE = "+6591110001"
BOB = "+6591110002"


def noon(day: dt.date) -> int:
    return ns_from_utc(dt.datetime(day.year, day.month, day.day, 12, tzinfo=dt.UTC))


def just_after_midnight(day: dt.date) -> int:
    return ns_from_utc(dt.datetime(day.year, day.month, day.day, tzinfo=dt.UTC)) + NS_PER_S


def owed_by_model(m: Line) -> int:
    """All the model says is owed: what the ledger's principal and interest hold together."""
    return (
        m.penalty_due_minor + m.interest_due_minor + m.carried_minor + m.owed_on_bill_minor
        + m.unbilled_minor + m.plan_principal_minor
    )  # fmt: skip


@dataclass
class LineWorld:
    ctx: ApiContext
    clock: ManualClock
    wallet: Wallet
    merchant: Merchant
    line: CreditLine
    model: Line | None = None  # the reference, driven alongside
    paid: list[int] = field(default_factory=list)  # payment ids, in order
    keys: int = 0
    # Interest and penalty the model accrued, day by day (what the ledger's income holds).
    accrued_interest: int = 0
    accrued_penalty: int = 0
    lender_shares: int = 0  # the lender's share of each day's charges, each rounded down

    @property
    def lines(self) -> LineService:
        return self.ctx.service(LineService)

    def key(self) -> int:
        self.keys += 1
        return 1 << 126 | self.keys

    def at(self, day: dt.date) -> None:
        self.clock.set_ns(max(self.clock.now_ns(), noon(day)))

    def buy(self, amount_minor: int) -> PayResult:
        code = self.ctx.payments.merchant_qr(self.merchant)
        pid = self.key()
        paid = self.ctx.payments.pay_by_qr(
            ALICE, "SGD", code, amount_minor, pid, funding=Funding.credit_line
        )
        if paid.result is PayResult.ok:
            self.paid.append(pid)
            # The ledger's limit holds; the model counts billed interest and fees against it
            # too and may find less room: the purchase is counted all the same (ADR 0052).
            if self.model is not None and self.model.buy(amount_minor) is not LineResult.ok:
                self.model.unbilled_minor += amount_minor
        return paid.result

    def refund(self, index: int, amount_minor: int) -> None:
        """A refund repays the line's principal, never beyond it; the rest goes on into the
        wallet (docs/adr/0058): the model is refunded what the line was."""
        principal_owed = max(self.lines.balances(self.stored())[0], 0)
        balance = self.ctx.wallets.balances(self.wallet)[1]
        refunded = self.ctx.payments.refund(self.paid[index], amount_minor, self.key())
        assert refunded.result is PayResult.ok
        to_line = min(amount_minor, principal_owed)
        assert self.ctx.wallets.balances(self.wallet)[1] == balance + amount_minor - to_line
        if self.model is not None:
            self.model.refund(to_line)

    def repay(self, amount_minor: int) -> CreditLineResult:
        result = self.lines.repay(self.wallet, amount_minor, self.key())
        if result is CreditLineResult.ok and self.model is not None:
            self.model.pay(amount_minor)
        return result

    def split(self, amount_minor: int, instalments: int) -> None:
        result, _ = self.lines.ask_plan(self.wallet, amount_minor, instalments, self.key())
        assert result is CreditLineResult.ok
        if self.model is not None:
            self.model.split_purchase(amount_minor, instalments)

    def split_bill(self, instalments: int) -> None:
        result, _ = self.lines.ask_plan(self.wallet, 0, instalments, self.key(), PlanOf.bill)
        assert result is CreditLineResult.ok
        if self.model is not None:
            assert self.model.split_bill(instalments) is LineResult.ok

    def cash_in(self, amount_minor: int) -> None:
        assert self.ctx.wallets.cash_in(ALICE, "SGD", amount_minor).result is WalletResult.ok

    def send_away(self, amount_minor: int) -> None:
        """Money out of the wallet that is not the line's: so a due day finds less."""
        sent = self.ctx.wallets.p2p(ALICE, BOB, "SGD", amount_minor)
        assert sent.result is WalletResult.ok

    def night(self, day: dt.date) -> None:
        """The run at the start of `day` (closing the day before), and on the model the same:
        the day closed, then the due day's repayment of what the wallet can pay."""
        self.clock.set_ns(just_after_midnight(day))
        balance = self.ctx.wallets.balances(self.wallet)[1]
        self.lines.run_day(day)
        m = self.model
        if m is None:
            return
        while m.today < day:
            interest, penalty = m.day_accrual()
            self.accrued_interest += interest
            self.accrued_penalty += penalty
            bills = len(m.history)
            m.close_day()
            fees = m.history[-1].fees_minor if len(m.history) > bills else 0
            self.lender_shares += sum(share(c) for c in (interest, penalty, fees))
        if not m.closed and m.bill is not None and m.bill.due == day:
            autopaid = min(m.owed_on_bill_minor, balance)
            if autopaid > 0:
                m.pay(autopaid)

    def stored(self) -> CreditLine:
        found = self.lines.store.by_id(self.line.id)
        assert found is not None
        return found

    def account(self, account_id: int) -> tuple[int, int]:
        (a,) = self.ctx.ledger.lookup_accounts([account_id])
        return a.debits_posted, a.credits_posted

    def owed(self) -> int:
        """What the ledger says is owed: the line's principal and interest accounts."""
        principal, interest, _ = self.lines.balances(self.stored())
        return principal + interest

    def income(self) -> tuple[int, int, int]:
        """Interest, fees and penalty the line has earned (before the lender's share)."""
        return tuple(self.account(i)[1] for i in income_ids(self.line.ledger))  # type: ignore[return-value]

    def interest_owed(self) -> int:
        debits, credits = self.account(interest_id(self.line.principal_account_id))
        return debits - credits


def open_world(ctx: ApiContext, clock: ManualClock, day: dt.date, due_day: int) -> LineWorld:
    """Alice, identity verified, paid in for a few weeks (so her score gives a limit), opens a
    line on `day`; a hawker takes QR payments."""
    wallets = ctx.wallets
    for phone, name in ((ALICE, "Alice Tan"), (BOB, "Bob Lim")):
        result, opened = wallets.open_wallet(phone, name, "SGD")
        assert result is WalletResult.ok and opened is not None
        assert wallets.verify_identity(opened.id) is WalletResult.ok
    wallet = ctx.wallet_store.by_phone(ALICE, "SGD")
    assert wallet is not None
    for _ in range(4):
        assert wallets.cash_in(ALICE, "SGD", 100_000).result is WalletResult.ok
        clock.advance(7 * 86_400)
    onboarded, merchant = ctx.merchants.onboard(
        "Hawker Chan Pte Ltd", "Hawker Chan", "5812", "SG", "Singapore", "SGD", 150
    )
    assert onboarded is OnboardResult.ok and merchant is not None
    clock.set_ns(noon(day))
    scores = ctx.service(CreditScores)
    wallet = ctx.wallet_store.by_id(wallet.id)
    assert wallet is not None
    scores.give_consent(wallet)
    result, line = ctx.service(LineService).open(wallet, due_day)
    assert result is CreditLineResult.ok and line is not None
    return LineWorld(ctx, clock, wallet, merchant, line)


@contextmanager
def world_on_file(tmp_path: Path, day: dt.date, due_day: int) -> Iterator[LineWorld]:
    """`open_world` on a new SQLite file at a manual clock; the stores closed after."""
    clock = ManualClock()
    ctx = build_context(f"sqlite:///{tmp_path}/colony.db", clock=clock)
    try:
        yield open_world(ctx, clock, day, due_day)
    finally:
        ctx.ledger.close()
        ctx.close_stores()

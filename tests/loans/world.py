"""A small world for the loans' tests: the composition root on a fresh SQLite database at a
manual clock, a lender funded in SGD, and a person who consents to be scored by a hand-made
model that gives every characteristic the most points (band A)."""

from __future__ import annotations

import datetime as dt
import random
from dataclasses import dataclass

from colony.api.context import ApiContext
from colony.chart import lender_available_account_id
from colony.cli.serve import build_context
from colony.credit import CreditScores, Model, Scaling, Subject, open_score_store
from colony.credit.scorecard import CHARACTERISTICS, points_json, version_of
from colony.kernel.clock import NS_PER_S, ManualClock, day_number
from colony.kernel.ids import IdGenerator
from colony.ledger import Account
from colony.loans import (
    DailyRun,
    DayReport,
    Lenders,
    LoanService,
    MerchantLoans,
    SqlLoanStore,
    open_loan_store,
)
from colony.loans.results import LenderResult
from colony.merchants import Merchant, TakingsBook
from colony.payments.service import PayResult
from colony.wallets import Tier, Wallet, WalletResult
from tests.credit.scorecards import card, hand_model

ALICE = "+6591110001"
LENDER = "harbour_bank"
# 2026-03-01 00:00 UTC, a morning of a known day.
START = dt.date(2026, 3, 1)


@dataclass
class World:
    ctx: ApiContext
    clock: ManualClock
    loans: LoanService
    lenders: Lenders
    ids: IdGenerator
    store: SqlLoanStore

    def run_day(self, day: int) -> DayReport:
        """The daily run of `day`, as at an hour after it ended."""
        self.at_day(day + 1)
        return DailyRun(self.ctx.ledger, self.store).run(day, self.clock.now_ns())

    def run_days(self, first: int, last: int) -> list[DayReport]:
        return [self.run_day(d) for d in range(first, last + 1)]

    def trial_balance(self) -> dict[int, int]:
        """Debits less credits posted over every account, per ledger: zero when balanced."""
        sums: dict[int, int] = {}
        for a in self.accounts():
            sums[a.ledger] = sums.get(a.ledger, 0) + a.debits_posted - a.credits_posted
        return sums

    def at_day(self, day: int, hour: int = 1) -> None:
        self.clock.set_ns((day * 86_400 + hour * 3_600) * NS_PER_S)

    def today(self) -> int:
        return self.loans.today()

    def person(self, phone: str = ALICE, cash_minor: int = 500_000) -> Wallet:
        """A verified wallet with money in it, consenting to be scored."""
        wallets = self.ctx.wallets
        result, wallet = wallets.open_wallet(phone, "Alice Tan", "SGD")
        assert result is WalletResult.ok and wallet is not None
        assert wallets.verify_identity(wallet.id) is WalletResult.ok
        assert wallets.cash_in(phone, "SGD", cash_minor).result is WalletResult.ok
        found = self.ctx.wallet_store.by_phone(phone, "SGD")
        assert found is not None and found.tier is Tier.identity_verified
        self.ctx.service(CreditScores).give_consent(found)
        self.clock.advance(60)  # a score reads history before its moment only
        return found

    def sell(self, merchant: Merchant, amount_minor: int, day: int) -> None:
        """Alice buys `amount_minor` at the merchant on UTC day `day` (at 10:00)."""
        self.at_day(day, 10)
        code = self.ctx.payments.merchant_qr(merchant, amount_minor)
        assert self.ctx.payments.pay_by_qr(ALICE, "SGD", code).result is PayResult.ok

    def shop(self) -> Merchant:
        """A coffee shop in Singapore taking SGD, its discount fee 1%."""
        _, shop = self.ctx.merchants.onboard(
            "Kopi Pte Ltd", "Kopi", "5814", "SG", "Singapore", "SGD", 100
        )
        assert shop is not None
        return shop

    def fund(self, amount_minor: int, reference: str = "wire-1") -> None:
        assert self.lenders.fund(LENDER, "SGD", amount_minor, reference) is LenderResult.ok

    def balance(self, account_id: int) -> int:
        """Debits less credits: positive for what is owed to Colony."""
        (account,) = self.ctx.ledger.lookup_accounts([account_id])
        return account.debits_posted - account.credits_posted

    def lenders_available(self) -> int:
        """The lender's available capital account in SGD."""
        return lender_available_account_id(LENDER, 702)

    def accounts(self) -> list[Account]:
        return list(self.ctx.ledger.all_accounts())

    def close(self) -> None:
        self.ctx.ledger.close()
        self.ctx.close_stores()


def make_world(url: str, lender_share_bps: int = 6_000, points: int = 100) -> World:
    """`points` every bin of every characteristic gives: 100 scores band A (950), 0 declines."""
    clock = ManualClock()
    clock.set_ns((day_number(START) * 86_400 + 3_600) * NS_PER_S)
    ctx = build_context(url, clock=clock)
    model = hand_model({c.name: (points,) * 3 for c in CHARACTERISTICS[Subject.person]})
    ids = IdGenerator(clock, random.Random(51))
    score_store = open_score_store(url)
    scores = CreditScores(ctx.ledger, score_store, model, clock, ids)
    ctx.provide(scores, score_store)
    store = open_loan_store(url)
    lenders = Lenders(ctx.ledger, ctx.wallets, store, clock)
    loans = LoanService(ctx.ledger, ctx.wallets, scores, lenders, store, clock)
    ctx.provide(lenders)
    ctx.provide(loans, store)
    merchant_loans = MerchantLoans(
        ctx.ledger, scores, lenders, store, ctx.service(TakingsBook), clock
    )
    scores.merchant_repayments = merchant_loans.repayment_record  # as colony serve wires it
    merchant_loans.suspended = ctx.merchants.is_suspended  # and this
    ctx.provide(merchant_loans)
    result, _ = lenders.add(LENDER, "SGD", lender_share_bps)
    assert result is LenderResult.ok
    return World(ctx, clock, loans, lenders, ids, store)


def scored_well() -> Model:
    """A hand-made model giving people and merchants the most points: band A for anyone."""
    cards = {
        subject: card(subject, {c.name: (900, 900, 900) for c in CHARACTERISTICS[subject]})
        for subject in (Subject.person, Subject.merchant)
    }
    version = version_of(points_json(Scaling(), cards))
    return Model(version, "2026-12-01T00:00:00+00:00", Scaling(), cards, {}, {})

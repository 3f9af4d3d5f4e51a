"""Merchant payouts as accounting stories (docs/adr/0041), on each backend: a hawker stall
paid and refunding over a few days, each day's balance at its end paid out to its bank once;
a rerun that moves nothing; a refund after the day's end honoured before the payout; a
balance at nothing or below; and the days a payout is refused for."""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path

import pytest

from colony.api.context import ApiContext
from colony.chart import TransferCode, funding_partner_account_id
from colony.kernel.clock import NS_PER_S, ManualClock
from colony.kernel.errors import InvalidInput
from colony.merchants import (
    DAY_NS,
    Merchant,
    PayoutResult,
    PayoutService,
    TakingsBook,
    day_named,
    paid_out,
    payout_days_back_max,
    payout_id,
)
from tests.api.test_funding_api import _served_at

served = contextmanager(_served_at)
PAYER = "+6581239001"
DAY_1 = day_named("2026-01-01")  # the clock of `served` starts at its midnight
HOUR_NS = 3_600 * NS_PER_S


@dataclass
class Stall:
    ctx: ApiContext
    clock: ManualClock
    merchant: Merchant
    payouts: PayoutService
    paid: int = 0

    def pay(self, amount_minor: int) -> int:
        self.paid += 1
        payload = self.ctx.payments.merchant_qr(self.merchant)
        pid = 1 << 126 | self.paid
        made = self.ctx.payments.pay_by_qr(PAYER, "SGD", payload, amount_minor, pid)
        assert made.result.name == "ok", made.result
        return pid

    def refund(self, payment_id: int, amount_minor: int) -> None:
        self.paid += 1
        made = self.ctx.payments.refund(payment_id, amount_minor, 1 << 126 | self.paid)
        assert made.result.name == "ok", made.result

    def at(self, day_ns: int, hour: int) -> None:
        self.clock.set_ns(day_ns + hour * HOUR_NS)

    def balances(self) -> tuple[int, int]:
        """The stall's balance, and what the bank's settlement account was paid."""
        bank = funding_partner_account_id("dbs", self.merchant.ledger)
        shop, dbs = self.ctx.ledger.lookup_accounts([self.merchant.account_id, bank])
        return shop.credits_posted - shop.debits_posted, dbs.credits_posted - dbs.debits_posted


@contextmanager
def stall_at(url: str, name: str = "Hawker Chan") -> Iterator[Stall]:
    """A stall onboarded at 2026-01-01 00:00 UTC (1.5% discount), a payer with money, and
    the `dbs` bank registered in SGD."""
    with served(url) as (_, ctx, clock):
        _, merchant = ctx.merchants.onboard(
            f"{name} Pte Ltd", name, "5812", "SG", "Singapore", "SGD", 150
        )
        assert merchant is not None
        assert ctx.wallets.open_wallet(PAYER, "Mei Tan", "SGD")[0].name == "ok"
        assert ctx.wallets.cash_in(PAYER, "SGD", 100_000).result.name == "ok"
        yield Stall(ctx, clock, merchant, PayoutService(ctx.ledger, clock))


def test_a_days_balance_is_paid_out_once_and_the_books_balance(store_url: str) -> None:
    with stall_at(store_url) as stall:
        day_2 = DAY_1 + DAY_NS
        stall.at(DAY_1, 9)
        lunch = stall.pay(100_00)  # fee 1.50
        stall.pay(40_00)  # fee 0.60
        stall.refund(lunch, 10_00)  # the fee stays with the operator
        assert stall.balances() == (127_90, 0)  # 140.00 - 2.10 - 10.00
        stall.at(day_2, 1)
        stall.pay(20_00)  # day 2's money: fee 0.30, not day 1's to pay out
        assert stall.balances() == (147_60, 0)

        stall.at(day_2, 2)
        made = stall.payouts.pay_out(stall.merchant, DAY_1, "dbs")
        assert made.result is PayoutResult.ok
        assert (made.amount_minor, made.currency) == (127_90, "SGD")
        assert made.transfer_id == payout_id(stall.merchant.account_id, DAY_1)
        assert stall.balances() == (19_70, 127_90)
        (transfer,) = stall.ctx.ledger.lookup_transfers([made.transfer_id])
        assert transfer.code == TransferCode.payout and transfer.user_data_32 == DAY_1 // DAY_NS

        stall.at(day_2, 3)
        again = stall.payouts.pay_out(stall.merchant, DAY_1, "dbs")
        assert again.result is PayoutResult.already_paid
        assert (again.transfer_id, again.amount_minor) == (made.transfer_id, 127_90)
        assert stall.balances() == (19_70, 127_90)

        # The report reads both from the ledger: day 1's takings, and what was paid for it.
        day_2_takings, day_1_takings = TakingsBook(stall.ctx.ledger).by_day(
            stall.merchant.account_id, DAY_1, 2
        )
        assert (day_1_takings.gross_minor, day_1_takings.net_minor) == (140_00, 127_90)
        assert day_2_takings.net_minor == 19_70  # the payout is no takings of day 2
        payouts = paid_out(stall.ctx.ledger, stall.merchant.account_id, DAY_1, 2)
        assert list(payouts) == [DAY_1]
        assert payouts[DAY_1].amount_minor == 127_90
        assert payouts[DAY_1].reference == f"po_{made.transfer_id:032x}"
        # A trial balance: on SGD's ledger, debits equal credits, and nothing is pending.
        (sgd,) = [t for t in stall.ctx.ledger.totals() if t.ledger == stall.merchant.ledger]
        assert sgd.debits_posted == sgd.credits_posted
        assert sgd.debits_pending == sgd.credits_pending == 0


def test_a_refund_after_the_days_end_is_honoured_before_its_payout(store_url: str) -> None:
    with stall_at(store_url) as stall:
        day_2, day_3, day_4 = (DAY_1 + n * DAY_NS for n in (1, 2, 3))
        stall.at(DAY_1, 12)
        noodles = stall.pay(20_00)  # the stall holds 19.70 at the day's end
        stall.at(day_2, 1)
        stall.refund(noodles, 15_00)  # before the day's payout: 4.70 left
        made = stall.payouts.pay_out(stall.merchant, DAY_1, "dbs")
        assert (made.result, made.amount_minor) == (PayoutResult.ok, 4_70)
        assert stall.balances() == (0, 4_70)
        # The rest refunded after the payout: the stall owes Colony 5.00, and its next days
        # pay nothing until its takings cover that.
        stall.refund(noodles, 5_00)
        assert stall.balances() == (-5_00, 4_70)
        stall.at(day_3, 1)
        owing = stall.payouts.pay_out(stall.merchant, day_2, "dbs")
        assert (owing.result, owing.amount_minor) == (PayoutResult.nothing_to_pay, 0)
        assert stall.ctx.ledger.lookup_transfers([owing.transfer_id]) == []
        stall.pay(10_00)  # 9.85, of which 5.00 was owed
        stall.at(day_4, 1)
        made = stall.payouts.pay_out(stall.merchant, day_3, "dbs")
        assert (made.result, made.amount_minor) == (PayoutResult.ok, 4_85)
        assert stall.balances() == (0, 9_55)


def test_a_stall_with_nothing_taken_is_paid_nothing(store_url: str) -> None:
    with stall_at(store_url) as stall:
        stall.at(DAY_1 + DAY_NS, 1)
        made = stall.payouts.pay_out(stall.merchant, DAY_1, "dbs")
        assert (made.result, made.amount_minor) == (PayoutResult.nothing_to_pay, 0)
        assert stall.ctx.ledger.lookup_transfers([made.transfer_id]) == []
        assert stall.balances() == (0, 0)


def test_the_days_a_payout_is_refused_for(tmp_path: Path) -> None:
    with stall_at(f"sqlite:///{tmp_path}/payouts.db") as stall:
        stall.at(DAY_1, 9)
        stall.pay(10_00)
        refused = stall.payouts.pay_out(stall.merchant, DAY_1, "dbs")
        assert refused.result is PayoutResult.day_not_over  # today: its balance may change
        day_3 = DAY_1 + 2 * DAY_NS
        stall.at(day_3, 1)
        unknown = stall.payouts.pay_out(stall.merchant, DAY_1, "nobank")
        assert unknown.result is PayoutResult.unknown_partner
        # Day 2's payout takes day 1's money with it (its balance held it): day 1 then has
        # nothing of its own left, and paying it after would pay that money twice.
        both = stall.payouts.pay_out(stall.merchant, DAY_1 + DAY_NS, "dbs")
        assert (both.result, both.amount_minor) == (PayoutResult.ok, 9_85)
        late = stall.payouts.pay_out(stall.merchant, DAY_1, "dbs")
        assert late.result is PayoutResult.later_day_paid
        stall.at(DAY_1 + (payout_days_back_max + 1) * DAY_NS, 1)
        old = stall.payouts.pay_out(stall.merchant, DAY_1, "dbs")
        assert old.result is PayoutResult.day_too_old
        assert stall.balances() == (0, 9_85)


@pytest.mark.parametrize("text", ["2026-1-01", "20260101", "2026-02-30", "2026-01-01T00", ""])
def test_a_day_is_named_yyyy_mm_dd(text: str) -> None:
    with pytest.raises(InvalidInput, match="YYYY-MM-DD"):
        day_named(text)

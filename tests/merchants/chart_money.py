"""Merchants' money for the chart's check (tests/chart/test_ledger_keeps_to_the_chart.py): a
shop paid, then its day's balance paid out to a funding partner, meets the payout transfer."""

from __future__ import annotations

from colony.api.context import ApiContext
from colony.cli.demo_data import ALICE
from colony.kernel.clock import ManualClock
from colony.merchants import DAY_NS, PayoutResult, PayoutService, day_of


def move(ctx: ApiContext) -> None:
    _, shop = ctx.merchants.onboard(
        "Payout Shop Pte Ltd", "Payout Shop", "5999", "SG", "Singapore", "SGD", 100
    )
    assert shop is not None
    code = ctx.payments.merchant_qr(shop)
    paid = ctx.payments.pay_by_qr(ALICE.phone, "SGD", code, 4_00, 1 << 126 | 41)
    assert paid.result.name == "ok", paid.result
    # The day is today's: the service is told it is tomorrow, so today is over.
    today = day_of(ctx.clock.now_ns())
    tomorrow = PayoutService(ctx.ledger, ManualClock(today + DAY_NS))
    made = tomorrow.pay_out(shop, today, "lion_city_bank")
    assert made.result is PayoutResult.ok and made.amount_minor == 3_96, made

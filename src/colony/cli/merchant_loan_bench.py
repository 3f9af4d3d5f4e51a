"""The decision on a merchant's loan, timed (`colony bench merchant-loans`, docs/adr/0051):
on a fresh SQLite database at a manual clock, merchants each sell once a day for 25 days to a
customer of their own, then each applies for its loan offer: the time from the application
to its answer (the merchant's 90 days of takings read, its score decided and recorded, the
loan recorded and paid out in one chain, or the refusal) is measured one at a time. Figures,
never a pass or fail."""

from __future__ import annotations

import datetime as dt
import random
import statistics
import time
from dataclasses import dataclass
from pathlib import Path

from colony.bench.api_load import percentile
from colony.cli.serve import build_context
from colony.kernel.clock import NS_PER_S, ManualClock, day_number
from colony.loans import (
    Lenders,
    LoanResult,
    MerchantLoans,
)

# The day the market starts on (UTC), and the days merchants sell before applying.
start_day = day_number(dt.date(2026, 3, 1))
selling_days = 25
DAY_S = 86_400


@dataclass(frozen=True)
class MerchantLoanFigures:
    applications: int
    granted: int
    p50_ms: float
    p99_ms: float
    max_ms: float

    def as_json(self) -> dict[str, object]:
        return {k: getattr(self, k) for k in self.__dataclass_fields__}


def measure(folder: Path, merchants: int, seed: int) -> MerchantLoanFigures:
    clock = ManualClock()
    clock.set_ns((start_day * DAY_S + 3_600) * NS_PER_S)
    ctx = build_context(f"sqlite:///{folder / 'merchant-loans.db'}", clock=clock)
    try:
        ctx.wallets.register_funding_partner("bench_bank", "SGD")
        lenders = ctx.service(Lenders)
        lenders.add("bench_bank", "SGD", 5_000)
        lenders.fund("bench_bank", "SGD", 10**12, "bench")
        rng = random.Random(seed)
        shops = []
        for i in range(merchants):
            _, shop = ctx.merchants.onboard(
                f"Shop {i} Pte Ltd", f"Shop {i}", "5814", "SG", "Singapore", "SGD", 100
            )
            phone = f"+659{i:07d}"
            _, wallet = ctx.wallets.open_wallet(phone, f"Buyer {i}", "SGD")
            assert shop is not None and wallet is not None
            ctx.wallets.verify_identity(wallet.id)
            ctx.wallets.cash_in(phone, "SGD", 8_000_00)
            shops.append((shop, phone, rng.randint(100_00, 300_00)))
        for day in range(selling_days):
            clock.set_ns(((start_day + day) * DAY_S + 36_000) * NS_PER_S)
            for shop, phone, amount in shops:
                ctx.payments.pay_by_qr(phone, "SGD", ctx.payments.merchant_qr(shop, amount))
        clock.set_ns(((start_day + selling_days) * DAY_S + 32_400) * NS_PER_S)
        loans = ctx.service(MerchantLoans)
        timed, granted = [], 0
        for n, (shop, _, _) in enumerate(shops, start=1):
            started = time.perf_counter()
            result, _, _ = loans.apply(shop, 1 << 126 | n)
            timed.append((time.perf_counter() - started) * 1_000)
            granted += result is LoanResult.ok
    finally:
        ctx.ledger.close()
        ctx.close_stores()
    timed.sort()
    return MerchantLoanFigures(
        len(timed), granted, round(statistics.median(timed), 3),
        round(percentile(timed, 0.99), 3), round(timed[-1], 3),
    )  # fmt: skip

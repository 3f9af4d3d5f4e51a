"""`colony bench festival`: the simulated market's payment mix at a rising rate, until it breaks.

The server is `bench api`'s (a fresh database seeded through the services, `colony serve` in
a child process); the load is a rising staircase of open-loop steps, each driven by its own
load-generator process (festival_load.py) so that each step's latencies, errors and server
CPU are its own. The run stops at the first step whose p99 passes the bar or that has any
error, or after the step at the highest rate. The highest rate held is the last step that
passed. After the server stops, the ledger is opened afresh and verified from its journal.

The mix is the simulated market's (colony.simulator): the shares of what its people did, as
counted from a run of `colony simulate market --people 5000 --merchants 500 --days 35
--seed 1` (of 71,993 operations that succeeded: 52,921 QR payments in the wallet's currency,
5,351 across currencies with a quote, 4,138 P2P transfers, 8,471 top-ups, 1,112 refunds).
Every top-up is driven as a bank's (requested by the wallet, confirmed by the operator's
key): a cash-in at an agent has no HTTP route (docs/adr/0035).
"""

from __future__ import annotations

from dataclasses import dataclass

from colony.api.context import ApiContext
from colony.bench import api_bench

# The mix, in operations per 10,000, by the load generator's kind names (festival_load.KINDS).
market_mix = {
    "qr_payment": 7_351,
    "cross_border_payment": 743,
    "p2p_transfer": 575,
    "top_up": 1_177,
    "refund": 154,
}
# What the output says of how the mix was made and driven.
mix_notes = (
    "shares of what succeeded in `colony simulate market --people 5000 --merchants 500 "
    "--days 35 --seed 1`; every kind is driven over HTTP; top-ups (70% by bank, 30% cash at "
    "an agent in the simulator) are all driven as a bank's, requested by the wallet and "
    "confirmed with the operator's key (cash-in has no HTTP route); a refund due before any "
    "payment of its step is made is driven as a QR payment"
)
# What each operation moves, in minor units: 10.00 paid, topped up or sent; half refunded.
operation_minor = 1_000
# The foreign merchant a tourist pays across currencies (Lapland, in EUR), and how much.
foreign_currency = "EUR"
foreign_amount_minor = 1_000
# The bank wallets top up from (SGD, as the wallets are).
funding_partner = "bench_bank_sgd"
# The bar a step must hold: its p99, in milliseconds.
p99_bar_ms = 50.0
# Keep-alive connections of the load generator.
connections_default = 64


@dataclass(frozen=True)
class Staircase:
    """The rising rate: named limits, each with its unit."""

    start_per_s: float  # operations a second in the first step
    increment_per_s: float  # added at each step
    max_per_s: float  # the last step's rate at most
    step_s: float  # seconds each step lasts
    warmup_s: float  # seconds sent at the start rate first, not counted (first-use costs)

    def rates(self) -> list[float]:
        """Every step's rate, rising: start, start + increment, ..., up to max."""
        rates, rate = [], self.start_per_s
        while rate <= self.max_per_s + 1e-9:
            rates.append(rate)
            rate += self.increment_per_s
        return rates


@dataclass(frozen=True)
class FestivalSeeded:
    base: api_bench.Seeded
    foreign_payload: str  # the foreign merchant's code, for `foreign_amount_minor`


def seed(ctx: ApiContext, wallets: int) -> FestivalSeeded:
    """`bench api`'s seed, with what the rest of the mix needs: a merchant in another
    currency for the cross-border payments, and a bank for the top-ups."""
    base = api_bench.seed(ctx, wallets)
    result, foreign = ctx.merchants.onboard(
        "Bench Aurora Gifts Oy", "Bench Aurora Gifts", "5947", "FI", "Rovaniemi",
        foreign_currency, 150,
    )  # fmt: skip
    if foreign is None:
        raise RuntimeError(f"could not onboard the foreign merchant: {result.name}")
    assert ctx.funding is not None, "build_context wires the funding service"
    registered, _ = ctx.funding.register_partner(funding_partner, "bank", "SGD")
    if registered.name != "ok":
        raise RuntimeError(f"could not register the bank: {registered.name}")
    return FestivalSeeded(base, ctx.payments.merchant_qr(foreign, foreign_amount_minor))


def step_plan(
    seeded: FestivalSeeded, port: int, rate: float, step_s: float, name: str, connections: int
) -> dict[str, object]:
    """The load generator's plan for one step (festival_load.py)."""
    base = seeded.base
    return {
        "mode": "festival",
        "host": "127.0.0.1",
        "port": port,
        "rate": rate,
        "duration_s": step_s,
        "connections": connections,
        "seed": name,
        "key_prefix": f"festival-{name}",
        "mix": market_mix,
        "wallet_tokens": base.wallet_tokens,
        "phones": base.phones,
        "payload": base.payload,
        "amount_minor": operation_minor,
        "wallet_currency": "SGD",
        "foreign_currency": foreign_currency,
        "foreign_amount_minor": foreign_amount_minor,
        "foreign_payload": seeded.foreign_payload,
        "funding_partner": funding_partner,
        "operator_key": base.operator_key,
        "merchant_key": base.merchant_key,
    }


def held(step: dict[str, object]) -> bool:
    """Whether a step held the bar: p99 within it and no error."""
    p99 = step["p99_ms"]
    assert isinstance(p99, float | int)
    return p99 <= p99_bar_ms and step["errors"] == 0


@dataclass(frozen=True)
class Climb:
    warmup: dict[str, object] | None  # its figures, not counted as a step
    steps: list[dict[str, object]]  # each step's, the one that failed the bar (if any) last

    @property
    def best(self) -> dict[str, object] | None:
        """The last step that held the bar."""
        return next((s for s in reversed(self.steps) if s["held"]), None)


def climb(
    server: api_bench.Server, seeded: FestivalSeeded, staircase: Staircase, connections: int
) -> Climb:
    """The warm-up, then each step in turn until one fails the bar."""

    def drive(rate: float, seconds: float, name: str) -> dict[str, object]:
        plan = step_plan(seeded, server.port, rate, seconds, name, connections)
        cpu_before = server.cpu_seconds()
        summary = api_bench.drive(plan, "colony.bench.festival_load")
        cpu_after = server.cpu_seconds()
        if cpu_before is not None and cpu_after is not None:
            operations = summary["requests"]
            assert isinstance(operations, int)
            summary["server_cpu_s"] = round(cpu_after - cpu_before, 2)
            per_operation_ms = (cpu_after - cpu_before) * 1000 / max(1, operations)
            summary["server_cpu_ms_per_payment"] = round(per_operation_ms, 3)
        return summary

    warmup = None
    if staircase.warmup_s > 0:
        warmup = drive(staircase.start_per_s, staircase.warmup_s, "warmup")
    steps: list[dict[str, object]] = []
    for n, rate in enumerate(staircase.rates()):
        step = drive(rate, staircase.step_s, f"step-{n}")
        step["held"] = held(step)
        steps.append(step)
        if not step["held"]:
            break
    return Climb(warmup, steps)


def mix_shares() -> dict[str, float]:
    """The mix driven, as shares of one."""
    total = sum(market_mix.values())
    return {kind: round(n / total, 4) for kind, n in market_mix.items()}

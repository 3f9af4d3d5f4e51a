"""Risk control's check on a realistic stream (`colony bench risk`, docs/adr/0055): payments
generated from a seed (wallets paying merchants they mostly know, from their own devices,
amounts around each wallet's habit, some at places far apart), offered at a steady rate, and
each check (features read, rules assessed, the event counted) timed alone.

Figures, never a pass or fail.
"""

from __future__ import annotations

import random
import statistics
import time
from dataclasses import dataclass, replace

from colony.kernel.clock import NS_PER_S
from colony.risk import (
    DEFAULT_RULES,
    AssessmentStore,
    Channel,
    Decision,
    Mode,
    Place,
    RiskCheck,
    RiskEvent,
    RuleSet,
    default_fraud_model,
)

# The stream's people and shops.
wallets_in_stream = 20_000
merchants_in_stream = 2_000
# Where the stream's payments happen: a few cities, in millionths of a degree.
_CITIES = (
    Place(1_352_100, 103_819_800),  # Singapore
    Place(60_169_900, 24_938_400),  # Helsinki
    Place(31_230_400, 121_473_700),  # Shanghai
    Place(13_756_300, 100_501_800),  # Bangkok
)
# The stream starts at this simulated time.
_START_NS = 1_767_225_600 * NS_PER_S


@dataclass(frozen=True)
class RiskFigures:
    checks: int
    rate_offered: int
    payments_per_second: float
    p50_ms: float
    p99_ms: float
    max_ms: float
    cpu_ms_per_check: float
    not_allowed: int  # checks whose decision was more than allow (every rule active)
    kept: int  # assessments written to the database (with --database)

    def as_json(self) -> dict[str, object]:
        return {k: getattr(self, k) for k in self.__dataclass_fields__}


def all_active(rules: RuleSet = DEFAULT_RULES) -> RuleSet:
    """Every rule acting: the check does the same work in shadow mode, and the decisions
    show what the stream would meet."""
    return RuleSet(rules.version, tuple(replace(r, mode=Mode.active) for r in rules.rules))


def stream(seed: int, count: int, rate: int) -> list[RiskEvent]:
    """`count` payments, one every 1/rate s of simulated time."""
    rng = random.Random(seed)
    habit = [int(rng.lognormvariate(7.0, 1.0)) + 1 for _ in range(wallets_in_stream)]
    events = []
    for i in range(count):
        w = rng.randrange(wallets_in_stream)
        merchant = w * 31 + rng.randrange(5 if rng.random() < 0.9 else merchants_in_stream)
        amount = max(1, int(habit[w] * rng.lognormvariate(0.0, 0.5)))
        device = f"d{w}" if rng.random() < 0.98 else f"d{rng.randrange(10**6)}"
        place = _CITIES[w % len(_CITIES)] if rng.random() < 0.97 else rng.choice(_CITIES)
        at_ns = _START_NS + i * NS_PER_S // rate
        channel = Channel.qr if rng.random() < 0.8 else Channel.p2p
        payee = f"m{merchant % merchants_in_stream}"
        events.append(RiskEvent(channel, f"w{w}", payee, amount, "SGD", at_ns, device, place))
    return events


def measure(checks: int, rate: int, seed: int, store: AssessmentStore | None = None) -> RiskFigures:
    """Offer `checks` payments at `rate` a second (wall time), timing each check alone (wall
    and this thread's CPU); with a `store`, assessments worth keeping are written after
    their check, outside its timing, as the payment path writes them on another thread."""
    events = stream(seed, checks, rate)
    # With the fraud model Colony ships (docs/adr/0059): its score is part of every check.
    check = RiskCheck(rules=all_active(), store=store, model=default_fraud_model())
    times_ns: list[int] = []
    not_allowed = kept = 0
    interval_ns = NS_PER_S // rate
    cpu_ns, start = 0, time.perf_counter_ns()
    for i, event in enumerate(events):
        due = start + i * interval_ns
        while time.perf_counter_ns() < due:
            time.sleep(max(0.0, (due - time.perf_counter_ns()) / NS_PER_S / 2))
        c0, t0 = time.thread_time_ns(), time.perf_counter_ns()
        assessment = check.payment(i, event)
        if assessment.decision in (Decision.allow, Decision.review):
            check.succeeded(i)  # the ledger took it: its amount and payee count as paid
        times_ns.append(time.perf_counter_ns() - t0)
        cpu_ns += time.thread_time_ns() - c0
        if assessment.reasons:
            not_allowed += 1
        if check.keeps(assessment):
            check.keep(i, event, assessment)
            kept += 1
    wall_ns = time.perf_counter_ns() - start
    quantiles = statistics.quantiles(times_ns, n=100, method="inclusive")
    return RiskFigures(
        checks,
        rate,
        round(checks * NS_PER_S / wall_ns, 1),
        round(quantiles[49] / 1e6, 4),
        round(quantiles[98] / 1e6, 4),
        round(max(times_ns) / 1e6, 4),
        round(cpu_ns / checks / 1e6, 4),
        not_allowed,
        kept,
    )

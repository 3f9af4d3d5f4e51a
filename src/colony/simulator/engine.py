"""Running the simulated market: set it up on the eve of the first day, then day by day.

On the eve (`eve_hours` of it, UTC) every currency gets a funding partner (a bank), every
shop is onboarded as a merchant, and every person opens a wallet, verifies it if their tier
says so, and tops it up. Then, for each day, every behaviour plans every person's day (in a
fixed order: behaviours as listed, people by index), and the queued actions run in time
order up to the earliest moment the next day can begin anywhere (local midnight at UTC+14).
Everything draws from streams of one seed and runs on one thread, so a seed and the same
arguments give the same ledger.
"""

from __future__ import annotations

import datetime as dt
import math
import random
import time
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field

from colony.kernel.clock import NS_PER_S, ns_from_utc
from colony.simulator.actions import (
    funding_partner_name,
    in_home_minor,
    refund_after_s_max,
    top_up,
)
from colony.simulator.behaviours import Behaviour, default_behaviours
from colony.simulator.credit_truth import CreditTruth, SimulatedOutcome
from colony.simulator.gazetteer import cities
from colony.simulator.population import Person, Shop, people, shops
from colony.simulator.streams import stream
from colony.simulator.world import Day, Market, MarketServices, World
from colony.wallets import WalletResult

# The part of the eve (from its UTC midnight) over which the market opens, in hours: done
# before the first day can begin anywhere (local midnight at UTC+14 is 10:00 UTC the eve).
eve_hours = 9
# The earliest local midnight of a day, before its UTC midnight, in hours (UTC+14).
utc_offset_max_h = 14
# The latest local midnight of a day, after its UTC midnight, in hours (UTC-12).
utc_offset_min_h = -12
# What a new wallet is first topped up with, in US cents (in its own currency), at most.
first_top_up_usd_cents_max = 50_000


def last_day_max(today: dt.date) -> dt.date:
    """The most recent last day a market may have on `today` (UTC). Its events reach past
    it: the day ends up to 12 hours after UTC's, and a refund comes up to
    `refund_after_s_max` after its payment; the ledger refuses an imported event stamped
    later than its own clock, so all of them must be in the past."""
    reach_s = 86_400 - utc_offset_min_h * 3_600 + refund_after_s_max
    return today - dt.timedelta(days=math.ceil(reach_s / 86_400))


@dataclass(frozen=True)
class SimulationConfig:
    people: int
    merchants: int
    days: int
    seed: int
    last_day: dt.date  # the last simulated day; the first is `days - 1` before it
    # Credit's ground truth (credit_truth.py): hidden traits that shape behaviour, and a
    # loan's outcome per person and merchant. Off: the market is what it always was.
    credit: bool = False

    @property
    def first_day(self) -> dt.date:
        return self.last_day - dt.timedelta(days=self.days - 1)


@dataclass
class SimulationSummary:
    people: int
    merchants: int
    days: int
    first_day: dt.date
    last_day: dt.date
    stats: dict[str, int] = field(default_factory=dict)
    actions: int = 0
    seconds: float = 0.0
    opening_seconds: float = 0.0  # of `seconds`, opening the market on the eve
    timeouts_dropped: int = 0
    # Where each merchant stands: its id and the shop it is (city, coordinates, kind).
    places: list[tuple[str, Shop]] = field(default_factory=list)
    # With `credit`: each subject's loan and whether it was repaid (never in the ledger).
    credit_outcomes: list[SimulatedOutcome] = field(default_factory=list)

    @property
    def payments(self) -> int:
        return self.stats.get("payments: ok", 0)


# (phase, done, total): "open" while the market opens, "days" after each day.
Progress = Callable[[str, int, int], None]


def _midnight_ns(day: dt.date) -> int:
    return ns_from_utc(dt.datetime(day.year, day.month, day.day, tzinfo=dt.UTC))


def simulate(
    services: MarketServices,
    config: SimulationConfig,
    behaviours: Sequence[Behaviour] | None = None,
    progress: Progress | None = None,
) -> SimulationSummary:
    """Build the market on `services` (an empty ledger): the same config, the same ledger."""
    started = time.perf_counter()
    behaviours = list(default_behaviours() if behaviours is None else behaviours)
    names = [b.name for b in behaviours]
    if len(set(names)) != len(names):
        raise ValueError(f"two behaviours share a name: {names}")
    market = Market(
        people(config.people, config.days, stream(config.seed, "people")),
        shops(config.merchants, stream(config.seed, "shops")),
    )
    world = World(services, market)
    truth = None
    if config.credit:
        truth = CreditTruth.draw(market.people, market.shops, config.days, config.seed)
        behaviours = truth.behaviours(behaviours)
        world.refund_pcts = truth.refund_pcts()
        world.complaint_per_mille = truth.complaint_per_mille()
        world.complaint_rng = stream(config.seed, "credit:complaints")
        market.popularity = truth.popularity()
    report = progress or (lambda phase, done, total: None)
    _open_market(world, config, report, truth)
    opened_s = time.perf_counter() - started
    streams = [stream(config.seed, f"behaviour:{b.name}") for b in behaviours]
    actions = 0
    for index in range(config.days):
        date = config.first_day + dt.timedelta(days=index)
        day = Day(index, date, market)
        if truth is not None:
            for action in truth.joining(day, lambda p, r: open_person(world, p, r, truth)):
                world.schedule(action)
        for behaviour, rng in zip(behaviours, streams, strict=True):
            for person in market.people:
                if truth is not None and not truth.active(person, index):
                    continue  # not in the market yet (credit's late joiners)
                for action in behaviour.plan(day, person, rng):
                    world.schedule(action)
        next_begins = (
            _midnight_ns(date + dt.timedelta(days=1)) - utc_offset_max_h * 3_600 * NS_PER_S
        )
        is_last = index == config.days - 1
        actions += world.run_until(None if is_last else next_begins)
        report("days", index + 1, config.days)
    first_midnight = _midnight_ns(config.first_day)
    outcomes = truth.outcomes(world, first_midnight) if truth is not None else []
    return SimulationSummary(
        config.people,
        config.merchants,
        config.days,
        config.first_day,
        config.last_day,
        dict(sorted(world.stats.items())),
        actions,
        time.perf_counter() - started,
        opened_s,
        services.ledger.timeouts_dropped,
        [(world.merchants[shop.index].id, shop) for shop in market.shops],
        outcomes,
    )


def _open_market(
    world: World, config: SimulationConfig, report: Progress, truth: CreditTruth | None
) -> None:
    services, market = world.services, world.market
    rng = stream(config.seed, "open")
    eve_ns = _midnight_ns(config.first_day - dt.timedelta(days=1))
    services.clock.set_ns(eve_ns)
    for currency in sorted({c.currency for c in cities()}):
        registered, _ = services.funding.register_partner(
            funding_partner_name(currency), "bank", currency
        )
        if registered is not WalletResult.ok:
            raise RuntimeError(f"funding partner for {currency}: {registered.name}")
    total = len(market.shops) + len(market.people)
    step_ns = eve_hours * 3_600 * NS_PER_S // max(total, 1)
    report_every = max(total // 100, 1)
    for done, shop in enumerate(market.shops, 1):
        services.clock.set_ns(eve_ns + done * step_ns)
        onboarded, merchant = services.merchants.onboard(
            shop.legal_name,
            shop.display_name,
            shop.kind.mcc,
            shop.city.country,
            shop.city.name,
            shop.city.currency,
            shop.kind.discount_bps,
        )
        if merchant is None:
            raise RuntimeError(f"shop {shop.index} not onboarded: {onboarded.name}")
        world.merchants[shop.index] = merchant
        if not done % report_every:
            report("open", done, total)
    for done, person in enumerate(market.people, len(market.shops) + 1):
        if truth is not None and truth.joins_later(person):
            continue  # opens its wallet on the day it joins (credit_truth.JoinMarket)
        services.clock.set_ns(eve_ns + done * step_ns)
        open_person(world, person, rng, truth)
        if not done % report_every:
            report("open", done, total)
    report("open", total, total)


def open_person(
    world: World, person: Person, rng: random.Random, truth: CreditTruth | None
) -> None:
    """A person opens a wallet now, verifies it if their tier says so, and tops it up."""
    services = world.services
    opened, wallet = services.wallets.open_wallet(person.phone, person.name, person.currency)
    if wallet is None:
        raise RuntimeError(f"person {person.index}: wallet not opened: {opened.name}")
    if person.verified:
        verified = services.wallets.verify_identity(wallet.id)
        if verified is not WalletResult.ok:
            raise RuntimeError(f"person {person.index}: not verified: {verified.name}")
        wallet = services.wallet_store.by_id(wallet.id) or wallet
    world.wallets[person.index] = wallet
    first = in_home_minor(person, rng.randint(5_000, first_top_up_usd_cents_max))
    if truth is not None:
        first = max(1, first * truth.first_top_up_pct(person) // 100)
    top_up(world, person, first, rng)

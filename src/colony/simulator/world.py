"""The simulated market while it runs: its services, its people and merchants, and its time.

`MarketServices` are the services the HTTP API uses, wired by the caller (the CLI) on one
database, with the importing ledger and the simulated clock. `World` adds what the simulation
knows: each person's wallet, each shop's merchant record, what happened (`stats`), and the
queue of actions to come, run in time order.
"""

from __future__ import annotations

import datetime as dt
import heapq
import itertools
import random
from collections import Counter
from dataclasses import dataclass, field
from typing import Protocol

from colony.disputes import ComplaintService
from colony.fx import QuoteService
from colony.kernel.clock import NS_PER_S, ns_from_utc
from colony.kernel.ids import IdGenerator
from colony.merchants import Merchant, MerchantService
from colony.payments import CrossBorderPayments, PaymentService
from colony.simulator.gazetteer import City
from colony.simulator.importing_ledger import ImportingLedger, SimulatedClock
from colony.simulator.population import Person, Shop
from colony.wallets import FundingService, Wallet, WalletService, WalletStore


@dataclass
class MarketServices:
    ledger: ImportingLedger
    clock: SimulatedClock
    ids: IdGenerator
    wallets: WalletService
    wallet_store: WalletStore
    funding: FundingService
    merchants: MerchantService
    payments: PaymentService
    cross_border: CrossBorderPayments
    quotes: QuoteService
    complaints: ComplaintService | None = None  # a market without complaints has none


class Action(Protocol):
    """Something that happens at `at_ns` (UTC, simulated): a payment, a top-up, a refund."""

    @property
    def at_ns(self) -> int: ...

    def run(self, world: World) -> None: ...


@dataclass(frozen=True)
class Day:
    """One simulated day, as a behaviour sees it: its index, its date, and where things are."""

    index: int  # 0 is the first simulated day
    date: dt.date
    market: Market

    @property
    def weekend(self) -> bool:
        return self.date.weekday() >= 5

    def at_local(self, city: City, hour: int, second_of_hour: int) -> int:
        """UTC ns of a local time this day in `city` (its offset at noon that day)."""
        noon = dt.datetime(self.date.year, self.date.month, self.date.day, 12, tzinfo=city.zone)
        offset = noon.utcoffset()
        assert offset is not None, f"{city.timezone} has no offset"
        midnight_utc = ns_from_utc(
            dt.datetime(self.date.year, self.date.month, self.date.day, tzinfo=dt.UTC)
        )
        local_s = hour * 3_600 + second_of_hour
        return midnight_utc + (local_s - int(offset.total_seconds())) * NS_PER_S


@dataclass
class Market:
    """Who and what is in the market: fixed once drawn from the seed."""

    people: list[Person]
    shops: list[Shop]
    shops_by_place: dict[tuple[str, str], list[Shop]] = field(default_factory=dict)
    people_by_home: dict[str, list[Person]] = field(default_factory=dict)
    # How much each shop (by index) is picked against the others of its kind and city; none
    # given, all alike (credit's ground truth makes the less creditworthy less popular).
    popularity: dict[int, float] = field(default_factory=dict)

    def pick_shop(self, shops: list[Shop], rng: random.Random) -> Shop:
        """One of `shops`, by popularity when the market has one; without, drawn as the
        market always drew (so a market without credit is the market it was)."""
        if not self.popularity:
            return rng.choice(shops)
        return rng.choices(shops, [self.popularity[s.index] for s in shops])[0]

    def __post_init__(self) -> None:
        for shop in self.shops:
            self.shops_by_place.setdefault((shop.city.name, shop.kind.key), []).append(shop)
        for person in self.people:
            if person.trip is None:
                self.people_by_home.setdefault(person.home.name, []).append(person)


@dataclass
class World:
    services: MarketServices
    market: Market
    wallets: dict[int, Wallet] = field(default_factory=dict)  # by person index
    merchants: dict[int, Merchant] = field(default_factory=dict)  # by shop index
    static_codes: dict[int, str] = field(default_factory=dict)  # by shop index
    stats: Counter[str] = field(default_factory=Counter)
    # Refunds per hundred payments of a shop (by index) where it is not the market's usual.
    refund_pcts: dict[int, int] = field(default_factory=dict)
    # Complaints per thousand payments of a shop (by index), none where not given, drawn from
    # a stream of their own (credit's ground truth gives both).
    complaint_per_mille: dict[int, int] = field(default_factory=dict)
    complaint_rng: random.Random | None = None
    _queue: list[tuple[int, int, Action]] = field(default_factory=list)
    _order: itertools.count[int] = field(default_factory=itertools.count)

    def schedule(self, action: Action) -> None:
        """Queue an action; it may not lie before simulated now (time never goes back)."""
        at_ns = max(action.at_ns, self.services.clock.now_ns())
        heapq.heappush(self._queue, (at_ns, next(self._order), action))

    def run_until(self, before_ns: int | None) -> int:
        """Run every queued action due before `before_ns` (all of them if None), in time
        order (ties in the order queued); how many ran."""
        ran = 0
        queue, clock = self._queue, self.services.clock
        while queue and (before_ns is None or queue[0][0] < before_ns):
            at_ns, _, action = heapq.heappop(queue)
            clock.set_ns(at_ns)
            action.run(self)
            ran += 1
        return ran

    def static_code(self, shop: Shop) -> str:
        code = self.static_codes.get(shop.index)
        if code is None:
            code = self.services.payments.merchant_qr(self.merchants[shop.index])
            self.static_codes[shop.index] = code
        return code

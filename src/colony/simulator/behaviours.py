"""Behaviours: what people do on a day, as actions at local times. The hook for later products.

A behaviour has a `name` and plans a person's day: `plan(day, person, rng)` gives the actions
(each with its UTC time) that person takes that day. `rng` is the behaviour's own stream,
seeded from (seed, name) (streams.py), so a new behaviour (repaying loans, fraud patterns,
walking steps) draws from the same seed without changing what the others draw. Register one
in `default_behaviours` or pass a list to `simulate`.

Planning happens before the day's actions run, so a plan may not depend on balances; an
action reads what it needs when it runs (`TopUp` reads the balance then).
"""

from __future__ import annotations

import math
import random
from collections.abc import Iterable
from typing import Protocol

from colony.simulator.actions import Pay, SendMoney, TopUp, in_home_minor
from colony.simulator.places import KINDS, MerchantKind
from colony.simulator.population import Person
from colony.simulator.rhythm import draw_hour, hour_weights
from colony.simulator.world import Action, Day


class Behaviour(Protocol):
    name: str

    def plan(self, day: Day, person: Person, rng: random.Random) -> Iterable[Action]: ...


def poisson(rng: random.Random, mean: float) -> int:
    """A Poisson draw (Knuth's method: small means only, as here)."""
    limit, count, product = math.exp(-mean), 0, rng.random()
    while product > limit:
        count += 1
        product *= rng.random()
    return count


class Spending:
    """Paying shops: where the person is that day, at the hours people pay.

    Residents pay `payments_per_day` times a day on average (more at weekends), tourists three
    times as often while away, in the city they visit only, and from the shops a tourist
    favours (hotels, taxis, gift shops, luxury brands). Each person spends at their own pace.
    """

    name = "spending"

    def __init__(self, payments_per_day: float = 0.3) -> None:
        self.payments_per_day = payments_per_day
        # Per (hour, tourist): the kinds open then, and how much each is picked.
        self._open: dict[tuple[int, bool], tuple[list[MerchantKind], list[int]]] = {}
        for hour in range(24):
            for tourist in (False, True):
                kinds = [k for k in KINDS if k.open_at(hour)]
                weights = [k.tourist_weight if tourist else k.resident_weight for k in kinds]
                self._open[hour, tourist] = (kinds, weights)

    def plan(self, day: Day, person: Person, rng: random.Random) -> Iterable[Action]:
        away = person.trip is not None and person.trip.covers(day.index)
        mean = self.payments_per_day * person.spend_pct / 100
        mean *= 3 if away else 1.3 if day.weekend else 1.0
        count = poisson(rng, mean)
        if not count:
            return ()
        city = person.city_on(day.index)
        weights = hour_weights(day.weekend, away)
        actions = []
        for _ in range(count):
            hour = draw_hour(rng, weights)
            kinds, kind_weights = self._open[hour, away]
            if not any(kind_weights):
                continue
            kind = rng.choices(kinds, kind_weights)[0]
            shops = day.market.shops_by_place.get((city.name, kind.key))
            if not shops:
                continue  # no such shop in this city: the person does without
            shop = day.market.pick_shop(shops, rng)
            at_ns = day.at_local(city, hour, rng.randrange(3_600))
            actions.append(Pay(at_ns, person, shop, shop.price_minor(rng), rng))
        return actions


class PeerToPeer:
    """Residents at home send a friend in their city some money now and then."""

    name = "p2p"

    def __init__(self, per_thousand_days: int = 30) -> None:
        self.per_thousand_days = per_thousand_days

    def plan(self, day: Day, person: Person, rng: random.Random) -> Iterable[Action]:
        if person.trip is not None or rng.randrange(1_000) >= self.per_thousand_days:
            return ()
        friends = day.market.people_by_home.get(person.home.name, [])
        friend = rng.choice(friends) if friends else person
        if friend.index == person.index:
            return ()
        hour = draw_hour(rng, hour_weights(day.weekend, tourist=False))
        at_ns = day.at_local(person.home, hour, rng.randrange(3_600))
        amount = in_home_minor(person, rng.randint(500, 6_000))
        return (SendMoney(at_ns, person, friend, amount),)


class TopUps:
    """Now and then, in the morning, a person tops the wallet up if it runs low."""

    name = "top-ups"

    def __init__(self, per_thousand_days: int = 100) -> None:
        self.per_thousand_days = per_thousand_days

    def plan(self, day: Day, person: Person, rng: random.Random) -> Iterable[Action]:
        if rng.randrange(1_000) >= self.per_thousand_days:
            return ()
        city = person.city_on(day.index)
        at_ns = day.at_local(city, rng.randint(7, 10), rng.randrange(3_600))
        return (TopUp(at_ns, person, 10_000, rng.randint(20_000, 60_000), rng),)


def default_behaviours(payments_per_day: float = 0.3) -> list[Behaviour]:
    return [Spending(payments_per_day), PeerToPeer(), TopUps()]

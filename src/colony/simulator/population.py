"""Who is in the simulated market: people and merchants, drawn from the seed.

People have a home city (its currency is their wallet's), a wallet tier, and are residents or
tourists. A tourist lives in a city that sends tourists (`tourists_from`), and makes one trip
to a city that receives them (`tourists_to`): arriving on some day, staying
`stay_days_min`..`stay_days_max` days (never past the last simulated day) and leaving. Merchants
are placed in cities by weight, at the city's coordinates give or take a few kilometres, with
every kind present in every city a tourist visits.
"""

from __future__ import annotations

import random
from dataclasses import dataclass
from decimal import Decimal

from colony.kernel.money import scale_of
from colony.simulator.gazetteer import City, cities
from colony.simulator.places import KINDS, MerchantKind

# Bounds of a tourist's stay, in days (a long weekend to three weeks).
stay_days_min = 2
stay_days_max = 21
# Of every hundred people, how many are tourists, and how many verified their identity.
tourists_pct = 10
verified_pct = 75
# How far a merchant may lie from its city's centre, in thousandths of a degree (~5 km).
place_jitter_milli_deg = 45

_GIVEN = (
    "Alex", "Wei", "Maria", "Aino", "Bala", "Li", "Siti", "Jun", "Noor", "Sam", "Mika", "Ana",
    "Ravi", "Yuki", "Min", "Leo", "Ida", "Omar", "Lena", "Tan",
)  # fmt: skip
_FAMILY = (
    "Tan", "Santos", "Virtanen", "Raman", "Chen", "Lim", "Reyes", "Wong", "Kim", "Sato",
    "Garcia", "Nguyen", "Smith", "Mueller", "Rossi", "Silva", "Khan", "Ong",
)  # fmt: skip


@dataclass(frozen=True, slots=True)
class Trip:
    city: City
    arrive_day: int  # the first day spent there (0 is the first simulated day)
    leave_day: int  # the first day back home

    def covers(self, day: int) -> bool:
        return self.arrive_day <= day < self.leave_day


@dataclass(frozen=True, slots=True)
class Person:
    index: int
    name: str
    phone: str  # E.164, unique
    home: City
    verified: bool  # the wallet's tier: identity verified, or phone only
    trip: Trip | None  # tourists only
    spend_pct: int  # how much this person spends, 100 being the average

    @property
    def currency(self) -> str:
        return self.home.currency

    def city_on(self, day: int) -> City:
        return self.trip.city if self.trip is not None and self.trip.covers(day) else self.home


@dataclass(frozen=True, slots=True)
class Shop:
    index: int
    kind: MerchantKind
    city: City
    legal_name: str
    display_name: str  # 25 characters at most (EMV)
    lat: Decimal
    lon: Decimal

    def price_minor(self, rng: random.Random) -> int:
        """A price here, in the city's minor units, rounded to a plausible step."""
        cents: int = rng.randint(self.kind.price_usd_cents_min, self.kind.price_usd_cents_max)
        minor = cents * self.city.price_pct * self.city.minor_per_usd // 10_000
        scale = scale_of(self.city.currency)
        step: int = 10 ** (scale - 1) if scale > 0 else 1  # to 0.10 in a 2-digit currency
        if scale == 0 and minor >= 1_000:
            step = 10  # to 10 yen, 10 won
        return max(step, minor // step * step)


def weighted(rng: random.Random, items: tuple[City, ...], weights: list[int]) -> City:
    return rng.choices(items, weights)[0]


def people(count: int, days: int, rng: random.Random) -> list[Person]:
    """`count` people; a tourist's trip lies within the `days` simulated."""
    everywhere = cities()
    resident_weights = [c.weight for c in everywhere]
    origins = tuple(c for c in everywhere if c.tourists_from)
    destinations = tuple(c for c in everywhere if c.tourists_to)
    found = []
    for index in range(count):
        trip = None
        if rng.randrange(100) < tourists_pct and days >= stay_days_min:
            home = weighted(rng, origins, [c.tourists_from for c in origins])
            to = weighted(rng, destinations, [c.tourists_to for c in destinations])
            stay = rng.randint(stay_days_min, min(stay_days_max, days))
            arrive = rng.randint(0, days - stay)
            trip = Trip(to, arrive, arrive + stay)
        else:
            home = weighted(rng, everywhere, resident_weights)
        name = f"{rng.choice(_GIVEN)} {rng.choice(_FAMILY)}"
        # A subscriber number of nine digits after the country code: unique by index.
        phone = f"+{home.dial}{200_000_000 + index:09d}"
        verified = rng.randrange(100) < verified_pct
        found.append(Person(index, name, phone, home, verified, trip, rng.randint(40, 200)))
    return found


def shops(count: int, rng: random.Random) -> list[Shop]:
    """`count` merchants: every kind in each city tourists visit first, the rest by weight."""
    everywhere = cities()
    weights = [c.weight + c.tourists_to for c in everywhere]
    kind_shares = [k.share for k in KINDS]
    placed: list[tuple[City, MerchantKind]] = [
        (c, k) for c in everywhere if c.tourists_to for k in KINDS
    ][:count]
    while len(placed) < count:
        placed.append((weighted(rng, everywhere, weights), rng.choices(KINDS, kind_shares)[0]))
    found = []
    for index, (where, kind) in enumerate(placed):
        jitter = Decimal(place_jitter_milli_deg) / 1000
        lat = where.lat + jitter * Decimal(rng.randint(-1000, 1000)) / 1000
        lon = where.lon + jitter * Decimal(rng.randint(-1000, 1000)) / 1000
        display = f"{kind.label} {index}"
        found.append(Shop(index, kind, where, f"{display} {where.name}", display, lat, lon))
    return found

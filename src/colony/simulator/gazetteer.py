"""The simulator's gazetteer: a few dozen real cities, as data (`gazetteer.csv`).

Each city has its country, currency and telephone country code here; its centre and time
zone are the merchants' (`merchants/city_centres.csv`, one table for both: docs/adr/0063);
and three numbers that only shape the simulated market, never money rules:

- `weight`: its share of the simulated residents (relative to the other cities);
- `price_pct`: its price level, 100 being a US city's;
- `minor_per_usd`: about how many minor units of its currency one US dollar buys, to size
  prices in the local currency (an integer, so prices stay integers of minor units);
- `tourists_from` / `tourists_to`: how many of the market's tourists come from it and go to it
  (Shanghai and Manila to Singapore and Lapland, as in the demo).

Names are at most 15 characters: a merchant's city is printed in its EMV QR code.
"""

from __future__ import annotations

import csv
import functools
import io
import zoneinfo
from dataclasses import dataclass
from decimal import Decimal
from importlib import resources

from colony.merchants import place_of

city_name_chars_max = 15  # EMV QR tag 60
_MICRO = 1_000_000  # the merchants' table keeps degrees in millionths


@dataclass(frozen=True, slots=True)
class City:
    name: str
    country: str  # ISO 3166-1 alpha-2
    currency: str  # ISO 4217
    lat: Decimal
    lon: Decimal
    timezone: str  # IANA
    dial: str  # E.164 country code, digits only
    weight: int
    price_pct: int
    minor_per_usd: int
    tourists_from: int
    tourists_to: int

    @property
    def zone(self) -> zoneinfo.ZoneInfo:
        return _zone(self.timezone)


@functools.cache
def _zone(name: str) -> zoneinfo.ZoneInfo:
    return zoneinfo.ZoneInfo(name)


@functools.cache
def cities() -> tuple[City, ...]:
    """Every city of the packaged gazetteer, in the file's order."""
    text = resources.files("colony.simulator").joinpath("gazetteer.csv").read_text("utf-8")
    found = []
    for row in csv.DictReader(io.StringIO(text)):
        # Where the city is, and its zone: the merchants' table of city centres, one copy.
        place = place_of(row["country"], row["city"])
        if place is None or place.lat_micro is None or place.lon_micro is None:
            raise ValueError(f"gazetteer: {row['city']!r} is not in merchants' city_centres.csv")
        assert place.zone is not None  # a city's place always has its zone
        city = City(
            row["city"],
            row["country"],
            row["currency"],
            Decimal(place.lat_micro) / _MICRO,
            Decimal(place.lon_micro) / _MICRO,
            place.zone,
            row["dial"],
            int(row["weight"]),
            int(row["price_pct"]),
            int(row["minor_per_usd"]),
            int(row["tourists_from"]),
            int(row["tourists_to"]),
        )
        if len(city.name) > city_name_chars_max:
            raise ValueError(f"gazetteer: {city.name!r} is longer than {city_name_chars_max}")
        found.append(city)
    return tuple(found)


def city(name: str) -> City:
    for c in cities():
        if c.name == name:
            return c
    raise KeyError(f"no city {name!r} in the gazetteer")

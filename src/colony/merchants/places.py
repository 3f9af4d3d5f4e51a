"""Where a merchant is: the centre of its registered city, from a table Colony ships
(`city_centres.csv`, docs/adr/0063), and the time zone there.

Merchants register a country and a city (the city is printed in their QR codes), no
coordinates. A QR payment at a shop happens where the shop is, so risk control reads the
payment's place and local hour from here. A city the table does not hold has no place; its
zone is the country's when every city of that country in the table shares one (Finland,
Singapore), else none: a wrong zone would be worse than the UTC hour risk control falls
back to. Read once, offline; zones come from the `tzdata` package the lock file pins
(zoneinfo reads it when the system has no zone database).
"""

from __future__ import annotations

import csv
import functools
import io
import zoneinfo
from dataclasses import dataclass
from decimal import Decimal
from importlib import resources

from colony.kernel.clock import NS_PER_S, utc_from_ns

_MICRO = 1_000_000


@dataclass(frozen=True, slots=True)
class MerchantPlace:
    """A merchant's place: its city's centre in millionths of a degree (None: not known)
    and the IANA time zone there (None: not known)."""

    lat_micro: int | None
    lon_micro: int | None
    zone: str | None

    def utc_offset_min(self, at_ns: int) -> int | None:
        """The zone's offset from UTC at `at_ns`, in minutes (summer time counted)."""
        if self.zone is None:
            return None
        return _offset_min(self.zone, at_ns // (60 * NS_PER_S))


@functools.cache
def _table() -> tuple[dict[tuple[str, str], MerchantPlace], dict[str, MerchantPlace]]:
    """The cities by (country, city folded), and the zone of each country with one."""
    text = resources.files("colony.merchants").joinpath("city_centres.csv").read_text("utf-8")
    rows = csv.DictReader(io.StringIO("".join(_uncommented(text))))
    cities: dict[tuple[str, str], MerchantPlace] = {}
    zones: dict[str, set[str]] = {}
    for row in rows:
        zoneinfo.ZoneInfo(row["timezone"])  # a zone the database lacks fails at once
        place = MerchantPlace(
            int(Decimal(row["lat"]) * _MICRO), int(Decimal(row["lon"]) * _MICRO), row["timezone"]
        )
        cities[(row["country"], row["city"].casefold())] = place
        zones.setdefault(row["country"], set()).add(row["timezone"])
    countries = {
        country: MerchantPlace(None, None, next(iter(found)))
        for country, found in zones.items()
        if len(found) == 1
    }
    return cities, countries


def _uncommented(text: str) -> list[str]:
    return [line for line in text.splitlines(keepends=True) if not line.startswith("#")]


def place_of(country: str, city: str) -> MerchantPlace | None:
    """The place of a merchant registered in `city`, `country` (ISO 3166 alpha-2): its
    city's centre and zone; else the country's zone alone; else None."""
    cities, countries = _table()
    country = country.upper()
    return cities.get((country, city.strip().casefold())) or countries.get(country)


@functools.lru_cache(maxsize=4_096)
def _offset_min(zone: str, at_min: int) -> int:
    """Cached per zone and minute: a payment's offset costs a dict lookup, not a zone
    computation, at a busy shop."""
    at = utc_from_ns(at_min * 60 * NS_PER_S)
    offset = at.astimezone(zoneinfo.ZoneInfo(zone)).utcoffset()
    assert offset is not None
    return int(offset.total_seconds()) // 60

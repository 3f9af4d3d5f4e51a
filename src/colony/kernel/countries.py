"""Countries and the currencies they pay in.

The countries are ISO 3166-1, from Colony's own table `iso_3166_1.csv` beside this module (249
codes, as the iso-codes data carried them; a test keeps it in step with pycountry's copy). A
code names a country in merchants' and partners' records, so the list is Colony's data,
changed by review, never by a library upgrade. A country's currencies are
CLDR's territory currencies (babel) that are legal tender there on a date, most used first:
Panama pays in PAB and USD, Antarctica in none. A code CLDR lists that ISO 4217 no longer
knows is left out, so every currency named here is one Colony can hold; where CLDR is behind
a changeover ISO already made, the table below says so.
"""

from __future__ import annotations

import csv
import datetime as dt
import functools
import importlib.resources
from dataclasses import dataclass

from babel.numbers import get_territory_currencies

from colony.kernel.errors import InvalidInput
from colony.kernel.money import iso_4217_currencies

# Changeovers CLDR (babel 2.18) does not know yet: country -> (from date, its currencies then).
_CHANGEOVERS_AFTER_CLDR = {
    "BG": (dt.date(2026, 1, 1), ("EUR",)),  # ISO withdrew BGN; Bulgaria pays in euro
}


class UnknownCountry(InvalidInput):
    """Not an ISO 3166-1 alpha-2 or alpha-3 country code."""


@dataclass(frozen=True, slots=True)
class Country:
    alpha_2: str
    alpha_3: str
    name: str
    currencies: tuple[str, ...]  # legal tender today, most used first; may be empty


ISO_3166_TABLE_FILE = "iso_3166_1.csv"


@functools.cache
def _iso_3166_rows() -> tuple[tuple[str, str, str], ...]:
    """(alpha-2, alpha-3, name) of every country in Colony's table, in its order."""
    text = importlib.resources.files("colony.kernel").joinpath(ISO_3166_TABLE_FILE).read_text()
    lines = [line for line in text.splitlines() if line and not line.startswith("#")]
    rows = tuple((r["alpha_2"], r["alpha_3"], r["name"]) for r in csv.DictReader(lines))
    assert all(len(a2) == 2 and a2.isupper() and len(a3) == 3 for a2, a3, _ in rows), rows
    return rows


@functools.cache
def _alpha_2_codes() -> frozenset[str]:
    return frozenset(alpha_2 for alpha_2, _, _ in _iso_3166_rows())


def iso_3166_alpha_2(code: str) -> bool:
    """Whether `code` is an ISO 3166-1 alpha-2 country code (any case): 'SG' is, 'XK' is not."""
    return len(code) == 2 and code.upper() in _alpha_2_codes()


# Dates whose country tables are kept (a server asks for today's, and tests for a few more).
country_tables_cached = 8


@functools.lru_cache(maxsize=country_tables_cached)
def countries(on: dt.date) -> dict[str, Country]:
    """Every ISO 3166-1 country by alpha-2 code, with the currencies it pays in on a date."""
    known = iso_4217_currencies()
    table = {}
    for alpha_2, alpha_3, name in _iso_3166_rows():
        tender = get_territory_currencies(alpha_2, start_date=on, tender=True)
        changeover = _CHANGEOVERS_AFTER_CLDR.get(alpha_2)
        if changeover is not None and on >= changeover[0]:
            tender = list(changeover[1])
        table[alpha_2] = Country(
            alpha_2,
            alpha_3,
            name,
            tuple(str(code) for code in tender if code in known),
        )
    return table


def country(code: object, on: dt.date) -> Country:
    """The country behind an alpha-2 ('FI') or alpha-3 ('FIN') code, any case."""
    if not isinstance(code, str) or len(code) not in (2, 3) or not code.isascii():
        raise UnknownCountry(f"country must be an ISO 3166-1 code like FI or FIN, not {code!r}")
    upper = code.upper()
    table = countries(on)
    if len(upper) == 3:
        upper = next((c.alpha_2 for c in table.values() if c.alpha_3 == upper), "")
    try:
        return table[upper]
    except KeyError:
        raise UnknownCountry(f"unknown country {code!r}") from None


def currency_of_country(code: object, on: dt.date) -> str | None:
    """The currency most used in a country on a date, or None where there is none (AQ)."""
    tender = country(code, on).currencies
    return tender[0] if tender else None

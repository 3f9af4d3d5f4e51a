"""An operator's own rates: a CSV file of EUR reference rates, in place of the ECB's.

The file quotes every currency against the euro, as the ECB does, one rate a line:

    date,currency,rate
    2026-11-24,USD,1.0412
    2026-11-24,KWD,0.3201

`rate` is how many units of `currency` one euro buys on `date` (a positive decimal number,
never in exponent notation). The header is required; blank lines and lines starting with `#`
are skipped. Any other malformed line stops the load with an error naming the file, the line
and the field, so a half-read file can never quote. Cross rates go through EUR, so one file
line per currency per day serves every pair.
"""

from __future__ import annotations

import bisect
import datetime as dt
import re
from collections.abc import Iterable
from decimal import Decimal
from pathlib import Path

from colony.fx.rates import EUR, Rate
from colony.kernel.clock import date_named
from colony.kernel.csv_rows import csv_rows
from colony.kernel.errors import InvalidInput
from colony.kernel.money import UnknownCurrency, held_currency

HEADER = ["date", "currency", "rate"]
# The most lines one rates file may hold: ten years of daily rates for 180 currencies.
rates_file_lines_max = 700_000
# The most characters in one rate: more digits than any published rate has.
rate_chars_max = 30

_RATE_TEXT = re.compile(r"[0-9]+(\.[0-9]+)?")


class RatesFileProvider:
    """EUR rates from an operator's CSV file, read whole when constructed."""

    def __init__(self, path: Path) -> None:
        self.path = path
        self.source = f"file:{path.name}"
        self._dates: dict[str, list[dt.date]] = {}
        self._rates: dict[str, list[Decimal]] = {}
        for currency, day, rate in sorted(_read(path)):
            self._dates.setdefault(currency, []).append(day)
            self._rates.setdefault(currency, []).append(rate)

    def eur_rate(self, currency: str, on: dt.date) -> Rate | None:
        dates = self._dates.get(currency)
        if not dates:
            return None
        index = bisect.bisect_right(dates, on) - 1
        if index < 0:
            return None
        return Rate(EUR, currency, self._rates[currency][index], dates[index], self.source)

    def currencies(self) -> list[str]:
        return sorted(self._dates)


def _read(path: Path) -> list[tuple[str, dt.date, Decimal]]:
    try:
        # utf-8-sig: the byte order mark spreadsheet programs begin a CSV with is not the header.
        with path.open(encoding="utf-8-sig", newline="") as stream:
            return _parse(path.name, stream)
    except OSError as exc:
        raise InvalidInput(f"cannot read rates file {path}: {exc.strerror or exc}") from None
    except UnicodeDecodeError as exc:
        raise InvalidInput(f"{path.name}: not UTF-8 text ({exc.reason})") from None


def _parse(name: str, lines: Iterable[str]) -> list[tuple[str, dt.date, Decimal]]:
    rows: list[tuple[str, dt.date, Decimal]] = []
    seen: dict[tuple[str, dt.date], int] = {}
    header_seen = False
    for line, fields in csv_rows(lines, name):
        if line > rates_file_lines_max:
            raise InvalidInput(f"{name}: more than {rates_file_lines_max} lines")
        if not fields or not "".join(fields).strip() or fields[0].lstrip().startswith("#"):
            continue
        where = f"{name} line {line}"
        if not header_seen:
            if [f.strip().lower() for f in fields] != HEADER:
                raise InvalidInput(f"{where}: the header must be {','.join(HEADER)}")
            header_seen = True
            continue
        if len(fields) != len(HEADER):
            raise InvalidInput(f"{where}: {len(fields)} fields, expected {len(HEADER)}")
        day = _date(where, fields[0].strip())
        currency = _currency(where, fields[1].strip())
        rate = _rate(where, fields[2].strip())
        if (currency, day) in seen:
            raise InvalidInput(
                f"{where}: a second {currency} rate for {day} (the first is on line "
                f"{seen[currency, day]})"
            )
        seen[currency, day] = line
        rows.append((currency, day, rate))
    if not header_seen:
        raise InvalidInput(f"{name}: empty; expected the header {','.join(HEADER)}")
    return rows


def _date(where: str, text: str) -> dt.date:
    day = date_named(text)
    if day is None:
        raise InvalidInput(f"{where}, field date: {text!r} is not a date (YYYY-MM-DD)")
    return day


def _currency(where: str, text: str) -> str:
    if text.upper() == EUR:
        raise InvalidInput(f"{where}, field currency: EUR is the base every rate is quoted in")
    try:
        return held_currency(text)
    except UnknownCurrency as exc:
        raise InvalidInput(f"{where}, field currency: {exc}") from None


def _rate(where: str, text: str) -> Decimal:
    if len(text) > rate_chars_max or not _RATE_TEXT.fullmatch(text):
        raise InvalidInput(
            f"{where}, field rate: {text[:rate_chars_max]!r} is not a decimal number "
            "(digits, an optional '.' and decimals)"
        )
    rate = Decimal(text)
    if rate <= 0:
        raise InvalidInput(f"{where}, field rate: {text!r} must be more than 0")
    return rate

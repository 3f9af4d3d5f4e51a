"""Money: an integer number of a currency's minor units. Never a float.

Every amount in Colony is an `int` of minor units (cents for USD, yen for JPY, fils for KWD)
with the ISO 4217 scale of its currency. `Decimal` appears only at the edges, when text is
parsed or a rate is applied, and whoever rounds names the rounding mode at the call site. A
float anywhere near money is a bug, so every entry point refuses one with `FloatMoneyError`.

The currencies and their minor units are Colony's own data, `iso_4217.csv` beside this module:
ISO 4217's list one as published on the date that file names (178 codes with their numeric
codes; a currency's numeric code is the number of the ledger its money lives on). The scale of
a currency decides what every stored amount in it means, so it never comes from a library
that may change it in an upgrade (CLDR 48, in babel 2.19, moved IDR, HUF and COP to 0 decimals;
ISO keeps 2). babel only formats. The codes for which ISO gives no minor unit ("N.A.": precious
metals, the SDR, bond-market units, the test and no-currency codes) are known, but no money can
be held in them. A database remembers the scales of the currencies its ledger holds and refuses
a table that disagrees (`storage.currency_pins`).
"""

from __future__ import annotations

import csv
import decimal
import functools
import importlib.resources
import re
from dataclasses import dataclass
from decimal import Decimal

from babel import Locale, UnknownLocaleError
from babel.numbers import format_currency

from colony.kernel.errors import InvalidInput

ISO_4217_TABLE_FILE = "iso_4217.csv"
# The date of the ISO 4217 list the table follows, as its first line states it.
_LIST_DATE = re.compile(r"^# ISO 4217 list one .* published on (\d{4}-\d{2}-\d{2})\.$")
_NO_MINOR_UNIT = "N.A."

# The largest amount a record stores, in minor units: a signed 64-bit integer (2^63 - 1), the
# BIGINT a payment's or a refund's record keeps it in (SQLite's INTEGER is the same 64 bits).
# The API holds every amount it takes to it (api/input_limits.py), the pages every amount
# typed (web/wallet_access.py).
amount_minor_max = 2**63 - 1
_AMOUNT_TEXT = re.compile(r"-?[0-9]+(\.[0-9]+)?")


class FloatMoneyError(TypeError):
    """A float was offered as money. Floats are not money: use int minor units or Decimal."""


class UnknownCurrency(InvalidInput):
    """Not an ISO 4217 currency code that Colony knows."""


class CurrencyMismatch(InvalidInput):
    """Arithmetic or comparison between two currencies."""


class AmountTooPrecise(InvalidInput):
    """More decimals than the currency's minor unit allows."""


def _refuse_float(value: object, what: str) -> None:
    if isinstance(value, float):
        raise FloatMoneyError(f"{what}: {value!r} is a float; floats are not money")


@dataclass(frozen=True, slots=True)
class Currency:
    """One ISO 4217 currency; `scale` is None where ISO gives no minor unit."""

    code: str
    numeric: int
    name: str
    scale: int | None


def _table_text() -> str:
    return importlib.resources.files("colony.kernel").joinpath(ISO_4217_TABLE_FILE).read_text()


@functools.cache
def iso_4217_list_date() -> str:
    """The publication date (YYYY-MM-DD) of the ISO 4217 list the table follows."""
    first = _table_text().splitlines()[0]
    match = _LIST_DATE.match(first)
    if match is None:
        raise ValueError(f"{ISO_4217_TABLE_FILE} must start with the ISO list's date: {first!r}")
    return match.group(1)


def parse_iso_4217_table(text: str) -> dict[str, Currency]:
    """The currencies of a table in `iso_4217.csv`'s format, by code; a malformed row raises
    ValueError naming its line, since a wrong table would change what amounts mean."""
    lines = [line for line in text.splitlines() if line and not line.startswith("#")]
    table: dict[str, Currency] = {}
    numerics: set[int] = set()
    for number, row in enumerate(csv.DictReader(lines), start=2):
        code, numeric, minor_unit, name = (
            row.get("code"),
            row.get("numeric"),
            row.get("minor_unit"),
            row.get("name"),
        )
        if not (code and len(code) == 3 and code.isascii() and code.isupper()):
            raise ValueError(f"currency table row {number}: code {code!r} is not 3 capitals")
        if not (numeric and numeric.isdigit() and len(numeric) == 3):
            raise ValueError(f"currency table row {number}: {code} numeric {numeric!r}")
        if minor_unit != _NO_MINOR_UNIT and minor_unit not in {"0", "1", "2", "3", "4"}:
            raise ValueError(f"currency table row {number}: {code} minor unit {minor_unit!r}")
        if code in table or int(numeric) in numerics:
            raise ValueError(f"currency table row {number}: {code} or {numeric} listed twice")
        scale = None if minor_unit == _NO_MINOR_UNIT else int(minor_unit)
        table[code] = Currency(code, int(numeric), name or code, scale)
        numerics.add(int(numeric))
    return table


@functools.cache
def iso_4217_currencies() -> dict[str, Currency]:
    """Every ISO 4217 currency (list one), by code, from Colony's own table."""
    return parse_iso_4217_table(_table_text())


def currency_code(code: object) -> str:
    """The canonical (upper-case) code, or UnknownCurrency."""
    if not isinstance(code, str) or len(code) != 3 or not code.isascii() or not code.isalpha():
        raise UnknownCurrency(f"currency must be a 3-letter ISO 4217 code, not {code!r}")
    upper = code.upper()
    if upper not in iso_4217_currencies():
        raise UnknownCurrency(f"unknown currency {code!r}")
    return upper


@functools.cache
def scale_of(currency: str) -> int:
    """The number of minor-unit digits of a currency (ISO 4217): USD 2, JPY 0, KWD 3."""
    code = currency_code(currency)
    scale = iso_4217_currencies()[code].scale
    if scale is None:
        raise UnknownCurrency(f"{code} has no minor unit in ISO 4217: no money is held in it")
    return scale


def held_currency(code: object) -> str:
    """The canonical code of a currency money can be held in (one with a minor unit)."""
    canonical = currency_code(code)
    scale_of(canonical)
    return canonical


@dataclass(frozen=True, slots=True)
class Money:
    amount_minor: int
    currency: str

    def __post_init__(self) -> None:
        _refuse_float(self.amount_minor, "Money amount")
        if isinstance(self.amount_minor, bool) or not isinstance(self.amount_minor, int):
            raise TypeError(
                f"Money amount must be an int of minor units, not {self.amount_minor!r}"
            )
        object.__setattr__(self, "currency", currency_code(self.currency))
        scale_of(self.currency)  # refuses the codes that have no minor unit

    @classmethod
    def parse(cls, text: object, currency: str) -> Money:
        """'12.34' USD is 1234 minor units. Refuses more decimals than the currency has."""
        _refuse_float(text, "Money.parse")
        if not isinstance(text, str):
            raise TypeError(f"Money.parse takes text, not {type(text).__name__}")
        stripped = text.strip()
        if not _AMOUNT_TEXT.fullmatch(stripped):
            raise InvalidInput(f"not an amount: {text!r} (digits, an optional '.' and decimals)")
        return cls.from_decimal(Decimal(stripped), currency, rounding=None)

    @classmethod
    def from_decimal(cls, value: Decimal, currency: str, *, rounding: str | None) -> Money:
        """Scale a Decimal to minor units. `rounding` is a `decimal` mode (ROUND_HALF_EVEN,
        ROUND_DOWN, ...), or None to refuse any value that would need rounding."""
        _refuse_float(value, "Money.from_decimal")
        if not isinstance(value, Decimal) or not value.is_finite():
            raise TypeError(f"Money.from_decimal takes a finite Decimal, not {value!r}")
        scale = scale_of(currency)
        scaled = value.scaleb(scale)
        whole = scaled.to_integral_value(rounding=rounding or decimal.ROUND_DOWN)
        if rounding is None and whole != scaled:
            raise AmountTooPrecise(
                f"{value} has more decimals than {currency_code(currency)} allows ({scale})"
            )
        return cls(int(whole), currency)

    def to_decimal(self) -> Decimal:
        return Decimal(self.amount_minor).scaleb(-scale_of(self.currency))

    def format(self, locale: str = "en_US") -> str:
        """For people: '$1,234.50', '1.234,50 €', '¥1,235'; exactly the currency's digits."""
        try:
            loc = Locale.parse(locale)
        except (ValueError, UnknownLocaleError) as exc:
            raise InvalidInput(f"unknown locale {locale!r}") from exc
        return _format_with_scale(self, loc, scale_of(self.currency))

    def _same_currency(self, other: object, op: str) -> Money:
        _refuse_float(other, f"Money {op}")
        if not isinstance(other, Money):
            raise TypeError(f"Money {op} needs Money, not {type(other).__name__}")
        if other.currency != self.currency:
            raise CurrencyMismatch(f"cannot {op} {self.currency} and {other.currency}")
        return other

    def __add__(self, other: object) -> Money:
        o = self._same_currency(other, "add")
        return Money(self.amount_minor + o.amount_minor, self.currency)

    def __sub__(self, other: object) -> Money:
        o = self._same_currency(other, "subtract")
        return Money(self.amount_minor - o.amount_minor, self.currency)

    def __mul__(self, factor: object) -> Money:
        _refuse_float(factor, "Money multiply")
        if isinstance(factor, bool) or not isinstance(factor, int):
            raise TypeError("Money multiplies only by an int; apply rates with from_decimal")
        return Money(self.amount_minor * factor, self.currency)

    __rmul__ = __mul__

    def __neg__(self) -> Money:
        return Money(-self.amount_minor, self.currency)

    def __lt__(self, other: object) -> bool:
        return self.amount_minor < self._same_currency(other, "compare").amount_minor

    def __le__(self, other: object) -> bool:
        return self.amount_minor <= self._same_currency(other, "compare").amount_minor

    def __gt__(self, other: object) -> bool:
        return self.amount_minor > self._same_currency(other, "compare").amount_minor

    def __ge__(self, other: object) -> bool:
        return self.amount_minor >= self._same_currency(other, "compare").amount_minor

    def __bool__(self) -> bool:
        return self.amount_minor != 0

    def __str__(self) -> str:
        return f"{self.to_decimal():f} {self.currency}"


def _format_with_scale(money: Money, loc: Locale, digits: int) -> str:
    # babel renders CLDR's digit count; ledger amounts show exactly ISO 4217's, so the
    # locale's pattern gets the currency's number of decimals.
    pattern = str(loc.currency_formats["standard"].pattern).split(";")[0]
    fraction = "." + "0" * digits if digits else ""
    if "0.00" in pattern:
        pattern = pattern.replace("0.00", "0" + fraction)
    return str(
        format_currency(
            money.to_decimal(),
            money.currency,
            format=pattern,
            locale=loc,
            currency_digits=False,
        )
    )


def ledger_of(currency: str) -> int:
    """The ledger a currency's money lives on: its ISO 4217 numeric code."""
    scale_of(currency)  # a code without a minor unit has no ledger
    return iso_4217_currencies()[currency_code(currency)].numeric


@functools.cache
def currency_of_ledger(ledger: int) -> str | None:
    """The currency whose money lives on a ledger (its ISO 4217 number), if money can be held
    in one; `ledger_of` the other way."""
    held = {c.numeric: c.code for c in iso_4217_currencies().values() if c.scale is not None}
    return held.get(ledger)

"""Every ISO 4217 currency with its minor unit, and every country with the currency it pays in."""

from __future__ import annotations

import datetime as dt

import pytest

from colony.kernel.countries import UnknownCountry, countries, country, currency_of_country
from colony.kernel.money import (
    Money,
    UnknownCurrency,
    currency_of_ledger,
    iso_4217_currencies,
    ledger_of,
    scale_of,
)

ON = dt.date(2026, 11, 1)


def test_the_whole_iso_list_is_known() -> None:
    table = iso_4217_currencies()
    assert len(table) == 178  # ISO 4217 list one as published on 2026-01-01
    assert len({c.numeric for c in table.values()}) == len(table)  # one ledger per currency
    for code, currency in table.items():
        assert currency.code == code and len(code) == 3
        if currency.scale is not None:
            assert 0 <= currency.scale <= 4
            assert scale_of(code) == currency.scale and ledger_of(code) == currency.numeric


@pytest.mark.parametrize(
    ("code", "numeric", "scale"),
    [
        ("USD", 840, 2),
        ("EUR", 978, 2),
        ("JPY", 392, 0),
        ("KRW", 410, 0),
        ("CLP", 152, 0),
        ("UYI", 940, 0),
        ("KWD", 414, 3),
        ("BHD", 48, 3),
        ("TND", 788, 3),
        ("OMR", 512, 3),
        ("JOD", 400, 3),
        ("LYD", 434, 3),
        ("IQD", 368, 3),
        ("CLF", 990, 4),
        ("UYW", 927, 4),
        ("XAD", 396, 2),
        ("XAU", 959, None),
        ("XDR", 960, None),
        ("XXX", 999, None),
    ],
)
def test_minor_units_are_iso_not_cash_rounding(code: str, numeric: int, scale: int | None) -> None:
    # CHF and SEK would be 5 and 100 in cash rounding; ISO keeps their 2 digits.
    currency = iso_4217_currencies()[code]
    assert (currency.numeric, currency.scale) == (numeric, scale)


@pytest.mark.parametrize("code", ["CHF", "SEK", "DKK", "CAD"])
def test_cash_rounding_currencies_keep_two_digits(code: str) -> None:
    assert scale_of(code) == 2


@pytest.mark.parametrize("code", ["XAU", "XDR", "XTS"])
def test_no_money_where_iso_gives_no_minor_unit(code: str) -> None:
    with pytest.raises(UnknownCurrency, match="no minor unit"):
        Money(1, code)
    with pytest.raises(UnknownCurrency, match="no minor unit"):
        ledger_of(code)


@pytest.mark.parametrize("code", ["DEM", "FRF", "HRK", "BGN", "ZWL"])
def test_withdrawn_currencies_are_unknown(code: str) -> None:
    with pytest.raises(UnknownCurrency, match="unknown currency"):
        scale_of(code)


@pytest.mark.parametrize(
    ("code", "currencies"),
    [
        ("FI", ("EUR",)),
        ("fin", ("EUR",)),
        ("JP", ("JPY",)),
        ("KW", ("KWD",)),
        ("BH", ("BHD",)),
        ("TN", ("TND",)),
        ("SG", ("SGD",)),
        ("HR", ("EUR",)),
        ("BG", ("EUR",)),  # since 2026-01-01, before CLDR knew
        ("PA", ("PAB", "USD")),
        ("EC", ("USD",)),
        ("ZW", ("USD", "ZWG")),
        ("AQ", ()),
    ],
)
def test_country_currencies(code: str, currencies: tuple[str, ...]) -> None:
    assert country(code, ON).currencies == currencies


def test_every_country_pays_in_currencies_colony_can_hold() -> None:
    table = countries(ON)
    assert len(table) == 249
    without = sorted(code for code, c in table.items() if not c.currencies)
    assert without == ["AQ"]
    for c in table.values():
        for code in c.currencies:
            assert ledger_of(code) > 0


def test_a_country_on_a_date() -> None:
    assert currency_of_country("HR", dt.date(2023, 6, 1)) == "EUR"
    assert currency_of_country("JP", ON) == "JPY"
    assert currency_of_country("AQ", ON) is None


@pytest.mark.parametrize("code", ["XX", "ZZZ", "F", "FINL", 7, "É1"])
def test_unknown_country(code: object) -> None:
    with pytest.raises(UnknownCountry):
        country(code, ON)


def test_a_ledger_names_its_currency_back() -> None:
    held = [c.code for c in iso_4217_currencies().values() if c.scale is not None]
    assert all(currency_of_ledger(ledger_of(code)) == code for code in held)
    assert currency_of_ledger(ledger_of("JPY")) == "JPY"
    assert currency_of_ledger(999) is None  # XXX: no minor unit, so no money and no ledger
    assert currency_of_ledger(1) is None

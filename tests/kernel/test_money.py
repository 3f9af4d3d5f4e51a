"""Money: integer minor units with ISO 4217 scales; floats refused everywhere."""

from __future__ import annotations

from decimal import ROUND_DOWN, ROUND_HALF_EVEN, ROUND_HALF_UP, Decimal

import pytest
from hypothesis import given
from hypothesis import strategies as st

from colony.kernel.errors import InvalidInput
from colony.kernel.money import (
    AmountTooPrecise,
    CurrencyMismatch,
    FloatMoneyError,
    Money,
    UnknownCurrency,
    scale_of,
)


@pytest.mark.parametrize(
    ("currency", "scale"),
    [
        ("USD", 2),
        ("EUR", 2),
        ("JPY", 0),
        ("KRW", 0),
        ("VND", 0),
        ("ISK", 0),
        ("KWD", 3),
        ("BHD", 3),
        ("TND", 3),
        ("CLF", 4),
        ("IQD", 3),
        ("RSD", 2),
        ("IDR", 2),
        ("usd", 2),
    ],
)
def test_scale_is_iso_4217(currency: str, scale: int) -> None:
    assert scale_of(currency) == scale


@pytest.mark.parametrize(
    ("text", "currency", "minor"),
    [
        ("12.34", "USD", 1234),
        ("0.01", "USD", 1),
        ("-5", "USD", -500),
        ("1234", "JPY", 1234),
        ("1.234", "KWD", 1234),
        (" 7.5 ", "EUR", 750),
        ("0", "CLF", 0),
        ("1.0001", "CLF", 10001),
    ],
)
def test_parse(text: str, currency: str, minor: int) -> None:
    assert Money.parse(text, currency) == Money(minor, currency)


@pytest.mark.parametrize(
    ("text", "currency", "error", "says"),
    [
        ("1.234", "USD", AmountTooPrecise, "USD allows (2)"),
        ("1.5", "JPY", AmountTooPrecise, "JPY allows (0)"),
        ("1e3", "USD", InvalidInput, "not an amount"),
        ("NaN", "USD", InvalidInput, "not an amount"),
        ("Infinity", "USD", InvalidInput, "not an amount"),
        ("", "USD", InvalidInput, "not an amount"),
        ("   ", "USD", InvalidInput, "not an amount"),
        ("1,234.56", "USD", InvalidInput, "not an amount"),
        ("12", "XYZ", UnknownCurrency, "unknown currency"),
        ("12", "US", UnknownCurrency, "3-letter"),
        ("12", "U$D", UnknownCurrency, "3-letter"),
    ],
)
def test_parse_refuses(text: str, currency: str, error: type[Exception], says: str) -> None:
    with pytest.raises(error, match=says.replace("(", r"\(").replace(")", r"\)")):
        Money.parse(text, currency)


@pytest.mark.parametrize(
    "attempt",
    [
        lambda: Money(1.5, "USD"),  # type: ignore[arg-type]
        lambda: Money.parse(1.5, "USD"),
        lambda: Money.from_decimal(1.5, "USD", rounding=ROUND_HALF_EVEN),  # type: ignore[arg-type]
        lambda: Money(100, "USD") + 1.0,
        lambda: Money(100, "USD") - 1.0,
        lambda: Money(100, "USD") * 1.5,
        lambda: 1.5 * Money(100, "USD"),
        lambda: Money(100, "USD") < 1.0,
    ],
    ids=["init", "parse", "from_decimal", "add", "sub", "mul", "rmul", "compare"],
)
def test_floats_are_not_money(attempt: object) -> None:
    with pytest.raises(FloatMoneyError, match="floats are not money"):
        attempt()  # type: ignore[operator]


def test_bool_is_not_an_amount() -> None:
    with pytest.raises(TypeError):
        Money(True, "USD")


def test_currencies_do_not_mix() -> None:
    with pytest.raises(CurrencyMismatch, match="USD and EUR"):
        Money(1, "USD") + Money(1, "EUR")
    with pytest.raises(CurrencyMismatch):
        _ = Money(1, "USD") < Money(1, "EUR")


def test_arithmetic() -> None:
    assert Money(150, "USD") + Money(50, "USD") == Money(200, "USD")
    assert Money(150, "USD") - Money(200, "USD") == Money(-50, "USD")
    assert Money(150, "USD") * 3 == Money(450, "USD")
    assert Money(1, "USD") < Money(2, "USD")
    assert not Money(0, "JPY")


@pytest.mark.parametrize(
    ("value", "rounding", "minor"),
    [
        ("1.005", ROUND_HALF_EVEN, 100),
        ("1.015", ROUND_HALF_EVEN, 102),
        ("1.005", ROUND_HALF_UP, 101),
        ("1.009", ROUND_DOWN, 100),
        ("-1.005", ROUND_HALF_UP, -101),
    ],
)
def test_rounding_is_named_at_the_call_site(value: str, rounding: str, minor: int) -> None:
    assert Money.from_decimal(Decimal(value), "USD", rounding=rounding).amount_minor == minor


def test_from_decimal_without_rounding_refuses_excess_digits() -> None:
    with pytest.raises(AmountTooPrecise):
        Money.from_decimal(Decimal("1.005"), "USD", rounding=None)


@pytest.mark.parametrize(
    ("minor", "currency", "locale", "text"),
    [
        (123456, "USD", "en_US", "$1,234.56"),
        (123456, "EUR", "de_DE", "1.234,56\xa0€"),
        (1234, "JPY", "ja_JP", "￥1,234"),
        (1234567, "KWD", "en_US", "KWD1,234.567"),
        (1234567, "IQD", "en_US", "IQD1,234.567"),
        (-5, "USD", "en_US", "-$0.05"),
        (123456, "JPY", "en_US", "¥123,456"),
        (1234567, "BHD", "ar_BH", "\u200f1,234.567\xa0د.ب.\u200f"),
        (1234567, "TND", "fr_TN", "1\u202f234,567\xa0DT"),
        (12345, "CLF", "es_CL", "CLF1,2345"),
        (123456789, "INR", "en_IN", "₹12,34,567.89"),
        (150, "CHF", "de_CH", "CHF\xa01.50"),
    ],
)
def test_format(minor: int, currency: str, locale: str, text: str) -> None:
    assert Money(minor, currency).format(locale) == text


def test_format_unknown_locale() -> None:
    with pytest.raises(InvalidInput, match="unknown locale"):
        Money(1, "USD").format("xx_YY_ZZ")


@given(
    minor=st.integers(min_value=-(10**15), max_value=10**15),
    currency=st.sampled_from(["USD", "JPY", "KWD", "CLF", "EUR"]),
)
def test_decimal_text_round_trips(minor: int, currency: str) -> None:
    money = Money(minor, currency)
    assert Money.parse(f"{money.to_decimal():f}", currency) == money

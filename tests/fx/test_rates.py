"""Reference rates: the shipped ECB file offline, crosses through EUR, stale rates refused."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal
from pathlib import Path

import pytest

from colony.fx.ecb_provider import EcbProvider
from colony.fx.rates import RateResult, ReferenceRates, rate_age_max_days
from colony.fx.rates_file import RatesFileProvider

FRIDAY = dt.date(2014, 3, 28)  # ECB: 1 EUR = 1.3759 USD = 140.90 JPY = 1.7388 SGD


@pytest.mark.parametrize(
    ("base", "quote", "on", "rate", "published"),
    [
        ("EUR", "USD", FRIDAY, "1.3759", FRIDAY),
        ("eur", "jpy", FRIDAY, "140.9", FRIDAY),
        ("USD", "EUR", FRIDAY, "0.726797005596", FRIDAY),  # 1 / 1.3759, 12 digits
        ("USD", "JPY", FRIDAY, "102.405698089", FRIDAY),  # 140.90 / 1.3759
        ("JPY", "USD", FRIDAY, "0.00976508161817", FRIDAY),
        ("USD", "USD", FRIDAY, "1", FRIDAY),
        # Saturday and Sunday: Friday's rates, one and two days old.
        ("EUR", "USD", dt.date(2014, 3, 29), "1.3759", FRIDAY),
        ("EUR", "USD", dt.date(2014, 3, 30), "1.3759", FRIDAY),
    ],
)
def test_ecb_rates_and_crosses(
    base: str, quote: str, on: dt.date, rate: str, published: dt.date
) -> None:
    answer = ReferenceRates(EcbProvider()).rate(base, quote, on)
    assert answer.result is RateResult.ok and answer.rate is not None
    assert answer.rate.rate == Decimal(rate)
    assert (answer.rate.date, answer.rate.source) == (published, "ECB")
    assert answer.rate.as_json() == {
        "base": base.upper(),
        "quote": quote.upper(),
        "rate": rate,
        "date": published.isoformat(),
        "source": "ECB",
    }


@pytest.mark.parametrize(
    ("base", "quote", "on", "max_age_days", "result"),
    [
        ("EUR", "USD", FRIDAY, 0, RateResult.ok),
        ("EUR", "USD", dt.date(2014, 3, 30), 2, RateResult.ok),
        ("EUR", "USD", dt.date(2014, 3, 30), 1, RateResult.rate_stale),
        # The RUB series stopped on 2022-03-01: a week later it is stale, not missing.
        ("EUR", "RUB", dt.date(2022, 3, 8), rate_age_max_days, RateResult.ok),
        ("EUR", "RUB", dt.date(2022, 3, 9), rate_age_max_days, RateResult.rate_stale),
        ("USD", "RUB", dt.date(2024, 1, 2), rate_age_max_days, RateResult.rate_stale),
        ("EUR", "KWD", FRIDAY, rate_age_max_days, RateResult.rate_missing),  # not an ECB rate
        ("EUR", "USD", dt.date(1998, 12, 31), rate_age_max_days, RateResult.rate_missing),
        ("EUR", "XYZ", FRIDAY, rate_age_max_days, RateResult.unknown_currency),
        ("XAU", "USD", FRIDAY, rate_age_max_days, RateResult.unknown_currency),
        ("DEM", "USD", FRIDAY, rate_age_max_days, RateResult.unknown_currency),  # withdrawn
    ],
)
def test_refusals(
    base: str, quote: str, on: dt.date, max_age_days: int, result: RateResult
) -> None:
    assert ReferenceRates(EcbProvider(), max_age_days).rate(base, quote, on).result is result


def test_a_stale_rate_says_how_old_it_is() -> None:
    answer = ReferenceRates(EcbProvider(), 3).rate("GBP", "RUB", dt.date(2022, 3, 11))
    assert answer.result is RateResult.rate_stale and answer.rate is not None
    assert answer.rate.date == dt.date(2022, 3, 1)  # the older leg's date
    assert "GBP/RUB" in answer.detail and "10 days before 2022-03-11" in answer.detail
    assert "limit is 3 days" in answer.detail


def test_the_shipped_file_is_read_offline() -> None:
    # The newest day in the shipped file, whatever package version is installed.
    newest = EcbProvider().newest_date()
    assert newest > dt.date(2025, 1, 1)
    answer = ReferenceRates(EcbProvider(), 0).rate("EUR", "USD", newest)
    assert answer.result is RateResult.ok


def test_crosses_go_through_eur_from_an_operator_file(tmp_path: Path) -> None:
    path = tmp_path / "rates.csv"
    path.write_text(
        "date,currency,rate\n"
        "2026-11-20,KWD,0.3201\n"
        "2026-11-24,KWD,0.3205\n"
        "2026-11-24,BHD,0.3925\n"
        "2026-11-23,JPY,162.5\n"
    )
    rates = ReferenceRates(RatesFileProvider(path), max_age_days=1)
    answer = rates.rate("KWD", "BHD", dt.date(2026, 11, 24))
    assert answer.rate is not None
    assert answer.rate.rate == Decimal("1.22464898596")  # 0.3925 / 0.3205
    assert answer.rate.source == "file:rates.csv"
    # The JPY leg is a day older: the cross carries its date.
    jpy = rates.rate("KWD", "JPY", dt.date(2026, 11, 24)).rate
    assert jpy is not None and jpy.date == dt.date(2026, 11, 23)
    stale = rates.rate("KWD", "EUR", dt.date(2026, 11, 22))
    assert stale.result is RateResult.rate_stale  # the 20th's rate is two days old by then
    assert stale.rate is not None and stale.rate.rate == Decimal("3.12402374258")  # 1/0.3201
    assert rates.rate("BHD", "EUR", dt.date(2026, 11, 23)).result is RateResult.rate_missing

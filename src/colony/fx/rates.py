"""Reference rates: one interface for every source, cross rates through EUR, stale ones refused.

A source (`RateProvider`) answers one question: how many units of a currency one euro bought
on the newest day it published on or before a date, as the ECB quotes its reference rates.
Every other pair is a cross through EUR: USD->JPY is EUR->JPY / EUR->USD. The cross rate
carries the older of its two legs' dates, so its age is never understated, and the source's
name. A rate whose date is more than `rate_age_max_days` before the day asked about is
refused (`RateResult.rate_stale`), never used quietly. See docs/adr/0013.
"""

from __future__ import annotations

import datetime as dt
import decimal
from dataclasses import dataclass
from decimal import Decimal
from typing import Protocol

from colony.fx.results import RateResult
from colony.kernel.money import UnknownCurrency, held_currency

# The oldest a reference rate may be, in days before the day it is used for. The ECB does not
# publish on weekends and TARGET holidays (up to four days in a row at Easter and Christmas);
# a week leaves room for that and nothing more.
rate_age_max_days = 7
# Significant digits a cross rate is computed to: more than any source publishes (the ECB
# gives 5 or 6), so rounding the cross changes nothing a minor unit can show.
cross_rate_digits = 12

EUR = "EUR"


@dataclass(frozen=True, slots=True)
class Rate:
    """1 `base` buys `rate` `quote`, as published on `date` by `source`."""

    base: str
    quote: str
    rate: Decimal
    date: dt.date
    source: str

    def as_json(self) -> dict[str, object]:
        return {
            "base": self.base,
            "quote": self.quote,
            "rate": f"{self.rate:f}",
            "date": self.date.isoformat(),
            "source": self.source,
        }


class RateProvider(Protocol):
    @property
    def source(self) -> str:
        """Who published the rates, for every rate to carry: "ECB", "file:rates.csv"."""
        ...

    def eur_rate(self, currency: str, on: dt.date) -> Rate | None:
        """The newest EUR->`currency` rate published on or before `on`, or None."""
        ...


@dataclass(frozen=True, slots=True)
class RateAnswer:
    result: RateResult
    rate: Rate | None = None
    detail: str = ""  # for people: which leg was missing, how old the newest rate is


class ReferenceRates:
    """Rates for any pair from one provider, crossed through EUR, within an age limit."""

    def __init__(self, provider: RateProvider, max_age_days: int = rate_age_max_days) -> None:
        if max_age_days < 0:
            raise ValueError(f"max_age_days must be 0 or more, not {max_age_days}")
        self.provider = provider
        self.max_age_days = max_age_days

    def rate(self, base: str, quote: str, on: dt.date) -> RateAnswer:
        """1 `base` in `quote` for use on `on` (normally today)."""
        try:
            base, quote = held_currency(base), held_currency(quote)
        except UnknownCurrency as exc:
            return RateAnswer(RateResult.unknown_currency, detail=str(exc))
        legs = []
        for currency in (base, quote):
            leg = self._eur_leg(currency, on)
            if leg is None:
                return RateAnswer(
                    RateResult.rate_missing,
                    detail=f"{self.provider.source} has no EUR/{currency} rate on or before {on}",
                )
            legs.append(leg)
        eur_base, eur_quote = legs
        context = decimal.Context(prec=cross_rate_digits, rounding=decimal.ROUND_HALF_EVEN)
        rate = Rate(
            base,
            quote,
            context.divide(eur_quote.rate, eur_base.rate),
            min(eur_base.date, eur_quote.date),
            self.provider.source,
        )
        age_days = (on - rate.date).days
        if age_days > self.max_age_days:
            return RateAnswer(
                RateResult.rate_stale,
                rate,
                f"the newest {base}/{quote} rate from {rate.source} is from {rate.date}, "
                f"{age_days} days before {on}; the limit is {self.max_age_days} days",
            )
        return RateAnswer(RateResult.ok, rate)

    def _eur_leg(self, currency: str, on: dt.date) -> Rate | None:
        if currency == EUR:
            return Rate(EUR, EUR, Decimal(1), on, self.provider.source)
        return self.provider.eur_rate(currency, on)

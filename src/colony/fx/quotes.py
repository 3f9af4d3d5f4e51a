"""Quotes: a rate locked for a stated time, with the house's spread, on integer minor units.

A customer sells one currency and buys another. The reference (mid) rate says how many units
of the buy currency one unit of the sell currency is worth; the customer's rate is the mid
less the spread, rounded down to `customer_rate_digits` significant digits:

    rate = round_down(mid * (10_000 - spread_bps) / 10_000)

Amounts are integers of minor units on both sides, and the side the customer did not fix is
rounded in the house's favour:

- sell amount given: buy = round_down(sell * rate) (the customer receives no more than it is
  owed);
- buy amount given: sell = round_up(buy / rate) (the customer pays no less than it owes).

So `sell * rate >= buy` holds for every quote. The quote is good until `expires_at_ns`
(created + `ttl_s`, default `quote_ttl_s`); paying with it afterwards is refused. See
docs/adr/0013.
"""

from __future__ import annotations

import datetime as dt
import decimal
from dataclasses import dataclass
from decimal import Decimal

from colony.kernel.clock import NS_PER_S
from colony.kernel.money import Money, scale_of

QUOTE_ID_PREFIX = "fxq_"
# How long a quote holds its rate when the caller does not say, and the longest it may, in s.
quote_ttl_s = 60
quote_ttl_max_s = 3_600
# The house's margin over the mid rate, in basis points (1/100 of a percent), and its bounds.
spread_bps_default = 50
spread_bps_max = 1_000
BPS_PER_UNIT = 10_000
# The largest amount on either side of a quote, in minor units (a 64-bit column holds it).
quote_amount_minor_max = 10**15
# Significant digits of a customer rate (rounded down, the house's way).
customer_rate_digits = 10

# Wide enough that products of amounts and rates are exact (the trap says so if not).
_EXACT = decimal.Context(prec=60, traps=[decimal.Inexact, decimal.InvalidOperation])
# Quotients are rounded away from zero in their 60th digit, then up to minor units.
_WIDE_UP = decimal.Context(prec=60, rounding=decimal.ROUND_UP)


@dataclass(frozen=True, slots=True)
class Quote:
    id: str  # "fxq_" + hex
    owner: str  # who asked (a wallet id): only it may see and use the quote
    sell_currency: str  # the base: 1 sell_currency = rate buy_currency
    buy_currency: str  # the quote currency
    sell_amount_minor: int
    buy_amount_minor: int
    mid_rate: Decimal  # the reference rate, crossed through EUR
    rate: Decimal  # the customer's rate: the mid less the spread, rounded down
    spread_bps: int
    rate_date: dt.date  # when the reference rate was published
    rate_source: str
    created_at_ns: int
    expires_at_ns: int
    used_by: str | None = None  # the payment that used it
    used_at_ns: int | None = None

    def expired(self, now_ns: int) -> bool:
        return now_ns >= self.expires_at_ns

    def status(self, now_ns: int) -> str:
        if self.used_by is not None:
            return "used"
        return "expired" if self.expired(now_ns) else "open"

    def as_json(self, now_ns: int) -> dict[str, object]:
        """As the API and the CLI show it; times in Unix seconds, rates as decimal text."""
        return {
            "object": "fx_quote",
            "id": self.id,
            "status": self.status(now_ns),
            "sell": amount_json(self.sell_amount_minor, self.sell_currency),
            "buy": amount_json(self.buy_amount_minor, self.buy_currency),
            "rate": f"{self.rate:f}",
            "mid_rate": f"{self.mid_rate:f}",
            "spread_bps": self.spread_bps,
            "rate_date": self.rate_date.isoformat(),
            "rate_source": self.rate_source,
            "created": self.created_at_ns // NS_PER_S,
            "expires_at": self.expires_at_ns // NS_PER_S,
        }


def amount_json(amount_minor: int, currency: str) -> dict[str, object]:
    formatted = Money(amount_minor, currency).format("en_US")
    return {"amount_minor": amount_minor, "currency": currency, "formatted": formatted}


def customer_rate(mid_rate: Decimal, spread_bps: int) -> Decimal:
    """The mid less the spread, rounded down to `customer_rate_digits` significant digits."""
    if not 0 <= spread_bps <= spread_bps_max:
        raise ValueError(f"spread_bps must be 0..{spread_bps_max}, not {spread_bps}")
    context = decimal.Context(prec=customer_rate_digits, rounding=decimal.ROUND_DOWN)
    rate = context.multiply(mid_rate, Decimal(BPS_PER_UNIT - spread_bps).scaleb(-4))
    return rate.normalize(context)  # 1.5, not 1.50000: the same value, shown plainly


def buy_for_sell(sell_minor: int, sell: str, buy: str, rate: Decimal) -> int:
    """What `sell_minor` buys at `rate`, rounded down to the buy currency's minor unit."""
    value = _EXACT.multiply(Decimal(sell_minor).scaleb(-scale_of(sell)), rate)
    return Money.from_decimal(value, buy, rounding=decimal.ROUND_DOWN).amount_minor


def sell_for_buy(buy_minor: int, sell: str, buy: str, rate: Decimal) -> int:
    """What buying `buy_minor` costs at `rate`, rounded up to the sell currency's minor unit."""
    value = _WIDE_UP.divide(Decimal(buy_minor).scaleb(-scale_of(buy)), rate)
    return Money.from_decimal(value, sell, rounding=decimal.ROUND_UP).amount_minor


def expiry_ns(created_at_ns: int, ttl_s: int) -> int:
    return created_at_ns + ttl_s * NS_PER_S

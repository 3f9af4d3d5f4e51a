"""`QuoteService`: reference rates for today, quotes that lock them, and using a quote once.

Quotes move no money: a cross-border payment consumes one (`consume`) and moves the amounts
it locked through the ledger. A quote is consumed once; the same payment asking again (a
retry) is told `ok` again, any other payment `quote_already_used`.
"""

from __future__ import annotations

import dataclasses
import datetime as dt
from dataclasses import dataclass

from colony.fx import quotes as q
from colony.fx.quotes import Quote
from colony.fx.rates import RateAnswer, ReferenceRates
from colony.fx.results import QUOTE_RESULT_OF_RATE, QuoteResult, RateResult
from colony.fx.store import QuoteStore
from colony.kernel.clock import Clock, utc_from_ns
from colony.kernel.ids import IdGenerator
from colony.kernel.money import UnknownCurrency, held_currency


@dataclass(frozen=True, slots=True)
class QuoteOutcome:
    result: QuoteResult
    quote: Quote | None = None
    detail: str = ""  # for people: why a rate could not be had


class QuoteService:
    def __init__(
        self,
        rates: ReferenceRates,
        store: QuoteStore,
        clock: Clock,
        ids: IdGenerator,
        *,
        spread_bps: int = q.spread_bps_default,
        ttl_s: int = q.quote_ttl_s,
    ) -> None:
        if not 0 <= spread_bps <= q.spread_bps_max or not 1 <= ttl_s <= q.quote_ttl_max_s:
            raise ValueError(f"default spread {spread_bps} bps or lifetime {ttl_s} s out of range")
        self.rates = rates
        self.store = store
        self._clock = clock
        self._ids = ids
        self.spread_bps = spread_bps
        self.ttl_s = ttl_s

    def today(self) -> dt.date:
        return utc_from_ns(self._clock.now_ns()).date()

    def rate(self, base: str, quote: str, on: dt.date | None = None) -> RateAnswer:
        """The reference rate for a day (today unless given), within the age limit."""
        return self.rates.rate(base, quote, on or self.today())

    def quote(
        self,
        owner: str,
        sell: str,
        buy: str,
        *,
        sell_amount_minor: int | None = None,
        buy_amount_minor: int | None = None,
        spread_bps: int | None = None,
        ttl_s: int | None = None,
    ) -> QuoteOutcome:
        """Lock today's rate less the spread for `ttl_s` seconds, on one side's amount."""
        try:
            sell, buy = held_currency(sell), held_currency(buy)
        except UnknownCurrency as exc:
            return QuoteOutcome(QuoteResult.unknown_currency, detail=str(exc))
        spread_bps = self.spread_bps if spread_bps is None else spread_bps
        ttl_s = self.ttl_s if ttl_s is None else ttl_s
        refused = _refusal(sell, buy, sell_amount_minor, buy_amount_minor, spread_bps, ttl_s)
        if refused is not None:
            return QuoteOutcome(refused)
        answer = self.rate(sell, buy)
        if answer.result is not RateResult.ok or answer.rate is None:
            return QuoteOutcome(QUOTE_RESULT_OF_RATE[answer.result], detail=answer.detail)
        rate = q.customer_rate(answer.rate.rate, spread_bps)
        if sell_amount_minor is not None:
            buy_amount_minor = q.buy_for_sell(sell_amount_minor, sell, buy, rate)
        else:
            assert buy_amount_minor is not None
            sell_amount_minor = q.sell_for_buy(buy_amount_minor, sell, buy, rate)
        if buy_amount_minor < 1:
            return QuoteOutcome(QuoteResult.amount_too_small)
        if max(sell_amount_minor, buy_amount_minor) > q.quote_amount_minor_max:
            return QuoteOutcome(QuoteResult.amount_out_of_range)
        now_ns = self._clock.now_ns()
        quote = Quote(
            id=f"{q.QUOTE_ID_PREFIX}{self._ids.new_id():032x}",
            owner=owner,
            sell_currency=sell,
            buy_currency=buy,
            sell_amount_minor=sell_amount_minor,
            buy_amount_minor=buy_amount_minor,
            mid_rate=answer.rate.rate,
            rate=rate,
            spread_bps=spread_bps,
            rate_date=answer.rate.date,
            rate_source=answer.rate.source,
            created_at_ns=now_ns,
            expires_at_ns=q.expiry_ns(now_ns, ttl_s),
        )
        if not self.store.add(quote):
            raise RuntimeError(f"quote id {quote.id} generated twice")
        return QuoteOutcome(QuoteResult.ok, quote)

    def get(self, quote_id: str, owner: str) -> Quote | None:
        """The owner's quote; None for an unknown id and for another owner's alike."""
        quote = self.store.get(quote_id)
        return quote if quote is not None and quote.owner == owner else None

    def consume(self, quote_id: str, owner: str, used_by: str) -> QuoteOutcome:
        """Use the owner's quote for the payment `used_by`, once, before it expires.

        Precedence: quote_unknown, then quote_already_used (by another payment; the same
        payment asking again gets ok and the quote), then quote_expired.
        """
        quote = self.get(quote_id, owner)
        if quote is None:
            return QuoteOutcome(QuoteResult.quote_unknown)
        now_ns = self._clock.now_ns()
        if quote.used_by is None and not quote.expired(now_ns):
            if self.store.mark_used(quote_id, used_by, now_ns):
                used = dataclasses.replace(quote, used_by=used_by, used_at_ns=now_ns)
                return QuoteOutcome(QuoteResult.ok, used)
            # Another payment won the race for it, or it expired meanwhile: read what is so.
            quote = self.store.get(quote_id)
            assert quote is not None, f"quote {quote_id} vanished"
        if quote.used_by == used_by:
            return QuoteOutcome(QuoteResult.ok, quote)
        if quote.used_by is not None:
            return QuoteOutcome(QuoteResult.quote_already_used, quote)
        return QuoteOutcome(QuoteResult.quote_expired, quote)


def _refusal(
    sell: str,
    buy: str,
    sell_amount_minor: int | None,
    buy_amount_minor: int | None,
    spread_bps: int,
    ttl_s: int,
) -> QuoteResult | None:
    if sell == buy:
        return QuoteResult.same_currency
    if (sell_amount_minor is None) == (buy_amount_minor is None):
        return QuoteResult.amount_on_one_side
    amount = sell_amount_minor if sell_amount_minor is not None else buy_amount_minor
    assert amount is not None
    if not 1 <= amount <= q.quote_amount_minor_max:
        return QuoteResult.amount_out_of_range
    if not 0 <= spread_bps <= q.spread_bps_max:
        return QuoteResult.spread_out_of_range
    if not 1 <= ttl_s <= q.quote_ttl_max_s:
        return QuoteResult.ttl_out_of_range
    return None

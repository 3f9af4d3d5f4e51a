"""Foreign exchange: reference rates behind one interface, cross rates through EUR, quotes."""

from __future__ import annotations

from colony.fx.ecb_provider import EcbProvider
from colony.fx.quotes import (
    Quote,
    amount_json,
    quote_amount_minor_max,
    quote_ttl_max_s,
    quote_ttl_s,
    sell_for_buy,
    spread_bps_default,
    spread_bps_max,
)
from colony.fx.rates import RateProvider, ReferenceRates, rate_age_max_days
from colony.fx.rates_file import RatesFileProvider
from colony.fx.results import QuoteResult, RateResult
from colony.fx.service import QuoteService
from colony.fx.sql_store import open_quote_store

__all__ = [
    "EcbProvider",
    "Quote",
    "QuoteResult",
    "QuoteService",
    "RateProvider",
    "RateResult",
    "RatesFileProvider",
    "ReferenceRates",
    "amount_json",
    "open_quote_store",
    "quote_amount_minor_max",
    "quote_ttl_max_s",
    "quote_ttl_s",
    "rate_age_max_days",
    "sell_for_buy",
    "spread_bps_default",
    "spread_bps_max",
]

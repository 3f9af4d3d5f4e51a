"""Outcomes of FX operations: enumerated, never exceptions."""

from __future__ import annotations

import enum


class RateResult(enum.IntEnum):
    """Looking up a rate. Precedence: the first that applies, top to bottom."""

    ok = 0
    unknown_currency = 1  # not an ISO 4217 currency Colony can hold money in
    rate_missing = 2  # the source has no rate for that currency on or before the date
    rate_stale = 3  # the newest rate is older than the configured age limit


class QuoteResult(enum.IntEnum):
    """Making or consuming a quote. Precedence: the first that applies, top to bottom."""

    ok = 0
    unknown_currency = 1
    same_currency = 2
    amount_on_one_side = 3  # give the sell amount or the buy amount, exactly one
    amount_out_of_range = 4  # each side within 1..quote_amount_minor_max minor units
    spread_out_of_range = 5  # 0..spread_bps_max
    ttl_out_of_range = 6  # 1..quote_ttl_max_s
    rate_missing = 7
    rate_stale = 8
    amount_too_small = 9  # the other side would round to nothing
    quote_unknown = 10  # no such quote, or another caller's
    quote_already_used = 11  # a payment used it before (another payment than this one)
    quote_expired = 12  # its lifetime is over: ask for a new quote


# A quote refused for its rate says why in the quote's own terms.
QUOTE_RESULT_OF_RATE = {
    RateResult.unknown_currency: QuoteResult.unknown_currency,
    RateResult.rate_missing: QuoteResult.rate_missing,
    RateResult.rate_stale: QuoteResult.rate_stale,
}

"""How FX quotes map to table rows, the same on every backend.

Rates are kept as decimal text, never a float column: the rate a quote locked is read back
digit for digit.
"""

from __future__ import annotations

import datetime as dt
from decimal import Decimal

from colony.fx.quotes import Quote

QUOTE_COLUMNS = (
    "id, owner, sell_currency, buy_currency, sell_amount_minor, buy_amount_minor, mid_rate,"
    " rate, spread_bps, rate_date, rate_source, created_at_ns, expires_at_ns, used_by,"
    " used_at_ns"
)


def quote_row(quote: Quote) -> tuple[object, ...]:
    return (
        quote.id,
        quote.owner,
        quote.sell_currency,
        quote.buy_currency,
        quote.sell_amount_minor,
        quote.buy_amount_minor,
        f"{quote.mid_rate:f}",
        f"{quote.rate:f}",
        quote.spread_bps,
        quote.rate_date.isoformat(),
        quote.rate_source,
        quote.created_at_ns,
        quote.expires_at_ns,
        quote.used_by,
        quote.used_at_ns,
    )


def quote_of(row: tuple[object, ...]) -> Quote:
    (qid, owner, sell, buy, sell_minor, buy_minor, mid, rate, spread, day, source,
     created, expires, used_by, used_at) = row  # fmt: skip
    return Quote(
        id=str(qid),
        owner=str(owner),
        sell_currency=str(sell),
        buy_currency=str(buy),
        sell_amount_minor=int(str(sell_minor)),
        buy_amount_minor=int(str(buy_minor)),
        mid_rate=Decimal(str(mid)),
        rate=Decimal(str(rate)),
        spread_bps=int(str(spread)),
        rate_date=dt.date.fromisoformat(str(day)),
        rate_source=str(source),
        created_at_ns=int(str(created)),
        expires_at_ns=int(str(expires)),
        used_by=None if used_by is None else str(used_by),
        used_at_ns=None if used_at is None else int(str(used_at)),
    )

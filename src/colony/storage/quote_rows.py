"""How FX quotes map to table rows, the same on every backend.

Rates are kept as decimal text, never a float column: the rate a quote locked is read back
digit for digit.
"""

from __future__ import annotations

import datetime as dt
from decimal import Decimal

from colony.fx.quotes import Quote

# One table on both backends; only the name of a 64-bit integer differs (INTEGER, bigint).
_TABLE = """
CREATE TABLE IF NOT EXISTS fx_quotes (
    id TEXT PRIMARY KEY,
    owner TEXT NOT NULL,
    sell_currency TEXT NOT NULL,
    buy_currency TEXT NOT NULL,
    sell_amount_minor {int64} NOT NULL,
    buy_amount_minor {int64} NOT NULL,
    mid_rate TEXT NOT NULL,  -- decimal text, never a float
    rate TEXT NOT NULL,
    spread_bps {int64} NOT NULL,
    rate_date TEXT NOT NULL,  -- YYYY-MM-DD
    rate_source TEXT NOT NULL,
    created_at_ns {int64} NOT NULL,
    expires_at_ns {int64} NOT NULL,
    used_by TEXT,  -- NULL until a payment uses it
    used_at_ns {int64}
);
"""


def quote_table(int64: str) -> str:
    """The CREATE TABLE statement, with the backend's name for a 64-bit integer."""
    return _TABLE.format(int64=int64)


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

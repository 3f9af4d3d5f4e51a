"""How merchant records map to table rows, the same on every backend."""

from __future__ import annotations

from colony.merchants.model import Merchant

# Merchant records kept in memory (a record never changes once written); past it, all are
# dropped.
merchant_cache_entries_max = 100_000

MERCHANT_COLUMNS = (
    "id, legal_name, display_name, mcc, country, city, currency, ledger, discount_bps,"
    " account_id, created_at_ns"
)


def merchant_row(m: Merchant) -> tuple[object, ...]:
    # The ledger's u128 account id does not fit a 64-bit column: kept as decimal text.
    return (
        m.id,
        m.legal_name,
        m.display_name,
        m.mcc,
        m.country,
        m.city,
        m.currency,
        m.ledger,
        m.discount_bps,
        str(m.account_id),
        m.created_at_ns,
    )


def merchant_of(row: tuple[object, ...]) -> Merchant:
    mid, legal, display, mcc, country, city, currency, ledger, bps, account_id, created = row
    return Merchant(
        str(mid),
        str(legal),
        str(display),
        str(mcc),
        str(country),
        str(city),
        str(currency),
        int(str(ledger)),
        int(str(bps)),
        int(str(account_id)),
        int(str(created)),
    )

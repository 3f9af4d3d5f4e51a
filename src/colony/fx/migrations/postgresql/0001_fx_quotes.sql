-- FX quotes: a locked rate and spread for a stated time, used once by a payment.

CREATE TABLE fx_quotes (
    id TEXT PRIMARY KEY,
    owner TEXT NOT NULL,
    sell_currency TEXT NOT NULL,
    buy_currency TEXT NOT NULL,
    sell_amount_minor bigint NOT NULL,
    buy_amount_minor bigint NOT NULL,
    mid_rate TEXT NOT NULL,  -- decimal text, never a float
    rate TEXT NOT NULL,
    spread_bps bigint NOT NULL,
    rate_date TEXT NOT NULL,  -- YYYY-MM-DD
    rate_source TEXT NOT NULL,
    created_at_ns bigint NOT NULL,
    expires_at_ns bigint NOT NULL,
    used_by TEXT,  -- NULL until a payment uses it
    used_at_ns bigint
);

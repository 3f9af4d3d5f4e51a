-- The payer's side of each cross-border payment: the quote it used and how its money was
-- booked (docs/adr/0016). The payment's own row holds the merchant's amount and currency.

CREATE TABLE payment_cross_border (
    payment_id TEXT PRIMARY KEY,  -- the payment's ledger transfer id, u128 as decimal text
    quote_id TEXT NOT NULL UNIQUE,
    wallet_currency TEXT NOT NULL,
    wallet_amount_minor bigint NOT NULL,
    treasury_minor bigint NOT NULL,
    spread_minor bigint NOT NULL,
    rate TEXT NOT NULL,  -- decimal text, never a float
    mid_rate TEXT NOT NULL
);

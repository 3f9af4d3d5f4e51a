-- Merchants on PostgreSQL: the first schema.
--
-- Until each package kept its own migrations, this was part of
-- postgresql/0002_wallets_merchants_payments_api.sql, word for word; databases that applied
-- that file record this one in its place (docs/adr/0024). Never edit this file once released:
-- change the schema in a new numbered file.

CREATE TABLE merchants (
    id text PRIMARY KEY,
    legal_name text NOT NULL,
    display_name text NOT NULL,
    mcc text NOT NULL,
    country text NOT NULL,
    city text NOT NULL,
    currency text NOT NULL,
    ledger integer NOT NULL,
    discount_bps integer NOT NULL,
    account_id text NOT NULL,  -- u128 as decimal text
    created_at_ns bigint NOT NULL
);

-- Wallets on PostgreSQL: the table that until then lived on SQLite only.
--
-- Until each package kept its own migrations, this was part of
-- postgresql/0002_wallets_merchants_payments_api.sql, word for word; databases that applied
-- that file record this one in its place (docs/adr/0024). Never edit this file once released:
-- change the schema in a new numbered file.

CREATE TABLE wallets (
    id text COLLATE "C" PRIMARY KEY,
    phone text NOT NULL,
    name text NOT NULL,
    currency text NOT NULL,
    ledger integer NOT NULL,
    tier integer NOT NULL,
    account_id text NOT NULL,  -- u128 as decimal text
    created_at_ns bigint NOT NULL,
    UNIQUE (phone, currency)
);

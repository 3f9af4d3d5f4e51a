-- Merchants on SQLite: the first schema.
--
-- Until each package kept its own migrations, this was part of sqlite/0001_initial.sql, word
-- for word; databases that applied that file record this one in its place (docs/adr/0024). "IF
-- NOT EXISTS" is kept so that a database made before migrations existed adopts it. Never edit
-- this file once released: change the schema in a new numbered file.

-- Merchants
CREATE TABLE IF NOT EXISTS merchants (
    id TEXT PRIMARY KEY,
    legal_name TEXT NOT NULL,
    display_name TEXT NOT NULL,
    mcc TEXT NOT NULL,
    country TEXT NOT NULL,
    city TEXT NOT NULL,
    currency TEXT NOT NULL,
    ledger INTEGER NOT NULL,
    discount_bps INTEGER NOT NULL,
    account_id TEXT NOT NULL,  -- u128 as decimal text
    created_at_ns INTEGER NOT NULL
);

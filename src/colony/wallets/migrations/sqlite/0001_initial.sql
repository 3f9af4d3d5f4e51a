-- Wallets on SQLite: the first schema.
--
-- Until each package kept its own migrations, this was part of sqlite/0001_initial.sql, word
-- for word; databases that applied that file record this one in its place (docs/adr/0024). "IF
-- NOT EXISTS" is kept so that a database made before migrations existed adopts it. Never edit
-- this file once released: change the schema in a new numbered file.

-- Wallets
CREATE TABLE IF NOT EXISTS wallets (
    id TEXT PRIMARY KEY,
    phone TEXT NOT NULL,
    name TEXT NOT NULL,
    currency TEXT NOT NULL,
    ledger INTEGER NOT NULL,
    tier INTEGER NOT NULL,
    account_id TEXT NOT NULL,  -- u128 as decimal text: SQLite integers stop at 2**63-1
    created_at_ns INTEGER NOT NULL,
    UNIQUE (phone, currency)
);

-- Funding partners, top-ups and withdrawals
CREATE TABLE IF NOT EXISTS funding_partners (
    name TEXT NOT NULL,
    currency TEXT NOT NULL,
    kind TEXT NOT NULL,
    created_at_ns INTEGER NOT NULL,
    PRIMARY KEY (name, currency)
);
CREATE TABLE IF NOT EXISTS funding_movements (
    id TEXT PRIMARY KEY,
    kind TEXT NOT NULL,
    wallet_id TEXT NOT NULL,
    partner TEXT NOT NULL,
    amount_minor INTEGER NOT NULL,
    currency TEXT NOT NULL,
    transfer_id TEXT NOT NULL,  -- u128 as decimal text
    created_at_ns INTEGER NOT NULL
);

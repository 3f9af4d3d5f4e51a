-- Payments on SQLite: the first schema.
--
-- Until each package kept its own migrations, this was part of sqlite/0001_initial.sql, word
-- for word; databases that applied that file record this one in its place (docs/adr/0024). "IF
-- NOT EXISTS" is kept so that a database made before migrations existed adopts it. Never edit
-- this file once released: change the schema in a new numbered file.

-- Payments and refunds
CREATE TABLE IF NOT EXISTS payments (
    seq INTEGER PRIMARY KEY AUTOINCREMENT,
    id TEXT NOT NULL UNIQUE,  -- the ledger transfer id, u128 as decimal text
    merchant_id TEXT NOT NULL,
    wallet_id TEXT NOT NULL,
    amount_minor INTEGER NOT NULL,
    currency TEXT NOT NULL,
    method TEXT NOT NULL,
    capture_method TEXT NOT NULL,
    description TEXT,
    reference TEXT,
    created_at_ns INTEGER NOT NULL
);
CREATE INDEX IF NOT EXISTS payments_by_merchant ON payments (merchant_id, seq);
CREATE INDEX IF NOT EXISTS payments_by_wallet ON payments (wallet_id, seq);
CREATE TABLE IF NOT EXISTS payment_refunds (
    id TEXT PRIMARY KEY,       -- the refund's ledger transfer id
    payment_id TEXT NOT NULL,
    amount_minor INTEGER NOT NULL,
    created_at_ns INTEGER NOT NULL
);
CREATE INDEX IF NOT EXISTS payment_refunds_by_payment ON payment_refunds (payment_id);

-- Payment-code devices and spent codes
CREATE TABLE IF NOT EXISTS payment_devices (
    number INTEGER PRIMARY KEY,  -- public: printed inside every code the device makes
    wallet_id TEXT NOT NULL,
    -- Kept as is, not hashed like tokens and API keys: checking a code means computing an
    -- HMAC with this very key, so Colony must be able to read it back.
    secret BLOB NOT NULL,
    created_at_ns INTEGER NOT NULL,
    revoked_at_ns INTEGER  -- NULL while the device is bound
);
CREATE TABLE IF NOT EXISTS payment_codes_spent (
    device_number INTEGER NOT NULL,
    step INTEGER NOT NULL,
    PRIMARY KEY (device_number, step)
);
CREATE INDEX IF NOT EXISTS payment_codes_spent_by_step ON payment_codes_spent (step);

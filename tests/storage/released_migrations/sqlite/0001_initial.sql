-- Colony's first schema on SQLite.
--
-- The schema as Colony's stores made it before migrations existed, table for table. "IF NOT
-- EXISTS" is kept so that a database made by such a Colony adopts this migration without a
-- change: its tables stay as they are, and this version is recorded as applied.
-- Never edit this file once released: change the schema in a new numbered file.

-- The ledger's journal and its format version
CREATE TABLE IF NOT EXISTS colony_meta (
    key TEXT PRIMARY KEY,
    value TEXT NOT NULL
);
CREATE TABLE IF NOT EXISTS ledger_journal (
    seq INTEGER PRIMARY KEY,
    operation INTEGER NOT NULL,
    now_ns INTEGER NOT NULL,
    event_count INTEGER NOT NULL,
    body BLOB NOT NULL,
    results BLOB NOT NULL,
    crc32 INTEGER NOT NULL
);

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

-- The HTTP API: wallet tokens, API keys, idempotency keys
CREATE TABLE IF NOT EXISTS api_tokens (
    token_sha256 TEXT PRIMARY KEY,
    wallet_id TEXT NOT NULL,
    created_at_ns INTEGER NOT NULL
);
CREATE TABLE IF NOT EXISTS api_keys (
    key_sha256 TEXT PRIMARY KEY,
    kind TEXT NOT NULL,       -- "operator" or "merchant"
    owner_id TEXT NOT NULL,   -- "operator", or the merchant's id
    created_at_ns INTEGER NOT NULL,
    rate_limit_per_s INTEGER, -- this key's own request rate; NULL: the default
    scopes TEXT,              -- space-separated; NULL: a standard key, every scope of its kind
    name TEXT,                -- the owner's label for it; NULL for standard keys
    revoked_at_ns INTEGER     -- when it was revoked; NULL while it works
);
CREATE TABLE IF NOT EXISTS api_idempotency (
    scope TEXT NOT NULL,
    key TEXT NOT NULL,
    request_sha256 TEXT NOT NULL,
    status INTEGER,          -- NULL while the first request is still being served
    body TEXT,
    created_at_ns INTEGER NOT NULL,
    PRIMARY KEY (scope, key)
);

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

-- Webhook endpoints, events and the delivery log
CREATE TABLE IF NOT EXISTS webhook_endpoints (
    merchant_id TEXT PRIMARY KEY,
    url TEXT NOT NULL,
    secret TEXT NOT NULL,
    created_at_ns INTEGER NOT NULL,
    after_timestamp INTEGER NOT NULL
);
CREATE TABLE IF NOT EXISTS webhook_events (
    seq INTEGER PRIMARY KEY AUTOINCREMENT,
    id TEXT NOT NULL UNIQUE,
    merchant_id TEXT NOT NULL,
    type TEXT NOT NULL,
    body TEXT NOT NULL,
    created_at_ns INTEGER NOT NULL,
    status TEXT NOT NULL,
    attempts INTEGER NOT NULL,
    next_attempt_at_ns INTEGER NOT NULL
);
CREATE INDEX IF NOT EXISTS webhook_events_due
    ON webhook_events (status, next_attempt_at_ns);
CREATE INDEX IF NOT EXISTS webhook_events_by_merchant ON webhook_events (merchant_id, seq);
CREATE TABLE IF NOT EXISTS webhook_attempts (
    event_id TEXT NOT NULL,
    number INTEGER NOT NULL,
    at_ns INTEGER NOT NULL,
    status_code INTEGER,
    error TEXT NOT NULL,
    duration_ms INTEGER NOT NULL,
    PRIMARY KEY (event_id, number)
);

-- Colony's first schema on PostgreSQL.
--
-- The schema as Colony's stores made it before migrations existed, table for table. "IF NOT
-- EXISTS" is kept so that a database made by such a Colony adopts this migration without a
-- change: its tables stay as they are, and this version is recorded as applied.
-- Never edit this file once released: change the schema in a new numbered file.

-- The ledger's journal and its format version
CREATE TABLE IF NOT EXISTS colony_meta (
    key text PRIMARY KEY,
    value text NOT NULL
);
CREATE TABLE IF NOT EXISTS ledger_journal (
    seq bigint PRIMARY KEY CHECK (seq > 0),
    operation smallint NOT NULL,
    now_ns bigint NOT NULL,
    event_count integer NOT NULL,
    body bytea NOT NULL,
    results bytea NOT NULL,
    crc32 bigint NOT NULL
);

-- Payment-code devices and spent codes
CREATE TABLE IF NOT EXISTS payment_devices (
    number bigint PRIMARY KEY,  -- public: printed inside every code the device makes
    wallet_id text NOT NULL,
    -- Kept as is, not hashed like tokens and API keys: checking a code means computing an
    -- HMAC with this very key, so Colony must be able to read it back.
    secret bytea NOT NULL,
    created_at_ns bigint NOT NULL,
    revoked_at_ns bigint  -- NULL while the device is bound
);
CREATE TABLE IF NOT EXISTS payment_codes_spent (
    device_number bigint NOT NULL,
    step bigint NOT NULL,
    PRIMARY KEY (device_number, step)
);
CREATE INDEX IF NOT EXISTS payment_codes_spent_by_step ON payment_codes_spent (step);

-- Funding partners, top-ups and withdrawals
CREATE TABLE IF NOT EXISTS funding_partners (
    name text NOT NULL,
    currency text NOT NULL,
    kind text NOT NULL,
    created_at_ns bigint NOT NULL,
    PRIMARY KEY (name, currency)
);
CREATE TABLE IF NOT EXISTS funding_movements (
    id text PRIMARY KEY,
    kind text NOT NULL,
    wallet_id text NOT NULL,
    partner text NOT NULL,
    amount_minor bigint NOT NULL,
    currency text NOT NULL,
    transfer_id text NOT NULL,  -- u128 as decimal text
    created_at_ns bigint NOT NULL
);

-- Webhook endpoints, events and the delivery log
CREATE TABLE IF NOT EXISTS webhook_endpoints (
    merchant_id text PRIMARY KEY,
    url text NOT NULL,
    secret text NOT NULL,
    created_at_ns bigint NOT NULL,
    after_timestamp bigint NOT NULL
);
CREATE TABLE IF NOT EXISTS webhook_events (
    seq bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
    id text NOT NULL UNIQUE,
    merchant_id text NOT NULL,
    type text NOT NULL,
    body text NOT NULL,
    created_at_ns bigint NOT NULL,
    status text NOT NULL,
    attempts integer NOT NULL,
    next_attempt_at_ns bigint NOT NULL
);
CREATE INDEX IF NOT EXISTS webhook_events_due
    ON webhook_events (status, next_attempt_at_ns);
CREATE INDEX IF NOT EXISTS webhook_events_by_merchant ON webhook_events (merchant_id, seq);
CREATE TABLE IF NOT EXISTS webhook_attempts (
    event_id text NOT NULL,
    number integer NOT NULL,
    at_ns bigint NOT NULL,
    status_code integer,
    error text NOT NULL,
    duration_ms bigint NOT NULL,
    PRIMARY KEY (event_id, number)
);

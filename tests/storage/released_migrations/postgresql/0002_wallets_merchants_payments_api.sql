-- Wallets, merchants, payment records and the API's keys, tokens and idempotency records:
-- the product tables that until now lived on SQLite only.

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

CREATE TABLE payments (
    seq bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
    id text NOT NULL UNIQUE,  -- the ledger transfer id, u128 as decimal text
    merchant_id text NOT NULL,
    wallet_id text NOT NULL,
    amount_minor bigint NOT NULL,
    currency text NOT NULL,
    method text NOT NULL,
    capture_method text NOT NULL,
    description text,
    reference text,
    created_at_ns bigint NOT NULL
);
CREATE INDEX payments_by_merchant ON payments (merchant_id, seq);
CREATE INDEX payments_by_wallet ON payments (wallet_id, seq);
CREATE TABLE payment_refunds (
    seq bigint GENERATED ALWAYS AS IDENTITY,
    id text PRIMARY KEY,       -- the refund's ledger transfer id
    payment_id text NOT NULL,
    amount_minor bigint NOT NULL,
    created_at_ns bigint NOT NULL
);
CREATE INDEX payment_refunds_by_payment ON payment_refunds (payment_id, seq);

CREATE TABLE api_tokens (
    token_sha256 text PRIMARY KEY,
    wallet_id text NOT NULL,
    created_at_ns bigint NOT NULL
);
CREATE TABLE api_keys (
    key_sha256 text COLLATE "C" PRIMARY KEY,
    kind text NOT NULL,       -- "operator" or "merchant"
    owner_id text NOT NULL,   -- "operator", or the merchant's id
    created_at_ns bigint NOT NULL,
    rate_limit_per_s integer, -- this key's own request rate; NULL: the default
    scopes text,              -- space-separated; NULL: a standard key, every scope of its kind
    name text,                -- the owner's label for it; NULL for standard keys
    revoked_at_ns bigint      -- when it was revoked; NULL while it works
);
CREATE INDEX api_keys_by_owner ON api_keys (kind, owner_id);
CREATE TABLE api_idempotency (
    scope text NOT NULL,
    key text NOT NULL,
    request_sha256 text NOT NULL,
    status integer NOT NULL,
    body text NOT NULL,
    created_at_ns bigint NOT NULL,
    PRIMARY KEY (scope, key)
);

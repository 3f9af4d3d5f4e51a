-- The HTTP API's keys, tokens and idempotency records on PostgreSQL: the first schema.
--
-- Until each package kept its own migrations, this was part of
-- postgresql/0002_wallets_merchants_payments_api.sql, word for word; databases that applied
-- that file record this one in its place (docs/adr/0024). Never edit this file once released:
-- change the schema in a new numbered file.

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

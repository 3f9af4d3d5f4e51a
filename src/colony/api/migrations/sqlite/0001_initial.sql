-- The HTTP API's own records on SQLite: the first schema.
--
-- Until each package kept its own migrations, this was part of sqlite/0001_initial.sql, word
-- for word; databases that applied that file record this one in its place (docs/adr/0024). "IF
-- NOT EXISTS" is kept so that a database made before migrations existed adopts it. Never edit
-- this file once released: change the schema in a new numbered file.

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

-- Webhooks on SQLite: the first schema.
--
-- Until each package kept its own migrations, this was part of sqlite/0001_initial.sql, word
-- for word; databases that applied that file record this one in its place (docs/adr/0024). "IF
-- NOT EXISTS" is kept so that a database made before migrations existed adopts it. Never edit
-- this file once released: change the schema in a new numbered file.

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

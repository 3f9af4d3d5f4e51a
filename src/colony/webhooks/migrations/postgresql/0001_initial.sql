-- Webhooks on PostgreSQL: the first schema.
--
-- Until each package kept its own migrations, this was part of postgresql/0001_initial.sql,
-- word for word; databases that applied that file record this one in its place
-- (docs/adr/0024). "IF NOT EXISTS" is kept so that a database made before migrations existed
-- adopts it. Never edit this file once released: change the schema in a new numbered file.

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

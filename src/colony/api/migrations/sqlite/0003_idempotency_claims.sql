-- Claims on Idempotency-Keys of requests being served, when several worker processes serve
-- one database (colony serve --workers N): the first to insert a key runs its request.

CREATE TABLE api_idempotency_claims (
    scope TEXT NOT NULL,
    key TEXT NOT NULL,
    request_sha256 TEXT NOT NULL,
    holder TEXT NOT NULL,  -- host/pid/start time of the process serving it
    claimed_at_ns INTEGER NOT NULL,
    PRIMARY KEY (scope, key)
);

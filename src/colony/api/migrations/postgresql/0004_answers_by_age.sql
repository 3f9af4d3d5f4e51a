-- Stored answers are forgotten oldest first after their retention (docs/adr/0080).

CREATE INDEX api_idempotency_by_age ON api_idempotency (created_at_ns);

-- A payment's first answer is kept with its record (docs/adr/0033): the SHA-256 of the
-- request that asked for it, so that the same Idempotency-Key with another body is refused
-- and with the same body is answered again from the record. NULL for records written before,
-- or by a caller that is not the HTTP API (their answers, if any, are in api_idempotency).

ALTER TABLE payments ADD COLUMN request_sha256 TEXT;

-- A wallet's tokens can be revoked (docs/adr/0030): from then on they authenticate nothing.

ALTER TABLE api_tokens ADD COLUMN revoked_at_ns bigint;  -- NULL while the token is valid
CREATE INDEX api_tokens_by_wallet ON api_tokens (wallet_id);

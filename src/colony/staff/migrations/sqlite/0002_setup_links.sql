-- Staff added in the console set themselves up through a one-time link (docs/adr/0042): a
-- password, then their authenticator app; a reset TOTP is set up again the same way. The link's
-- token is kept only as its SHA-256. Members added before (by the command line) are set up.

ALTER TABLE staff ADD COLUMN setup TEXT NOT NULL DEFAULT 'done';  -- done | password_and_totp | totp
ALTER TABLE staff ADD COLUMN setup_sha256 TEXT NOT NULL DEFAULT '';  -- the link's token, hashed
ALTER TABLE staff ADD COLUMN setup_expires_at_ns INTEGER NOT NULL DEFAULT 0;
CREATE INDEX staff_by_setup ON staff (setup_sha256);

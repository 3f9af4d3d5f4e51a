-- Credentials on SQLite: one secret (a PIN or a password) per subject, as an argon2id hash,
-- with the wrong tries counted and the lock they lead to. Never edit this file once released:
-- change the schema in a new numbered file.

CREATE TABLE credentials (
    subject TEXT PRIMARY KEY,  -- "wallet:wal_...", "merchant_user:...", "staff:..."
    kind TEXT NOT NULL,  -- pin | password
    hash TEXT NOT NULL,  -- argon2id's PHC string; never the secret
    failed INTEGER NOT NULL,
    locked_until_ns INTEGER NOT NULL,
    updated_at_ns INTEGER NOT NULL
);

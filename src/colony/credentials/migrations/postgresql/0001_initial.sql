-- Credentials on PostgreSQL: one secret (a PIN or a password) per subject, as an argon2id hash,
-- with the wrong tries counted and the lock they lead to. Never edit this file once released:
-- change the schema in a new numbered file.

CREATE TABLE credentials (
    subject TEXT COLLATE "C" PRIMARY KEY,  -- "wallet:wal_...", "merchant_user:...", "staff:..."
    kind TEXT NOT NULL,  -- pin | password
    hash TEXT NOT NULL,  -- argon2id's PHC string; never the secret
    failed BIGINT NOT NULL,
    locked_until_ns BIGINT NOT NULL,
    updated_at_ns BIGINT NOT NULL
);

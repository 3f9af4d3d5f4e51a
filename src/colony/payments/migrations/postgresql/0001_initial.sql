-- Payment-code devices and spent codes on PostgreSQL: the first schema of payments.
--
-- Until each package kept its own migrations, this was part of postgresql/0001_initial.sql,
-- word for word; databases that applied that file record this one in its place
-- (docs/adr/0024). "IF NOT EXISTS" is kept so that a database made before migrations existed
-- adopts it. Never edit this file once released: change the schema in a new numbered file.

-- Payment-code devices and spent codes
CREATE TABLE IF NOT EXISTS payment_devices (
    number bigint PRIMARY KEY,  -- public: printed inside every code the device makes
    wallet_id text NOT NULL,
    -- Kept as is, not hashed like tokens and API keys: checking a code means computing an
    -- HMAC with this very key, so Colony must be able to read it back.
    secret bytea NOT NULL,
    created_at_ns bigint NOT NULL,
    revoked_at_ns bigint  -- NULL while the device is bound
);
CREATE TABLE IF NOT EXISTS payment_codes_spent (
    device_number bigint NOT NULL,
    step bigint NOT NULL,
    PRIMARY KEY (device_number, step)
);
CREATE INDEX IF NOT EXISTS payment_codes_spent_by_step ON payment_codes_spent (step);

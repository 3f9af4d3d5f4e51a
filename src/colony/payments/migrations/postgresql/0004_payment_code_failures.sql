-- Guessing payment codes is bounded (docs/adr/0030): failed codes within a sliding window,
-- per device number and per merchant, and the time a device was locked for too many.

ALTER TABLE payment_devices ADD COLUMN locked_at_ns bigint;  -- NULL unless locked

CREATE TABLE payment_code_failures (
    device_number bigint NOT NULL,  -- as the code named it: a device or not
    merchant_id text NOT NULL,
    at_ns bigint NOT NULL
);
CREATE INDEX payment_code_failures_by_device ON payment_code_failures (device_number, at_ns);
CREATE INDEX payment_code_failures_by_merchant ON payment_code_failures (merchant_id, at_ns);
CREATE INDEX payment_code_failures_by_time ON payment_code_failures (at_ns);
CREATE INDEX payment_devices_by_wallet ON payment_devices (wallet_id);

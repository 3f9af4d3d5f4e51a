-- Phones on SQLite: verifications (one-time codes, kept only as a peppered HMAC) and the SMS
-- outbox the operator reads. Never edit this file once released: change the schema in a new
-- numbered file.

CREATE TABLE phone_verifications (
    id TEXT PRIMARY KEY,
    phone TEXT NOT NULL,
    purpose TEXT NOT NULL,
    salt TEXT NOT NULL,  -- hex
    code_sha256 TEXT NOT NULL,  -- hex HMAC-SHA256(pepper, salt + code); never the code
    created_at_ns INTEGER NOT NULL,
    expires_at_ns INTEGER NOT NULL,
    attempts INTEGER NOT NULL,
    proved_at_ns INTEGER
);
CREATE INDEX phone_verifications_by_phone ON phone_verifications (phone, created_at_ns);

CREATE TABLE sms_outbox (
    id TEXT PRIMARY KEY,  -- time-ordered: the outbox pages by it
    phone TEXT NOT NULL,
    text TEXT NOT NULL,  -- sealed (it holds a live code): cs1.<key id>.<AES-GCM>
    created_at_ns INTEGER NOT NULL
);
CREATE INDEX sms_outbox_by_phone ON sms_outbox (phone, id);

-- Phones on PostgreSQL: verifications (one-time codes, kept only as a peppered HMAC) and the
-- SMS outbox the operator reads. Never edit this file once released: change the schema in a
-- new numbered file.

CREATE TABLE phone_verifications (
    id text PRIMARY KEY,
    phone text NOT NULL,
    purpose text NOT NULL,
    salt text NOT NULL,  -- hex
    code_sha256 text NOT NULL,  -- hex HMAC-SHA256(pepper, salt + code); never the code
    created_at_ns bigint NOT NULL,
    expires_at_ns bigint NOT NULL,
    attempts integer NOT NULL,
    proved_at_ns bigint
);
CREATE INDEX phone_verifications_by_phone ON phone_verifications (phone, created_at_ns);

CREATE TABLE sms_outbox (
    id text COLLATE "C" PRIMARY KEY,  -- time-ordered: the outbox pages by it
    phone text NOT NULL,
    text text NOT NULL,  -- sealed (it holds a live code): cs1.<key id>.<AES-GCM>
    created_at_ns bigint NOT NULL
);
CREATE INDEX sms_outbox_by_phone ON sms_outbox (phone, id);

-- Codes by email on SQLite: a verification now goes to an address, an E.164 number (texted)
-- or an email address (mailed), and mail waits in its own outbox as texts do. Never edit
-- this file once released: change the schema in a new numbered file.

ALTER TABLE phone_verifications RENAME COLUMN phone TO address;

CREATE TABLE email_outbox (
    id TEXT PRIMARY KEY,  -- time-ordered: the outbox pages by it
    address TEXT NOT NULL,  -- lower case
    subject TEXT NOT NULL,
    text TEXT NOT NULL,  -- sealed (it holds a live code): cs1.<key id>.<AES-GCM>
    created_at_ns INTEGER NOT NULL
);
CREATE INDEX email_outbox_by_address ON email_outbox (address, id);

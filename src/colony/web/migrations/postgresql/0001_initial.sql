-- The web shell's sign-in sessions on PostgreSQL. A browser holds a random session id in an
-- HttpOnly cookie; the table keeps only its SHA-256, so a copy of the database signs nobody
-- in. Never edit this file once released: change the schema in a new numbered file.

CREATE TABLE web_sessions (
    id_sha256 TEXT COLLATE "C" PRIMARY KEY,  -- hex SHA-256 of the cookie's id
    audience TEXT NOT NULL,  -- app | merchant | console
    stage TEXT NOT NULL,  -- how far sign-in has come: code_sent, code_proved, signed_in
    subject TEXT NOT NULL,  -- who is signed in ("" before): a wallet, merchant user, staff id
    phone TEXT NOT NULL,  -- the number a code went to ("" when none)
    verification TEXT NOT NULL,  -- that code's verification id ("" when none)
    created_at_ns BIGINT NOT NULL,
    expires_at_ns BIGINT NOT NULL
);
CREATE INDEX web_sessions_by_subject ON web_sessions (subject);
CREATE INDEX web_sessions_by_expiry ON web_sessions (expires_at_ns);

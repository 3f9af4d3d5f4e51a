-- Staff on SQLite: the people who run Colony from the console, and the audit log of what
-- they did (docs/adr/0039). Passwords live in credentials (subject "staff:<id>"), never here.
-- Never edit this file once released: change the schema in a new numbered file.

CREATE TABLE staff (
    id TEXT PRIMARY KEY,  -- stf_ + 32 hex digits
    email TEXT NOT NULL UNIQUE,  -- lower case
    name TEXT NOT NULL,
    role TEXT NOT NULL,  -- operations | risk | finance | support | read_only
    secret TEXT NOT NULL,  -- the TOTP secret, sealed: cs1.<key id>.<AES-GCM>
    active INTEGER NOT NULL,  -- 1, or 0: may not sign in
    created_at_ns INTEGER NOT NULL,
    totp_last_step INTEGER NOT NULL,  -- the 30-second step of the last code taken: never again
    totp_tries INTEGER NOT NULL,  -- tries at a code since the last one taken
    totp_tried_at_ns INTEGER NOT NULL  -- the last try: a lock runs from it
);

CREATE TABLE staff_audit (
    id TEXT PRIMARY KEY,  -- aud_ + a time-ordered id: the log pages by it
    at_ns INTEGER NOT NULL,
    staff_id TEXT NOT NULL,  -- "" when no staff member is known
    action TEXT NOT NULL,
    target TEXT NOT NULL,
    reason TEXT NOT NULL,
    detail TEXT NOT NULL  -- a JSON object
);

-- Append-only: an entry is never changed nor deleted.
CREATE TRIGGER staff_audit_no_update BEFORE UPDATE ON staff_audit
BEGIN
    SELECT RAISE(ABORT, 'staff_audit is append-only');
END;
CREATE TRIGGER staff_audit_no_delete BEFORE DELETE ON staff_audit
BEGIN
    SELECT RAISE(ABORT, 'staff_audit is append-only');
END;

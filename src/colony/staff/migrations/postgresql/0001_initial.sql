-- Staff on PostgreSQL: the people who run Colony from the console, and the audit log of what
-- they did (docs/adr/0039). Passwords live in credentials (subject "staff:<id>"), never here.
-- Never edit this file once released: change the schema in a new numbered file.

CREATE TABLE staff (
    id text COLLATE "C" PRIMARY KEY,  -- stf_ + 32 hex digits
    email text NOT NULL UNIQUE,  -- lower case
    name text NOT NULL,
    role text NOT NULL,  -- operations | risk | finance | support | read_only
    secret text NOT NULL,  -- the TOTP secret, sealed: cs1.<key id>.<AES-GCM>
    active integer NOT NULL,  -- 1, or 0: may not sign in
    created_at_ns bigint NOT NULL,
    totp_last_step bigint NOT NULL,  -- the 30-second step of the last code taken: never again
    totp_tries integer NOT NULL,  -- tries at a code since the last one taken
    totp_tried_at_ns bigint NOT NULL  -- the last try: a lock runs from it
);

CREATE TABLE staff_audit (
    id text COLLATE "C" PRIMARY KEY,  -- aud_ + a time-ordered id: the log pages by it
    at_ns bigint NOT NULL,
    staff_id text NOT NULL,  -- "" when no staff member is known
    action text NOT NULL,
    target text NOT NULL,
    reason text NOT NULL,
    detail text NOT NULL  -- a JSON object
);

-- Append-only: an entry is never changed nor deleted, nor the table emptied.
CREATE FUNCTION staff_audit_append_only() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    RAISE EXCEPTION 'staff_audit is append-only';
END
$$;
CREATE TRIGGER staff_audit_no_change BEFORE UPDATE OR DELETE ON staff_audit
    FOR EACH ROW EXECUTE FUNCTION staff_audit_append_only();
CREATE TRIGGER staff_audit_no_truncate BEFORE TRUNCATE ON staff_audit
    FOR EACH STATEMENT EXECUTE FUNCTION staff_audit_append_only();

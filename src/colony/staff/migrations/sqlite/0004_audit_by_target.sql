-- The audit log read by target: a console sign-in for an email with no password to check
-- (no such staff, disabled, not set up) counts its wrong tries and its lock from the log's
-- own sign_in_failed entries for that email (docs/adr/0110), so it adds no row of its own.
-- Never edit this file once released: change the schema in a new numbered file.

CREATE INDEX staff_audit_by_target ON staff_audit (target, at_ns);

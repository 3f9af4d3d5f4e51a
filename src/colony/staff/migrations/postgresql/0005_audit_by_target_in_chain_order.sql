-- A target's entries in the chain's order: an email with no password to check counts its
-- wrong tries from its newest sign_in_failed entries (docs/adr/0110), and the newest is the
-- one with the highest place in the chain. Their times can tie (two workers' tries in one
-- clock tick) or come out of order (a try's time is read before it takes its place), and
-- ids from two processes do not sort by when they were made; the place is what orders them.
-- Never edit this file once released: change the schema in a new numbered file.

CREATE INDEX staff_audit_by_target_in_chain ON staff_audit (target, seq);
DROP INDEX staff_audit_by_target;

-- The audit log as a hash chain (docs/adr/0049): each entry from now on holds its place in
-- the chain, the hash of the entry before it, and its own hash over both and its fields, so
-- an entry edited or removed behind the append-only triggers is found by `colony audit
-- verify`. Entries written before this migration stay outside the chain (their columns
-- NULL). Never edit this file once released: change the schema in a new numbered file.

ALTER TABLE staff_audit ADD COLUMN seq INTEGER;
ALTER TABLE staff_audit ADD COLUMN prev_sha256 TEXT;
ALTER TABLE staff_audit ADD COLUMN sha256 TEXT;
CREATE UNIQUE INDEX staff_audit_by_seq ON staff_audit (seq);

-- The ledger's journal on PostgreSQL: the first schema.
--
-- Until each package kept its own migrations, this was part of postgresql/0001_initial.sql,
-- word for word; databases that applied that file record this one in its place
-- (docs/adr/0024). "IF NOT EXISTS" is kept so that a database made before migrations existed
-- adopts it. Never edit this file once released: change the schema in a new numbered file.

-- The ledger's journal and its format version
CREATE TABLE IF NOT EXISTS colony_meta (
    key text PRIMARY KEY,
    value text NOT NULL
);
CREATE TABLE IF NOT EXISTS ledger_journal (
    seq bigint PRIMARY KEY CHECK (seq > 0),
    operation smallint NOT NULL,
    now_ns bigint NOT NULL,
    event_count integer NOT NULL,
    body bytea NOT NULL,
    results bytea NOT NULL,
    crc32 bigint NOT NULL
);

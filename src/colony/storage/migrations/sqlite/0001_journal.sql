-- The ledger's journal on SQLite: the first schema.
--
-- Until each package kept its own migrations, this was part of sqlite/0001_initial.sql, word
-- for word; databases that applied that file record this one in its place (docs/adr/0024). "IF
-- NOT EXISTS" is kept so that a database made before migrations existed adopts it. Never edit
-- this file once released: change the schema in a new numbered file.

-- The ledger's journal and its format version
CREATE TABLE IF NOT EXISTS colony_meta (
    key TEXT PRIMARY KEY,
    value TEXT NOT NULL
);
CREATE TABLE IF NOT EXISTS ledger_journal (
    seq INTEGER PRIMARY KEY,
    operation INTEGER NOT NULL,
    now_ns INTEGER NOT NULL,
    event_count INTEGER NOT NULL,
    body BLOB NOT NULL,
    results BLOB NOT NULL,
    crc32 INTEGER NOT NULL
);

-- The ledger's posted history in pages (storage/ledger_archive.py, docs/adr/0036): transfer
-- records in pages by time, and two indexes (ids, account lines) as sorted runs of pages.
-- The row-per-transfer table goes; so does the watermark, so a checkpoint that counted on
-- that table is passed over and the history is written again from the journal on open.
DROP TABLE ledger_archive_transfers;
DELETE FROM colony_meta WHERE key = 'ledger_archived_through';
DELETE FROM ledger_archive_outcomes;
DELETE FROM ledger_archive_snapshots;
DELETE FROM ledger_archive_failures;
-- 128-byte codec records of consecutive transfers, keyed by the first one's timestamp.
CREATE TABLE ledger_archive_records (
    first_timestamp bigint PRIMARY KEY,
    records bytea NOT NULL
);
-- The runs in use: kind 0 ids (id, timestamp), 1 account lines (account id, timestamp);
-- first and last entries are 24 bytes (16-byte key, 8-byte timestamp, big-endian).
CREATE TABLE ledger_archive_runs (
    run bigint PRIMARY KEY,
    kind bigint NOT NULL,
    level bigint NOT NULL,
    first_timestamp bigint NOT NULL,
    last_timestamp bigint NOT NULL,
    entries bigint NOT NULL,
    first_key bytea NOT NULL,
    last_key bytea NOT NULL
);
-- A run's entries, sorted, cut into pages keyed by their first entry.
CREATE TABLE ledger_archive_pages (
    run bigint NOT NULL,
    first_key bytea NOT NULL,
    entries bytea NOT NULL,
    PRIMARY KEY (run, first_key)
);
-- Runs whose pages are being written, or are no longer used: removed on the next open.
CREATE TABLE ledger_archive_loose (
    run bigint PRIMARY KEY
);
-- Pages are kilobytes of sorted keys and packed records: stored out of line as they are,
-- not compressed, which costs the server more CPU than the disk it saves.
ALTER TABLE ledger_archive_records ALTER COLUMN records SET STORAGE EXTERNAL;
ALTER TABLE ledger_archive_pages ALTER COLUMN entries SET STORAGE EXTERNAL;

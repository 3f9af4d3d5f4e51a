-- The ledger's posted history in pages (storage/ledger_archive.py, docs/adr/0036): transfer
-- records in pages by time, and two indexes (ids, account lines) as sorted runs of pages.
-- The row-per-transfer table goes; so does the watermark, so a checkpoint that counted on
-- that table is passed over and the history is written again from the journal on open.
DROP INDEX ledger_archive_transfers_by_debit;
DROP INDEX ledger_archive_transfers_by_credit;
DROP TABLE ledger_archive_transfers;
DELETE FROM colony_meta WHERE key = 'ledger_archived_through';
DELETE FROM ledger_archive_outcomes;
DELETE FROM ledger_archive_snapshots;
DELETE FROM ledger_archive_failures;
-- 128-byte codec records of consecutive transfers, keyed by the first one's timestamp.
CREATE TABLE ledger_archive_records (
    first_timestamp INTEGER PRIMARY KEY,
    records BLOB NOT NULL
);
-- The runs in use: kind 0 ids (id, timestamp), 1 account lines (account id, timestamp);
-- first and last entries are 24 bytes (16-byte key, 8-byte timestamp, big-endian).
CREATE TABLE ledger_archive_runs (
    run INTEGER PRIMARY KEY,
    kind INTEGER NOT NULL,
    level INTEGER NOT NULL,
    first_timestamp INTEGER NOT NULL,
    last_timestamp INTEGER NOT NULL,
    entries INTEGER NOT NULL,
    first_key BLOB NOT NULL,
    last_key BLOB NOT NULL
);
-- A run's entries, sorted, cut into pages keyed by their first entry.
CREATE TABLE ledger_archive_pages (
    run INTEGER NOT NULL,
    first_key BLOB NOT NULL,
    entries BLOB NOT NULL,
    PRIMARY KEY (run, first_key)
);
-- Runs whose pages are being written, or are no longer used: removed on the next open.
CREATE TABLE ledger_archive_loose (
    run INTEGER PRIMARY KEY
);

-- The ledger's posted history on disk (ledger/archive.py, docs/adr/0034): what the ledger
-- moved out of memory, written from its own state a job at a time. Ids are 16-byte
-- big-endian blobs; timestamps are the ledger's own (unique per transfer, rising).
CREATE TABLE ledger_archive_transfers (
    timestamp INTEGER PRIMARY KEY,
    id BLOB NOT NULL UNIQUE,
    debit_account_id BLOB NOT NULL,
    credit_account_id BLOB NOT NULL,
    record BLOB NOT NULL
);
-- An account's history is its transfers on either side, and the expiries of its holds.
CREATE INDEX ledger_archive_transfers_by_debit
    ON ledger_archive_transfers (debit_account_id, timestamp);
CREATE INDEX ledger_archive_transfers_by_credit
    ON ledger_archive_transfers (credit_account_id, timestamp);
-- How each archived pending transfer ended (TransferPendingStatus: 2 posted, 3 voided, 4 expired) and when.
CREATE TABLE ledger_archive_outcomes (
    pending_id BLOB PRIMARY KEY,
    status INTEGER NOT NULL,
    timestamp INTEGER NOT NULL,
    debit_account_id BLOB NOT NULL,
    credit_account_id BLOB NOT NULL
) WITHOUT ROWID;
CREATE INDEX ledger_archive_outcomes_by_time ON ledger_archive_outcomes (timestamp);
CREATE INDEX ledger_archive_outcomes_by_debit
    ON ledger_archive_outcomes (debit_account_id, timestamp);
CREATE INDEX ledger_archive_outcomes_by_credit
    ON ledger_archive_outcomes (credit_account_id, timestamp);
-- Each account's balances before every 256th line of its history: 4 x u128, little-endian.
CREATE TABLE ledger_archive_snapshots (
    account_id BLOB NOT NULL,
    timestamp INTEGER NOT NULL,
    balances BLOB NOT NULL,
    PRIMARY KEY (account_id, timestamp)
) WITHOUT ROWID;
CREATE INDEX ledger_archive_snapshots_by_time ON ledger_archive_snapshots (timestamp);
-- Ids burned by a transient failure, and when.
CREATE TABLE ledger_archive_failures (
    id BLOB PRIMARY KEY,
    result INTEGER NOT NULL,
    timestamp INTEGER NOT NULL
) WITHOUT ROWID;
CREATE INDEX ledger_archive_failures_by_time ON ledger_archive_failures (timestamp);

-- The ledger's posted history on disk (ledger/archive.py, docs/adr/0034): what the ledger
-- moved out of memory, written from its own state a job at a time. Ids are 16-byte
-- big-endian blobs; timestamps are the ledger's own (unique per transfer, rising).
CREATE TABLE ledger_archive_transfers (
    timestamp bigint PRIMARY KEY,
    id bytea NOT NULL UNIQUE,
    debit_account_id bytea NOT NULL,
    credit_account_id bytea NOT NULL,
    record bytea NOT NULL
);
-- An account's history is its transfers on either side, and the expiries of its holds.
CREATE INDEX ledger_archive_transfers_by_debit
    ON ledger_archive_transfers (debit_account_id, timestamp);
CREATE INDEX ledger_archive_transfers_by_credit
    ON ledger_archive_transfers (credit_account_id, timestamp);
-- How each archived pending transfer ended (TransferPendingStatus: 2 posted, 3 voided, 4 expired) and when.
CREATE TABLE ledger_archive_outcomes (
    pending_id bytea PRIMARY KEY,
    status smallint NOT NULL,
    timestamp bigint NOT NULL,
    debit_account_id bytea NOT NULL,
    credit_account_id bytea NOT NULL
);
CREATE INDEX ledger_archive_outcomes_by_time ON ledger_archive_outcomes (timestamp);
CREATE INDEX ledger_archive_outcomes_by_debit
    ON ledger_archive_outcomes (debit_account_id, timestamp);
CREATE INDEX ledger_archive_outcomes_by_credit
    ON ledger_archive_outcomes (credit_account_id, timestamp);
-- Each account's balances before every 256th line of its history: 4 x u128, little-endian.
CREATE TABLE ledger_archive_snapshots (
    account_id bytea NOT NULL,
    timestamp bigint NOT NULL,
    balances bytea NOT NULL,
    PRIMARY KEY (account_id, timestamp)
);
CREATE INDEX ledger_archive_snapshots_by_time ON ledger_archive_snapshots (timestamp);
-- Ids burned by a transient failure, and when.
CREATE TABLE ledger_archive_failures (
    id bytea PRIMARY KEY,
    result smallint NOT NULL,
    timestamp bigint NOT NULL
);
CREATE INDEX ledger_archive_failures_by_time ON ledger_archive_failures (timestamp);

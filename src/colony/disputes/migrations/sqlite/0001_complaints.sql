-- Complaints and disputes on SQLite (docs/adr/0053). Money they move is in the ledger; these
-- are the cases, their append-only history, photos, the outcomes' intent and reviews.
-- Never edit this file once released: change the schema in a new numbered file.

CREATE TABLE complaints (
    id TEXT PRIMARY KEY,
    wallet_id TEXT NOT NULL,
    merchant_id TEXT NOT NULL,
    payment_id TEXT,  -- u128 as decimal text; NULL for a complaint about the merchant
    category TEXT NOT NULL,
    text TEXT NOT NULL,
    status TEXT NOT NULL,
    country TEXT NOT NULL,
    received_at_ns INTEGER NOT NULL,
    due_ns INTEGER NOT NULL,
    answer_due_ns INTEGER NOT NULL,
    updated_at_ns INTEGER NOT NULL
);
CREATE INDEX complaints_of_wallet ON complaints (wallet_id, received_at_ns);
CREATE INDEX complaints_of_merchant ON complaints (merchant_id, received_at_ns);
CREATE INDEX complaints_by_due ON complaints (due_ns);
CREATE INDEX complaints_by_age ON complaints (received_at_ns);

CREATE TABLE case_events (
    subject_id TEXT NOT NULL,  -- a complaint's or a dispute's id
    seq INTEGER NOT NULL,
    at_ns INTEGER NOT NULL,
    actor TEXT NOT NULL,
    actor_id TEXT NOT NULL,
    from_status TEXT NOT NULL,
    to_status TEXT NOT NULL,
    note TEXT NOT NULL,
    detail TEXT NOT NULL,  -- a JSON object
    PRIMARY KEY (subject_id, seq)
);
CREATE TRIGGER case_events_no_update BEFORE UPDATE ON case_events
BEGIN
    SELECT RAISE(ABORT, 'case_events is append-only');
END;
CREATE TRIGGER case_events_no_delete BEFORE DELETE ON case_events
BEGIN
    SELECT RAISE(ABORT, 'case_events is append-only');
END;

CREATE TABLE complaint_attachments (
    complaint_id TEXT NOT NULL,
    number INTEGER NOT NULL,
    content_type TEXT NOT NULL,
    size_bytes INTEGER NOT NULL,
    sha256 TEXT NOT NULL,
    added_at_ns INTEGER NOT NULL,
    data BLOB NOT NULL,
    PRIMARY KEY (complaint_id, number)
);

CREATE TABLE complaint_outcomes (
    transfer_id TEXT PRIMARY KEY,  -- u128 as decimal text: the ledger transfer it moved
    subject_id TEXT NOT NULL,
    kind TEXT NOT NULL,  -- refund, goodwill, chargeback
    amount_minor INTEGER NOT NULL,
    currency TEXT NOT NULL,
    reason TEXT NOT NULL,
    actor_id TEXT NOT NULL,
    at_ns INTEGER NOT NULL
);
CREATE INDEX complaint_outcomes_of ON complaint_outcomes (subject_id);

CREATE TABLE disputes (
    id TEXT PRIMARY KEY,
    payment_id TEXT NOT NULL UNIQUE,  -- one dispute per payment
    merchant_id TEXT NOT NULL,
    wallet_id TEXT NOT NULL,
    complaint_id TEXT,
    amount_minor INTEGER NOT NULL,
    currency TEXT NOT NULL,
    reason TEXT NOT NULL,
    status TEXT NOT NULL,
    respond_by_ns INTEGER NOT NULL,
    evidence TEXT,
    opened_at_ns INTEGER NOT NULL,
    updated_at_ns INTEGER NOT NULL
);
CREATE INDEX disputes_of_merchant ON disputes (merchant_id, opened_at_ns);

CREATE TABLE merchant_reviews (
    id TEXT PRIMARY KEY,
    merchant_id TEXT NOT NULL,
    category TEXT NOT NULL,
    complaints INTEGER NOT NULL,
    window_days INTEGER NOT NULL,
    action TEXT NOT NULL,
    at_ns INTEGER NOT NULL
);
CREATE INDEX merchant_reviews_of ON merchant_reviews (merchant_id, category, at_ns);

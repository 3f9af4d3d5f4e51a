-- Complaints and disputes on PostgreSQL (docs/adr/0053). Money they move is in the ledger; these
-- are the cases, their append-only history, photos, the outcomes' intent and reviews.
-- Never edit this file once released: change the schema in a new numbered file.

CREATE TABLE complaints (
    id text PRIMARY KEY,
    wallet_id text NOT NULL,
    merchant_id text NOT NULL,
    payment_id text,  -- u128 as decimal text; NULL for a complaint about the merchant
    category text NOT NULL,
    text text NOT NULL,
    status text NOT NULL,
    country text NOT NULL,
    received_at_ns bigint NOT NULL,
    due_ns bigint NOT NULL,
    answer_due_ns bigint NOT NULL,
    updated_at_ns bigint NOT NULL
);
CREATE INDEX complaints_of_wallet ON complaints (wallet_id, received_at_ns);
CREATE INDEX complaints_of_merchant ON complaints (merchant_id, received_at_ns);
CREATE INDEX complaints_by_due ON complaints (due_ns);
CREATE INDEX complaints_by_age ON complaints (received_at_ns);

CREATE TABLE case_events (
    subject_id text NOT NULL,  -- a complaint's or a dispute's id
    seq bigint NOT NULL,
    at_ns bigint NOT NULL,
    actor text NOT NULL,
    actor_id text NOT NULL,
    from_status text NOT NULL,
    to_status text NOT NULL,
    note text NOT NULL,
    detail text NOT NULL,  -- a JSON object
    PRIMARY KEY (subject_id, seq)
);
-- Append-only: an event is never changed nor deleted, nor the table emptied.
CREATE FUNCTION case_events_append_only() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    RAISE EXCEPTION 'case_events is append-only';
END
$$;
CREATE TRIGGER case_events_no_change BEFORE UPDATE OR DELETE ON case_events
    FOR EACH ROW EXECUTE FUNCTION case_events_append_only();
CREATE TRIGGER case_events_no_truncate BEFORE TRUNCATE ON case_events
    FOR EACH STATEMENT EXECUTE FUNCTION case_events_append_only();

CREATE TABLE complaint_attachments (
    complaint_id text NOT NULL,
    number bigint NOT NULL,
    content_type text NOT NULL,
    size_bytes bigint NOT NULL,
    sha256 text NOT NULL,
    added_at_ns bigint NOT NULL,
    data bytea NOT NULL,
    PRIMARY KEY (complaint_id, number)
);

CREATE TABLE complaint_outcomes (
    transfer_id text PRIMARY KEY,  -- u128 as decimal text: the ledger transfer it moved
    subject_id text NOT NULL,
    kind text NOT NULL,  -- refund, goodwill, chargeback
    amount_minor bigint NOT NULL,
    currency text NOT NULL,
    reason text NOT NULL,
    actor_id text NOT NULL,
    at_ns bigint NOT NULL
);
CREATE INDEX complaint_outcomes_of ON complaint_outcomes (subject_id);

CREATE TABLE disputes (
    id text PRIMARY KEY,
    payment_id text NOT NULL UNIQUE,  -- one dispute per payment
    merchant_id text NOT NULL,
    wallet_id text NOT NULL,
    complaint_id text,
    amount_minor bigint NOT NULL,
    currency text NOT NULL,
    reason text NOT NULL,
    status text NOT NULL,
    respond_by_ns bigint NOT NULL,
    evidence text,
    opened_at_ns bigint NOT NULL,
    updated_at_ns bigint NOT NULL
);
CREATE INDEX disputes_of_merchant ON disputes (merchant_id, opened_at_ns);

CREATE TABLE merchant_reviews (
    id text PRIMARY KEY,
    merchant_id text NOT NULL,
    category text NOT NULL,
    complaints bigint NOT NULL,
    window_days bigint NOT NULL,
    action text NOT NULL,
    at_ns bigint NOT NULL
);
CREATE INDEX merchant_reviews_of ON merchant_reviews (merchant_id, category, at_ns);

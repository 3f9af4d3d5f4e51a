-- Credit scores on SQLite (docs/adr/0046): a person's consents to be scored and their
-- withdrawals, every score given with its reasons and limit, and the outcomes of loans that
-- training learns from (never read when scoring).
-- Never edit this file once released: change the schema in a new numbered file.

CREATE TABLE credit_consents (
    id TEXT PRIMARY KEY,
    wallet_id TEXT NOT NULL,
    action TEXT NOT NULL CHECK (action IN ('given', 'withdrawn')),
    at_ns INTEGER NOT NULL,
    model_version TEXT NOT NULL
);
CREATE INDEX credit_consents_by_wallet ON credit_consents (wallet_id, at_ns, id);

CREATE TABLE credit_scores (
    id TEXT PRIMARY KEY,
    subject_kind TEXT NOT NULL CHECK (subject_kind IN ('person', 'merchant')),
    subject_id TEXT NOT NULL,
    scored_at_ns INTEGER NOT NULL,
    model_version TEXT NOT NULL,
    score INTEGER NOT NULL,
    reasons TEXT NOT NULL,  -- code:points_lost, most lost first, comma-separated
    band TEXT NOT NULL,
    limit_minor INTEGER NOT NULL,
    currency TEXT NOT NULL,
    consent_id TEXT,  -- the consent a person's score was given under
    asked_by TEXT NOT NULL
);
CREATE INDEX credit_scores_by_subject ON credit_scores (subject_kind, subject_id, scored_at_ns, id);

CREATE TABLE credit_outcomes (
    subject_kind TEXT NOT NULL CHECK (subject_kind IN ('person', 'merchant')),
    subject_id TEXT NOT NULL,
    decided_at_ns INTEGER NOT NULL,
    principal_minor INTEGER NOT NULL,
    currency TEXT NOT NULL,
    defaulted INTEGER NOT NULL CHECK (defaulted IN (0, 1)),
    source TEXT NOT NULL,
    true_pd_ppm INTEGER,  -- the simulator's own probability of default, per million
    PRIMARY KEY (subject_kind, subject_id, decided_at_ns)
);

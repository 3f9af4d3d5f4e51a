-- Credit scores on PostgreSQL (docs/adr/0046): a person's consents to be scored and their
-- withdrawals, every score given with its reasons and limit, and the outcomes of loans that
-- training learns from (never read when scoring).
-- Never edit this file once released: change the schema in a new numbered file.

CREATE TABLE credit_consents (
    id text PRIMARY KEY,
    wallet_id text NOT NULL,
    action text NOT NULL CHECK (action IN ('given', 'withdrawn')),
    at_ns bigint NOT NULL,
    model_version text NOT NULL
);
CREATE INDEX credit_consents_by_wallet ON credit_consents (wallet_id, at_ns, id);

CREATE TABLE credit_scores (
    id text PRIMARY KEY,
    subject_kind text NOT NULL CHECK (subject_kind IN ('person', 'merchant')),
    subject_id text NOT NULL,
    scored_at_ns bigint NOT NULL,
    model_version text NOT NULL,
    score integer NOT NULL,
    reasons text NOT NULL,  -- code:points_lost, most lost first, comma-separated
    band text NOT NULL,
    limit_minor bigint NOT NULL,
    currency text NOT NULL,
    consent_id text,  -- the consent a person's score was given under
    asked_by text NOT NULL
);
CREATE INDEX credit_scores_by_subject ON credit_scores (subject_kind, subject_id, scored_at_ns, id);

CREATE TABLE credit_outcomes (
    subject_kind text NOT NULL CHECK (subject_kind IN ('person', 'merchant')),
    subject_id text NOT NULL,
    decided_at_ns bigint NOT NULL,
    principal_minor bigint NOT NULL,
    currency text NOT NULL,
    defaulted smallint NOT NULL CHECK (defaulted IN (0, 1)),
    source text NOT NULL,
    true_pd_ppm integer,  -- the simulator's own probability of default, per million
    PRIMARY KEY (subject_kind, subject_id, decided_at_ns)
);

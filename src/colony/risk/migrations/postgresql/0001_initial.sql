-- Risk control: each assessment that did more than allow (or that a shadow rule would have
-- changed), beside its payment; the review queue's decisions. docs/adr/0055.
-- Never edit this file once released: change the schema in a new numbered file.

CREATE TABLE risk_assessments (
    payment_id text PRIMARY KEY,  -- the ledger transfer id, u128 as decimal text
    channel text NOT NULL,
    wallet_id text NOT NULL,
    payee text NOT NULL,
    amount_minor bigint NOT NULL,
    currency text NOT NULL,
    decision bigint NOT NULL,  -- risk.Decision
    reasons text NOT NULL,  -- risk.Reason names, space-separated
    shadow_reasons text NOT NULL,
    score bigint NOT NULL,
    rules_version bigint NOT NULL,
    fallback bigint NOT NULL,  -- 1: decided by the fallback rules
    assessed_at_ns bigint NOT NULL,
    review_outcome text,  -- approved, declined; NULL until an analyst decides
    reviewed_by text,
    reviewed_at_ns bigint
);
CREATE INDEX risk_assessments_by_age ON risk_assessments (assessed_at_ns);

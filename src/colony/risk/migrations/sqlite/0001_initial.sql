-- Risk control: each assessment that did more than allow (or that a shadow rule would have
-- changed), beside its payment; the review queue's decisions. docs/adr/0055.
-- Never edit this file once released: change the schema in a new numbered file.

CREATE TABLE risk_assessments (
    payment_id TEXT PRIMARY KEY,  -- the ledger transfer id, u128 as decimal text
    channel TEXT NOT NULL,
    wallet_id TEXT NOT NULL,
    payee TEXT NOT NULL,
    amount_minor INTEGER NOT NULL,
    currency TEXT NOT NULL,
    decision INTEGER NOT NULL,  -- risk.Decision
    reasons TEXT NOT NULL,  -- risk.Reason names, space-separated
    shadow_reasons TEXT NOT NULL,
    score INTEGER NOT NULL,
    rules_version INTEGER NOT NULL,
    fallback INTEGER NOT NULL,  -- 1: decided by the fallback rules
    assessed_at_ns INTEGER NOT NULL,
    review_outcome TEXT,  -- approved, declined; NULL until an analyst decides
    reviewed_by TEXT,
    reviewed_at_ns INTEGER
);
CREATE INDEX risk_assessments_by_age ON risk_assessments (assessed_at_ns);

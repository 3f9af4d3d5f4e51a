-- Each outcome's subject's record of earlier loans (repaid on time, went overdue), as its
-- scorecard characteristic `repayment_record` stood at the decision: training learns what
-- the record says about default (docs/adr/0064). Zero and zero: no earlier loan.
-- Never edit this file once released: change the schema in a new numbered file.
ALTER TABLE credit_outcomes ADD COLUMN prior_repaid INTEGER NOT NULL DEFAULT 0 CHECK (prior_repaid >= 0);
ALTER TABLE credit_outcomes ADD COLUMN prior_overdue INTEGER NOT NULL DEFAULT 0 CHECK (prior_overdue >= 0);

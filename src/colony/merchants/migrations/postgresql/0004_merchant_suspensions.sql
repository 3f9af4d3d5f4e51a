-- Merchant suspensions on PostgreSQL: a merchant the operator suspended takes no payment (its
-- refunds still go back to payers) until it is reinstated (docs/adr/0114). One row per
-- suspended merchant; reinstating deletes it, and the staff audit log keeps who suspended
-- and reinstated it, when and why. Never edit this file once released: change the schema in
-- a new numbered file.

CREATE TABLE merchant_suspensions (
    merchant_id text COLLATE "C" PRIMARY KEY,
    reason text NOT NULL,
    suspended_at_ns bigint NOT NULL
);

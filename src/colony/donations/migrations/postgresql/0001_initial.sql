-- Donations on PostgreSQL: the causes wallets give to. What they gave is in the ledger.
-- Never edit this file once released: change the schema in a new numbered file.

CREATE TABLE causes (
    id text PRIMARY KEY,
    name text NOT NULL,
    currency text NOT NULL,
    ledger integer NOT NULL,
    account_id text NOT NULL,  -- u128 as decimal text
    created_at_ns bigint NOT NULL
);
CREATE INDEX causes_by_age ON causes (created_at_ns, id);

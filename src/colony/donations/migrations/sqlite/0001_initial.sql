-- Donations on SQLite: the causes wallets give to. What they gave is in the ledger.
-- Never edit this file once released: change the schema in a new numbered file.

CREATE TABLE causes (
    id TEXT PRIMARY KEY,
    name TEXT NOT NULL,
    currency TEXT NOT NULL,
    ledger INTEGER NOT NULL,
    account_id TEXT NOT NULL,  -- u128 as decimal text
    created_at_ns INTEGER NOT NULL
);
CREATE INDEX causes_by_age ON causes (created_at_ns, id);

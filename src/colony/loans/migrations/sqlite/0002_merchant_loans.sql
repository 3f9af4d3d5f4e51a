-- Loans to merchants on SQLite (docs/adr/0051): repaid from a share of each day's sales.
-- What is owed is in the ledger. Never edit this file once released.

CREATE TABLE merchant_loans (
    id TEXT PRIMARY KEY,
    account_id TEXT NOT NULL,  -- u128 as decimal text: the principal receivable
    merchant_id TEXT NOT NULL,
    merchant_account_id TEXT NOT NULL,
    lender TEXT NOT NULL,
    currency TEXT NOT NULL,
    ledger INTEGER NOT NULL,
    principal_minor INTEGER NOT NULL,
    fee_minor INTEGER NOT NULL,  -- charged once, when the loan is paid out
    share_bps INTEGER NOT NULL,  -- of each day's net sales, collected the day after
    made_day INTEGER NOT NULL,  -- UTC days since 1970-01-01
    status TEXT NOT NULL,
    created_at_ns INTEGER NOT NULL
);
CREATE INDEX merchant_loans_by_status ON merchant_loans (status, id);
CREATE INDEX merchant_loans_by_merchant ON merchant_loans (merchant_id, created_at_ns);

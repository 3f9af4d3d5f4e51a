-- Loans to merchants on PostgreSQL (docs/adr/0051): repaid from a share of each day's sales.
-- What is owed is in the ledger. Never edit this file once released.

CREATE TABLE merchant_loans (
    id text PRIMARY KEY,
    account_id text NOT NULL,  -- u128 as decimal text: the principal receivable
    merchant_id text NOT NULL,
    merchant_account_id text NOT NULL,
    lender text NOT NULL,
    currency text NOT NULL,
    ledger integer NOT NULL,
    principal_minor bigint NOT NULL,
    fee_minor bigint NOT NULL,  -- charged once, when the loan is paid out
    share_bps integer NOT NULL,  -- of each day's net sales, collected the day after
    made_day integer NOT NULL,  -- UTC days since 1970-01-01
    status text NOT NULL,
    created_at_ns bigint NOT NULL
);
CREATE INDEX merchant_loans_by_status ON merchant_loans (status, id);
CREATE INDEX merchant_loans_by_merchant ON merchant_loans (merchant_id, created_at_ns);

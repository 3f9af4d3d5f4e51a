-- Cash loans on PostgreSQL (docs/adr/0051): lenders, loans and their repayments. What is owed,
-- lent and earned is in the ledger. Never edit this file once released.

CREATE TABLE lenders (
    name text NOT NULL,  -- the funding partner's name
    currency text NOT NULL,
    ledger integer NOT NULL,
    income_share_bps integer NOT NULL,  -- the lender's share of interest paid
    bears_charge_offs text NOT NULL,  -- who bears a loan written off: 'house'
    created_at_ns bigint NOT NULL,
    PRIMARY KEY (name, currency)
);

CREATE TABLE loans (
    id text PRIMARY KEY,
    account_id text NOT NULL,  -- u128 as decimal text: the principal receivable
    wallet_id text NOT NULL,
    wallet_account_id text NOT NULL,
    lender text NOT NULL,
    product text NOT NULL,
    method text NOT NULL,
    currency text NOT NULL,
    ledger integer NOT NULL,
    principal_minor bigint NOT NULL,
    annual_rate_bps integer NOT NULL,
    disbursed_day integer NOT NULL,  -- UTC days since 1970-01-01
    due_days text NOT NULL,  -- each instalment's due day, comma-separated
    principal_parts text NOT NULL,
    interest_parts text NOT NULL,
    status text NOT NULL,
    charged_off_day integer,
    charged_off_minor bigint NOT NULL,
    created_at_ns bigint NOT NULL
);
CREATE INDEX loans_by_status ON loans (status, id);
CREATE INDEX loans_by_wallet ON loans (wallet_id, created_at_ns);

CREATE TABLE loan_repayments (
    id text PRIMARY KEY,
    loan_id text NOT NULL,
    transfer_id text NOT NULL,
    amount_minor bigint NOT NULL,
    interest_minor bigint NOT NULL,
    principal_minor bigint NOT NULL,
    recovery integer NOT NULL,
    automatic integer NOT NULL,
    created_at_ns bigint NOT NULL
);
CREATE INDEX loan_repayments_by_loan ON loan_repayments (loan_id, created_at_ns);

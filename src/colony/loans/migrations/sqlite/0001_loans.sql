-- Cash loans on SQLite (docs/adr/0051): lenders, loans and their repayments. What is owed,
-- lent and earned is in the ledger. Never edit this file once released.

CREATE TABLE lenders (
    name TEXT NOT NULL,  -- the funding partner's name
    currency TEXT NOT NULL,
    ledger INTEGER NOT NULL,
    income_share_bps INTEGER NOT NULL,  -- the lender's share of interest paid
    bears_charge_offs TEXT NOT NULL,  -- who bears a loan written off: 'house'
    created_at_ns INTEGER NOT NULL,
    PRIMARY KEY (name, currency)
);

CREATE TABLE loans (
    id TEXT PRIMARY KEY,
    account_id TEXT NOT NULL,  -- u128 as decimal text: the principal receivable
    wallet_id TEXT NOT NULL,
    wallet_account_id TEXT NOT NULL,
    lender TEXT NOT NULL,
    product TEXT NOT NULL,
    method TEXT NOT NULL,
    currency TEXT NOT NULL,
    ledger INTEGER NOT NULL,
    principal_minor INTEGER NOT NULL,
    annual_rate_bps INTEGER NOT NULL,
    disbursed_day INTEGER NOT NULL,  -- UTC days since 1970-01-01
    due_days TEXT NOT NULL,  -- each instalment's due day, comma-separated
    principal_parts TEXT NOT NULL,
    interest_parts TEXT NOT NULL,
    status TEXT NOT NULL,
    charged_off_day INTEGER,
    charged_off_minor INTEGER NOT NULL,
    created_at_ns INTEGER NOT NULL
);
CREATE INDEX loans_by_status ON loans (status, id);
CREATE INDEX loans_by_wallet ON loans (wallet_id, created_at_ns);

CREATE TABLE loan_repayments (
    id TEXT PRIMARY KEY,
    loan_id TEXT NOT NULL,
    transfer_id TEXT NOT NULL,
    amount_minor INTEGER NOT NULL,
    interest_minor INTEGER NOT NULL,
    principal_minor INTEGER NOT NULL,
    recovery INTEGER NOT NULL,
    automatic INTEGER NOT NULL,
    created_at_ns INTEGER NOT NULL
);
CREATE INDEX loan_repayments_by_loan ON loan_repayments (loan_id, created_at_ns);

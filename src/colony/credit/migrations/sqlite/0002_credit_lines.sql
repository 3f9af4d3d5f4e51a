-- The pay-later credit line on SQLite (docs/adr/0052): one line per wallet and currency, with
-- its state by the bill's rules as of the last day run (JSON), and the instalment plans
-- asked for. Its money is in the ledger.
-- Never edit this file once released: change the schema in a new numbered file.

CREATE TABLE credit_lines (
    id TEXT PRIMARY KEY,
    wallet_id TEXT NOT NULL,
    currency TEXT NOT NULL,
    ledger INTEGER NOT NULL,
    principal_account_id TEXT NOT NULL,  -- u128 as decimal text
    due_day INTEGER NOT NULL CHECK (due_day IN (8, 9, 10)),
    lender TEXT NOT NULL,
    opened_at_ns INTEGER NOT NULL,
    limit_changes INTEGER NOT NULL,
    model TEXT NOT NULL,
    UNIQUE (wallet_id, currency)
);
CREATE INDEX credit_lines_by_principal ON credit_lines (principal_account_id);

CREATE TABLE credit_line_plans (
    id TEXT PRIMARY KEY,
    line_id TEXT NOT NULL,
    amount_minor INTEGER NOT NULL,
    instalments INTEGER NOT NULL,
    asked_at_ns INTEGER NOT NULL,
    status TEXT NOT NULL CHECK (status IN ('asked', 'made', 'refused')),
    what TEXT NOT NULL CHECK (what IN ('purchase', 'bill'))
);
CREATE INDEX credit_line_plans_by_line ON credit_line_plans (line_id, asked_at_ns, id);

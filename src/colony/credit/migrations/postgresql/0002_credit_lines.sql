-- The pay-later credit line on PostgreSQL (docs/adr/0052): one line per wallet and currency, with
-- its state by the bill's rules as of the last day run (JSON), and the instalment plans
-- asked for. Its money is in the ledger.
-- Never edit this file once released: change the schema in a new numbered file.

CREATE TABLE credit_lines (
    id text PRIMARY KEY,
    wallet_id text NOT NULL,
    currency text NOT NULL,
    ledger integer NOT NULL,
    principal_account_id text NOT NULL,  -- u128 as decimal text
    due_day integer NOT NULL CHECK (due_day IN (8, 9, 10)),
    lender text NOT NULL,
    opened_at_ns bigint NOT NULL,
    limit_changes bigint NOT NULL,
    model text NOT NULL,
    UNIQUE (wallet_id, currency)
);
CREATE INDEX credit_lines_by_principal ON credit_lines (principal_account_id);

CREATE TABLE credit_line_plans (
    id text PRIMARY KEY,
    line_id text NOT NULL,
    amount_minor bigint NOT NULL,
    instalments integer NOT NULL,
    asked_at_ns bigint NOT NULL,
    status text NOT NULL CHECK (status IN ('asked', 'made', 'refused')),
    what text NOT NULL CHECK (what IN ('purchase', 'bill'))
);
CREATE INDEX credit_line_plans_by_line ON credit_line_plans (line_id, asked_at_ns, id);

-- Merchant users on PostgreSQL: who signs in to a merchant's portal (its owner and
-- cashiers), and why each refund made there was made. Never edit this file once released:
-- change the schema in a new numbered file.

CREATE TABLE merchant_users (
    id text PRIMARY KEY,  -- "mus_" + hex
    merchant_id text NOT NULL,
    phone text NOT NULL UNIQUE,  -- E.164: sign-in texts a code to it; one user per number
    email text,
    name text NOT NULL,
    role text NOT NULL,  -- owner | cashier
    created_at_ns bigint NOT NULL
);
CREATE INDEX merchant_users_by_merchant ON merchant_users (merchant_id, created_at_ns);

CREATE TABLE refund_reasons (
    refund_id text PRIMARY KEY,  -- the refund's ledger transfer id, u128 as decimal text
    merchant_id text NOT NULL,
    payment_id text NOT NULL,  -- u128 as decimal text
    user_id text NOT NULL,  -- the merchant user who asked for it
    amount_minor bigint NOT NULL,
    reason text NOT NULL,
    created_at_ns bigint NOT NULL
);
CREATE INDEX refund_reasons_by_payment ON refund_reasons (payment_id);

-- Payment records and refunds on PostgreSQL.
--
-- Until each package kept its own migrations, this was part of
-- postgresql/0002_wallets_merchants_payments_api.sql, word for word; databases that applied
-- that file record this one in its place (docs/adr/0024). Never edit this file once released:
-- change the schema in a new numbered file.

CREATE TABLE payments (
    seq bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
    id text NOT NULL UNIQUE,  -- the ledger transfer id, u128 as decimal text
    merchant_id text NOT NULL,
    wallet_id text NOT NULL,
    amount_minor bigint NOT NULL,
    currency text NOT NULL,
    method text NOT NULL,
    capture_method text NOT NULL,
    description text,
    reference text,
    created_at_ns bigint NOT NULL
);
CREATE INDEX payments_by_merchant ON payments (merchant_id, seq);
CREATE INDEX payments_by_wallet ON payments (wallet_id, seq);
CREATE TABLE payment_refunds (
    seq bigint GENERATED ALWAYS AS IDENTITY,
    id text PRIMARY KEY,       -- the refund's ledger transfer id
    payment_id text NOT NULL,
    amount_minor bigint NOT NULL,
    created_at_ns bigint NOT NULL
);
CREATE INDEX payment_refunds_by_payment ON payment_refunds (payment_id, seq);

-- Funding partners, top-ups and withdrawals on PostgreSQL: the first schema of wallets.
--
-- Until each package kept its own migrations, this was part of postgresql/0001_initial.sql,
-- word for word; databases that applied that file record this one in its place
-- (docs/adr/0024). "IF NOT EXISTS" is kept so that a database made before migrations existed
-- adopts it. Never edit this file once released: change the schema in a new numbered file.

-- Funding partners, top-ups and withdrawals
CREATE TABLE IF NOT EXISTS funding_partners (
    name text NOT NULL,
    currency text NOT NULL,
    kind text NOT NULL,
    created_at_ns bigint NOT NULL,
    PRIMARY KEY (name, currency)
);
CREATE TABLE IF NOT EXISTS funding_movements (
    id text PRIMARY KEY,
    kind text NOT NULL,
    wallet_id text NOT NULL,
    partner text NOT NULL,
    amount_minor bigint NOT NULL,
    currency text NOT NULL,
    transfer_id text NOT NULL,  -- u128 as decimal text
    created_at_ns bigint NOT NULL
);

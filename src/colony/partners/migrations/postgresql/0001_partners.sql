-- Partner wallets as tenants, and which partner each wallet and merchant belongs to (a
-- wallet or merchant with no row here belongs to the house, the platform itself).

CREATE TABLE partners (
    id text PRIMARY KEY,
    name text NOT NULL,
    brand text NOT NULL,
    country text NOT NULL,   -- ISO 3166-1 alpha-2
    currency text NOT NULL,  -- ISO 4217
    created_at_ns bigint NOT NULL
);
CREATE TABLE partner_members (
    kind text NOT NULL,        -- "wallet" or "merchant"
    member_id text NOT NULL,
    partner_id text NOT NULL,
    PRIMARY KEY (kind, member_id)
);
CREATE INDEX partner_members_by_partner ON partner_members (partner_id, kind, member_id);

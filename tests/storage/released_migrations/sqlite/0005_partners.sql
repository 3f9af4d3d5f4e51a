-- Partner wallets as tenants, and which partner each wallet and merchant belongs to (a
-- wallet or merchant with no row here belongs to the house, the platform itself).

CREATE TABLE partners (
    id TEXT PRIMARY KEY,
    name TEXT NOT NULL,
    brand TEXT NOT NULL,
    country TEXT NOT NULL,   -- ISO 3166-1 alpha-2
    currency TEXT NOT NULL,  -- ISO 4217
    created_at_ns INTEGER NOT NULL
);
CREATE TABLE partner_members (
    kind TEXT NOT NULL,        -- "wallet" or "merchant"
    member_id TEXT NOT NULL,
    partner_id TEXT NOT NULL,
    PRIMARY KEY (kind, member_id)
);
CREATE INDEX partner_members_by_partner ON partner_members (partner_id, kind, member_id);

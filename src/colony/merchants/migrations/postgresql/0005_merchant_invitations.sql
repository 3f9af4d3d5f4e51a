-- Cashiers an owner added whose number or email address already signs in to another shop
-- (docs/adr/0115): kept as the owner typed them and listed as waiting for a first sign-in,
-- exactly as a new cashier who has not signed in yet is, so the portal tells no owner which
-- numbers belong to other shops. Removing one marks its row. Never edit this file once
-- released: change the schema in a new numbered file.

CREATE TABLE merchant_invitations (
    id text PRIMARY KEY,  -- "mus_" + hex, as a user's
    merchant_id text NOT NULL,
    phone text NOT NULL,
    email text,
    name text NOT NULL,
    role text NOT NULL,
    created_at_ns bigint NOT NULL,
    removed_at_ns bigint  -- set when the owner removes it: kept, so its holder is texted once a day
);
CREATE INDEX merchant_invitations_by_merchant ON merchant_invitations (merchant_id, created_at_ns);
CREATE INDEX merchant_invitations_by_phone ON merchant_invitations (phone, created_at_ns);

-- Money requests on SQLite: a wallet asks a phone number for an amount; the payer pays it
-- (a P2P transfer, whose id is the request's own) or declines it. Never edit this file once
-- released: change the schema in a new numbered file.

CREATE TABLE money_requests (
    id TEXT PRIMARY KEY,  -- "mrq_" + a time-ordered id
    requester_wallet TEXT NOT NULL,
    payer_phone TEXT NOT NULL,  -- E.164
    currency TEXT NOT NULL,
    amount_minor INTEGER NOT NULL,
    note TEXT NOT NULL,
    status TEXT NOT NULL,  -- open | paid | declined | cancelled
    transfer_id TEXT NOT NULL,  -- the P2P transfer that pays it, as 32 hex digits
    created_at_ns INTEGER NOT NULL,
    settled_at_ns INTEGER NOT NULL  -- 0 while open
);
CREATE INDEX money_requests_to_payer ON money_requests (payer_phone, currency, status, id);
CREATE INDEX money_requests_by_requester ON money_requests (requester_wallet, id);

-- Wallet freezes on SQLite: a wallet the operator froze may receive money and be read, never
-- send it (docs/adr/0039). One row per frozen wallet; lifting the freeze deletes it, and the
-- staff audit log keeps who froze and lifted it, when and why. Never edit this file once
-- released: change the schema in a new numbered file.

CREATE TABLE wallet_freezes (
    wallet_id TEXT PRIMARY KEY,
    reason TEXT NOT NULL,
    frozen_at_ns INTEGER NOT NULL
);

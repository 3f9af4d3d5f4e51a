-- Keys listed by their owner (a merchant's restricted keys), as on PostgreSQL.

CREATE INDEX api_keys_by_owner ON api_keys (kind, owner_id);

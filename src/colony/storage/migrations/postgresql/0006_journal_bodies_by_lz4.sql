-- A journal row holds a whole batch (about 1 MB for 8,190 transfers). PostgreSQL compressed it
-- with pglz inside every commit: 13-15 ms a commit, against 2.4-2.9 ms with lz4 (at about the
-- same size) and 4.6-5.4 ms stored as it is (seven times the size) (docs/adr/0091). lz4 where
-- the server has it (PostgreSQL 14 and later, built with lz4); out of line and uncompressed
-- where it does not. Rows already written keep their compression.
DO $$
BEGIN
    -- A server older than 14 cannot even parse SET COMPRESSION: it takes the fallback below,
    -- as one built without lz4 does, and the statements go by EXECUTE so it never parses them.
    IF current_setting('server_version_num')::int < 140000 THEN
        RAISE EXCEPTION USING ERRCODE = 'feature_not_supported';
    END IF;
    EXECUTE 'ALTER TABLE ledger_journal ALTER COLUMN body SET COMPRESSION lz4';
    EXECUTE 'ALTER TABLE ledger_journal ALTER COLUMN results SET COMPRESSION lz4';
EXCEPTION WHEN feature_not_supported THEN
    ALTER TABLE ledger_journal ALTER COLUMN body SET STORAGE EXTERNAL;
    ALTER TABLE ledger_journal ALTER COLUMN results SET STORAGE EXTERNAL;
END
$$;

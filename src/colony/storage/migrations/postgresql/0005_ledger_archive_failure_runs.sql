-- Ids burned by a transient failure become a third index of sorted runs in
-- ledger_archive_runs / ledger_archive_pages (kind 2: id, the timestamp it failed at;
-- docs/adr/0076), not a row each. The rows go, and so does the watermark: a checkpoint that
-- counted on them is passed over and the history is written again from the journal on open.
DROP TABLE ledger_archive_failures;
DELETE FROM colony_meta WHERE key = 'ledger_archived_through';

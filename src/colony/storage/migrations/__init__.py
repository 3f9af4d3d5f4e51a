"""The storage engine's own schema (the ledger's journal), as numbered SQL files per backend.

Every package that keeps tables ships its migrations the same way, in
`colony/<package>/migrations/sqlite/` and `.../postgresql/`; the runner finds them all
(storage/migration_plan.py). To change a package's schema, add its next file
(`0002_what_it_does.sql`) to each backend's folder it concerns, never edit a released one:
databases record each file's checksum and refuse one that changed. Then regenerate the
committed snapshots (tests/storage/schema_snapshot.py says how). Stores apply pending files
when they open; `colony db upgrade` applies them on demand.
"""

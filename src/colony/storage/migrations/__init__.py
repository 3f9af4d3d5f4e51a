"""Colony's schema, as numbered SQL files per backend: `sqlite/` and `postgresql/`.

To change the schema, add the next file (`0002_what_it_does.sql`) to each backend's folder,
never edit a released one: databases record each file's checksum and refuse one that changed.
Then regenerate the committed snapshots (tests/storage/schema_snapshot.py says how).
Stores apply pending files when they open; `colony db upgrade` applies them on demand.
"""

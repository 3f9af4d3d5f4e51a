"""The schema a database has, in a normalised text form, and the committed snapshots of it.

Each package that ships migrations keeps the snapshot of its own tables in its own tests
folder, `tests/<package>/schema_{sqlite,postgresql}.txt` (the engine's, with the ledger's
journal and the runner's `schema_migrations`, in `tests/storage/`), so that adding a product
adds its snapshots beside its tests and changes nobody else's. Regenerate them all after adding
a migration (needs the test PostgreSQL server):

    .venv/bin/python -m tests.storage.schema_snapshot

Each snapshot begins with the SHA-256 of every migration file the package ships, so that
editing a released migration (even only a comment, which would make every database made with
it refuse to open) shows up as a diff too. Then one block per table (its columns in order, then
its constraints) and one line per index. SQLite's form is its own DDL text without comments and
with whitespace collapsed; PostgreSQL's comes from the catalogue. A table belongs to the package
whose migration creates it.
"""

from __future__ import annotations

import difflib
import re
import sqlite3
import sys
import tempfile
import time
from contextlib import closing
from pathlib import Path

import psycopg

from colony.storage.migration_plan import ENGINE, shipped
from colony.storage.postgres_databases import create_fresh_database, drop_database
from colony.storage.schema_upgrade import upgrade

TESTS = Path(__file__).resolve().parents[1]
REGENERATE = ".venv/bin/python -m tests.storage.schema_snapshot"
# Tables no migration creates: the runner makes its record of applied migrations itself.
RUNNER_TABLES = {"schema_migrations": ENGINE}
_CREATE_TABLE = re.compile(r"\bCREATE\s+TABLE\s+(?:IF\s+NOT\s+EXISTS\s+)?(\w+)", re.IGNORECASE)
# How many lines of a snapshot's diff a failure shows.
diff_lines_max = 40

# The normalised schema as (table, lines) entries: a table's block, or an index of a table.
Entries = list[tuple[str, list[str]]]


def backend_of(url: str) -> str:
    return "postgresql" if url.startswith(("postgresql:", "postgres:")) else "sqlite"


def snapshot_file(package: str, backend: str) -> Path:
    """Where the snapshot of `package`'s tables on `backend` is kept: its own tests folder."""
    return TESTS / package / f"schema_{backend}.txt"


def committed(backend: str) -> dict[str, Path]:
    """The snapshot files in the tests folders, by the package each folder is named after."""
    return {path.parent.name: path for path in sorted(TESTS.glob(f"*/schema_{backend}.txt"))}


def owners(backend: str) -> dict[str, str]:
    """{table: package} from the tables each package's migrations create."""
    found = dict(RUNNER_TABLES)
    for migration in shipped(backend):
        for table in _CREATE_TABLE.findall(re.sub(r"--[^\n]*", "", migration.sql)):
            owner = found.setdefault(table, migration.package)
            assert owner == migration.package, f"{migration.label} creates {owner}'s {table}"
    return found


def snapshots(url: str) -> dict[str, str]:
    """{package: the normalised schema of its tables} in the database at `url`, each headed by
    the checksums of the package's shipped migrations."""
    backend = backend_of(url)
    if backend == "postgresql":
        with psycopg.connect(url) as conn:
            entries = postgres_schema(conn)
    else:
        with closing(sqlite3.connect(url.removeprefix("sqlite:///"))) as db:
            entries = sqlite_schema(db)
    owner = owners(backend)
    unowned = sorted({table for table, _ in entries} - set(owner))
    assert not unowned, f"tables no package's migrations create: {unowned}"
    texts: dict[str, list[str]] = {}
    for m in shipped(backend):
        header = f"-- Colony schema of {m.package} on {backend}, regenerate with: {REGENERATE}"
        lines = texts.setdefault(m.package, [header])
        lines.append(f"-- migration {m.label} sha256 {m.checksum}")
    for table, lines in entries:
        texts[owner[table]] += lines
    return {package: "\n".join(lines) + "\n" for package, lines in texts.items()}


def drift(url: str) -> list[str]:
    """How the migrated schema at `url` differs from the committed snapshots, package by
    package, naming each file; empty when every package's matches."""
    backend = backend_of(url)
    made, kept = snapshots(url), committed(backend)
    found = [
        f"{package}: {_shown(kept[package])} is the snapshot of a package with no migrations; "
        "remove it"
        for package in sorted(set(kept) - set(made))
    ]
    for package, text in made.items():
        path = kept.get(package)
        if path is None:
            found.append(
                f"{package}: no snapshot {_shown(snapshot_file(package, backend))}; "
                f"make it with: {REGENERATE}"
            )
        elif text != path.read_text():
            diff = difflib.unified_diff(
                path.read_text().splitlines(),
                text.splitlines(),
                _shown(path),
                "migrated",
                n=1,
                lineterm="",
            )
            found.append(
                f"{package}: the migrated schema differs from {_shown(path)}. Never edit a "
                "released migration: add a new numbered one. Then regenerate the snapshots "
                f"with: {REGENERATE}\n" + "\n".join(list(diff)[:diff_lines_max])
            )
    return found


def _shown(path: Path) -> str:
    return str(path.relative_to(TESTS.parent))


def sqlite_schema(db: sqlite3.Connection) -> Entries:
    entries: Entries = []
    rows = db.execute(
        "SELECT type, name, tbl_name, sql FROM sqlite_master"
        " WHERE sql IS NOT NULL AND name NOT LIKE 'sqlite_%' ORDER BY type DESC, name"
    ).fetchall()
    for kind, name, table, ddl in rows:
        text = " ".join(re.sub(r"--[^\n]*", "", ddl).split())
        if kind == "table":
            body = text[text.index("(") + 1 : text.rindex(")")]
            parts = [f"    {part}" for part in _top_level_parts(body)]
            entries.append((table, [f"table {name}", *parts]))
        else:
            entries.append((table, [f"{kind} {name}: {text}"]))
    return entries


def _top_level_parts(body: str) -> list[str]:
    """`a INTEGER, b TEXT, PRIMARY KEY (a, b)` -> its three parts (commas inside () kept)."""
    parts, depth, start = [], 0, 0
    for i, char in enumerate(body):
        depth += {"(": 1, ")": -1}.get(char, 0)
        if char == "," and depth == 0:
            parts.append(body[start:i].strip())
            start = i + 1
    parts.append(body[start:].strip())
    return parts


def postgres_schema(conn: psycopg.Connection[tuple[object, ...]]) -> Entries:
    columns = conn.execute(
        "SELECT c.relname, a.attname, format_type(a.atttypid, a.atttypmod), a.attnotnull,"
        " pg_get_expr(d.adbin, d.adrelid), a.attidentity"
        " FROM pg_attribute a JOIN pg_class c ON c.oid = a.attrelid"
        " LEFT JOIN pg_attrdef d ON d.adrelid = a.attrelid AND d.adnum = a.attnum"
        " WHERE c.relnamespace = current_schema()::regnamespace AND c.relkind = 'r'"
        " AND a.attnum > 0 AND NOT a.attisdropped ORDER BY c.relname, a.attnum"
    ).fetchall()
    constraints = conn.execute(
        "SELECT conrelid::regclass::text, conname, pg_get_constraintdef(oid) FROM pg_constraint"
        " WHERE connamespace = current_schema()::regnamespace AND contype IN ('p', 'u', 'c', 'f')"
        " ORDER BY 1, 2"
    ).fetchall()
    indexes = conn.execute(
        "SELECT tablename, indexname, indexdef FROM pg_indexes WHERE schemaname = current_schema()"
        " AND indexname NOT IN (SELECT conname FROM pg_constraint"
        "   WHERE connamespace = current_schema()::regnamespace) ORDER BY indexname"
    ).fetchall()
    schema_row = conn.execute("SELECT current_schema()").fetchone()
    assert schema_row is not None
    qualified = f"{schema_row[0]}."
    identity = {"a": " GENERATED ALWAYS AS IDENTITY", "d": " GENERATED BY DEFAULT AS IDENTITY"}
    entries: Entries = []
    tables = sorted({str(row[0]) for row in columns})
    for table in tables:
        lines = [f"table {table}"]
        for _, column, sql_type, not_null, default, ident in (r for r in columns if r[0] == table):
            line = f"    {column} {sql_type}{' NOT NULL' if not_null else ''}"
            line += f" DEFAULT {default}" if default is not None else ""
            lines.append(line + identity.get(str(ident), ""))
        for _, name, definition in (r for r in constraints if r[0] == table):
            lines.append(f"    CONSTRAINT {name} {definition}")
        entries.append((table, lines))
    for table, name, definition in indexes:
        entries.append((str(table), [f"index {name}: {str(definition).replace(qualified, '')}"]))
    return entries


def write(url: str) -> None:
    """Write every package's snapshot on the backend of `url`, a freshly migrated database."""
    for package, text in snapshots(url).items():
        path = snapshot_file(package, backend_of(url))
        path.parent.mkdir(exist_ok=True)
        path.write_text(text)
        print(f"wrote {_shown(path)}")


def main() -> None:
    """Write the snapshots of every package on both backends from freshly migrated databases."""
    from tests.conftest import POSTGRES_SERVER_URL

    with tempfile.TemporaryDirectory() as tmp:
        url = f"sqlite:///{tmp}/colony.db"
        upgrade(url)
        write(url)
    url, name = create_fresh_database(POSTGRES_SERVER_URL, "colony_schema", now_s=time.time())
    try:
        upgrade(url)
        write(url)
    finally:
        drop_database(POSTGRES_SERVER_URL, name)


if __name__ == "__main__":
    sys.exit(main())

"""Every package's migration files are shipped in the built package, not only in a checkout."""

from __future__ import annotations

import tomllib
from fnmatch import fnmatch
from pathlib import Path

from colony.storage.migration_plan import BACKENDS

ROOT = Path(__file__).resolve().parents[2]
COLONY = ROOT / "src" / "colony"


def test_the_package_data_globs_cover_every_migration_file() -> None:
    config = tomllib.loads((ROOT / "pyproject.toml").read_text())
    globs = config["tool"]["setuptools"]["package-data"]["colony"]
    files = [path.relative_to(COLONY).as_posix() for path in COLONY.rglob("*.sql")]

    # Where the runner looks (storage/migration_plan.py): a package's own folder, per backend.
    assert [f for f in files if not fnmatch(f, "*/migrations/*/*.sql")] == []
    assert {Path(f).parts[2] for f in files} == set(BACKENDS)
    assert all(len(Path(f).parts) == 4 for f in files)

    assert {
        "storage/migrations/sqlite/0001_journal.sql",
        "storage/migrations/postgresql/0001_journal.sql",
        "wallets/migrations/sqlite/0001_initial.sql",
        "payments/migrations/postgresql/0001_initial.sql",
    } <= set(files)
    assert [f for f in files if not any(fnmatch(f, glob) for glob in globs)] == []

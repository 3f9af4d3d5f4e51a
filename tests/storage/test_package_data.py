"""Every migration file is shipped in the built package, not only found in a checkout."""

from __future__ import annotations

import tomllib
from fnmatch import fnmatch
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]
MIGRATIONS = ROOT / "src" / "colony" / "storage" / "migrations"


def test_the_package_data_globs_cover_every_migration_file() -> None:
    config = tomllib.loads((ROOT / "pyproject.toml").read_text())
    globs = config["tool"]["setuptools"]["package-data"]["colony.storage.migrations"]
    files = [path.relative_to(MIGRATIONS).as_posix() for path in MIGRATIONS.rglob("*.sql")]

    assert {"sqlite/0001_initial.sql", "postgresql/0001_initial.sql"} <= set(files)
    assert [f for f in files if not any(fnmatch(f, glob) for glob in globs)] == []

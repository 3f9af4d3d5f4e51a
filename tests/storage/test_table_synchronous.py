"""A table store's SQLite `synchronous` setting: FULL unless a bulk build asks for less."""

from __future__ import annotations

from pathlib import Path

import pytest

from colony.kernel.errors import InvalidInput
from colony.storage.open import open_tables


def _setting(url: str, synchronous: str | None = None) -> int:
    tables = (
        open_tables(url, "test")
        if synchronous is None
        else open_tables(url, "test", synchronous=synchronous)
    )
    try:
        with tables.session() as db:
            return int(db.execute("PRAGMA synchronous").fetchone()[0])
    finally:
        tables.close()


def test_sqlite_tables_are_full_unless_asked(tmp_path: Path) -> None:
    url = f"sqlite:///{tmp_path / 'db.sqlite'}"
    assert _setting(url) == 2  # FULL
    assert _setting(url, "NORMAL") == 1
    with pytest.raises(ValueError, match="synchronous must be one of"):
        _setting(url, "NORMAL; DROP TABLE x")


def test_postgresql_refuses_less_than_durable() -> None:
    with pytest.raises(InvalidInput, match="PostgreSQL commits are always durable"):
        open_tables("postgresql://postgres@127.0.0.1/none", "test", synchronous="NORMAL")

"""A SQLite path that cannot be opened as a database (another kind of file, a directory, a
folder that cannot be made) is reported as storage unavailable, naming the file and why,
whichever opens it first: the ledger's journal, a table store or the writer's election."""

from __future__ import annotations

from pathlib import Path

import pytest

from colony.kernel.clock import ManualClock
from colony.kernel.errors import StorageUnavailable
from colony.storage.open import open_ledger, open_tables, try_open_writer


def unopenable(tmp_path: Path, kind: str) -> Path:
    """A database path of the kind named; tests/cli reuse it."""
    if kind == "not_sqlite":
        path = tmp_path / "garbage.db"
        path.write_bytes(b"not a database, only bytes\n" * 200)
    elif kind == "directory":
        path = tmp_path / "folder.db"
        path.mkdir()
    else:  # a folder that cannot be made: its parent is a file
        (tmp_path / "file").write_text("")
        path = tmp_path / "file" / "colony.db"
    return path


KINDS = {
    "not_sqlite": "file is not a database",
    "directory": "it is a directory",
    "unmakeable_folder": "file is not a directory",
}


@pytest.mark.parametrize(("kind", "why"), KINDS.items())
def test_every_opening_names_the_file_and_why(tmp_path: Path, kind: str, why: str) -> None:
    path = unopenable(tmp_path, kind)
    url = f"sqlite:///{path}"
    openings = (
        lambda: open_ledger(url),
        lambda: open_tables(url, "test"),
        lambda: try_open_writer(url, ManualClock()),
    )
    for opening in openings:
        with pytest.raises(StorageUnavailable) as raised:
            opening()
        assert str(path) in str(raised.value) and why in str(raised.value)

"""A SQLite database, the files beside it, its checkpoints and its backups are their owner's
alone (0600, folders 0700), whatever the process's umask: they hold balances, phone numbers
and key digests."""

from __future__ import annotations

import os
import stat
from collections.abc import Iterator
from pathlib import Path

import pytest

from colony.kernel.clock import ManualClock
from colony.ledger import Account
from colony.ledger.checkpoint import CheckpointPolicy
from colony.storage.backup import backup, restore
from colony.storage.checkpoint_files import checkpoint_folder
from colony.storage.open import open_ledger


@pytest.fixture
def permissive_umask() -> Iterator[None]:
    """The usual 022: left to it, every new file would be readable by everyone."""
    before = os.umask(0o022)
    try:
        yield
    finally:
        os.umask(before)


def _mode(path: Path) -> int:
    return stat.S_IMODE(path.stat().st_mode)


def test_the_database_its_companions_checkpoints_and_backups_are_the_owners(
    tmp_path: Path, permissive_umask: None
) -> None:
    db = tmp_path / "data" / "colony.db"
    url = f"sqlite:///{db}"
    never_on_a_timer = CheckpointPolicy(every_events=0, every_s=0, on_close_events_min=0)
    ledger = open_ledger(url, clock=ManualClock(), auto_pulse=False, checkpoints=never_on_a_timer)
    try:
        assert [r.name for r in ledger.create_accounts([Account(1, 702, 1)])] == ["ok"]
        ledger.checkpoint()
        companions = [db.with_name(db.name + s) for s in ("-wal", "-shm")]
        assert all(p.exists() for p in companions)
        for path in [db, *companions]:
            assert _mode(path) == 0o600, path
        folder = checkpoint_folder(db)
        assert _mode(folder) == 0o700
        written = list(folder.iterdir())
        assert written and all(_mode(p) == 0o600 for p in written), written
    finally:
        ledger.close()
    copy = tmp_path / "backup.db"
    backup(url, copy)
    assert _mode(copy) == 0o600
    restored = tmp_path / "restored.db"
    restore(copy, f"sqlite:///{restored}")
    assert _mode(restored) == 0o600


def test_an_existing_file_keeps_the_mode_its_operator_gave_it(
    tmp_path: Path, permissive_umask: None
) -> None:
    db = tmp_path / "colony.db"
    db.touch(mode=0o640)
    ledger = open_ledger(f"sqlite:///{db}", clock=ManualClock(), auto_pulse=False)
    ledger.close()
    assert _mode(db) == 0o640

"""Bad input and broken storage: clear errors, nothing half-applied, nothing acknowledged lost."""

from __future__ import annotations

import sqlite3
from pathlib import Path

import pytest

from colony.kernel.clock import ManualClock
from colony.kernel.errors import InvalidInput, StorageUnavailable
from colony.ledger import Account, Transfer, batch_events_max
from colony.ledger.service import JournalReplayMismatch
from colony.storage.open import open_ledger
from colony.storage.sqlite_journal import JournalCorrupt


def _ledger(tmp_path: Path):  # type: ignore[no-untyped-def]
    ledger = open_ledger(f"sqlite:///{tmp_path}/j.db", clock=ManualClock(), auto_pulse=False)
    assert not any(ledger.create_accounts([Account(1, 1, 1), Account(2, 1, 1)]))
    return ledger


@pytest.mark.parametrize(
    ("transfer", "says"),
    [
        (Transfer(1, 1, 2, -5, 1, 1), "transfer 0: amount must be an unsigned 128-bit integer"),
        (Transfer(1, 1, 2, 2**128, 1, 1), "amount must be an unsigned 128-bit integer"),
        (Transfer(1, 1, 2, 1.5, 1, 1), "amount must be an integer, not float"),  # type: ignore[arg-type]
        (Transfer(1, 1, 2, 5, 2**32, 1), "ledger must be an unsigned 32-bit integer"),
        (Transfer(1, 1, 2, 5, 1, 1, user_data_64=2**64), "user_data_64 must be an unsigned 64"),
    ],
)
def test_out_of_range_fields_are_refused_whole(
    tmp_path: Path, transfer: Transfer, says: str
) -> None:
    ledger = _ledger(tmp_path)
    try:
        good = Transfer(9, 1, 2, 5, 1, 1)
        with pytest.raises(InvalidInput, match=says):
            ledger.create_transfers([good, transfer] if "transfer 0" not in says else [transfer])
        assert ledger.lookup_transfers([9]) == []  # the good event of the batch is not applied
        assert ledger.lookup_accounts([1])[0].debits_posted == 0
    finally:
        ledger.close()


def test_batch_size_is_bounded(tmp_path: Path) -> None:
    ledger = _ledger(tmp_path)
    try:
        too_many = [Transfer(i + 1, 1, 2, 1, 1, 1) for i in range(batch_events_max + 1)]
        with pytest.raises(InvalidInput, match="at most 8190 events"):
            ledger.create_transfers(too_many)
    finally:
        ledger.close()


def test_corrupt_journal_row_is_detected(tmp_path: Path) -> None:
    ledger = _ledger(tmp_path)
    ledger.create_transfers([Transfer(9, 1, 2, 5, 1, 1)])
    ledger.close()
    db = sqlite3.connect(tmp_path / "j.db")
    db.execute("UPDATE ledger_journal SET body = zeroblob(length(body)) WHERE seq = 2")
    db.commit()
    db.close()
    with pytest.raises(JournalCorrupt, match="entry 2 fails its checksum"):
        open_ledger(f"sqlite:///{tmp_path}/j.db")


def test_tampered_results_are_detected_on_replay(tmp_path: Path) -> None:
    ledger = _ledger(tmp_path)
    ledger.create_transfers([Transfer(9, 1, 2, 5, 1, 1)])
    ledger.close()
    db = sqlite3.connect(tmp_path / "j.db")
    db.execute("UPDATE ledger_journal SET results = x'42' WHERE seq = 2")
    db.commit()
    db.close()
    with pytest.raises(JournalReplayMismatch, match="entry 2"):
        open_ledger(f"sqlite:///{tmp_path}/j.db")


def test_failed_commit_stops_the_ledger_and_loses_nothing_acknowledged(tmp_path: Path) -> None:
    ledger = _ledger(tmp_path)
    assert not any(ledger.create_transfers([Transfer(9, 1, 2, 5, 1, 1)]))
    # Break the storage for real: the journal's connection goes away under the writer.
    ledger._journal._db.close()  # type: ignore[attr-defined]
    with pytest.raises(StorageUnavailable, match="not durable"):
        ledger.create_transfers([Transfer(10, 1, 2, 7, 1, 1)])
    with pytest.raises(StorageUnavailable, match="stopped"):
        ledger.create_transfers([Transfer(11, 1, 2, 7, 1, 1)])
    with pytest.raises(StorageUnavailable):
        ledger.lookup_accounts([1])  # memory ran ahead of the journal: no reads from it
    ledger.close()
    reopened = open_ledger(f"sqlite:///{tmp_path}/j.db")
    try:
        assert [t.id for t in reopened.lookup_transfers([9, 10, 11])] == [9]
        assert reopened.lookup_accounts([2])[0].credits_posted == 5
    finally:
        reopened.close()

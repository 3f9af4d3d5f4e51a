"""Bad input and broken storage: clear errors, nothing half-applied, nothing acknowledged lost."""

from __future__ import annotations

import sqlite3
from urllib.parse import urlparse

import psycopg
import pytest

from colony.kernel.clock import ManualClock
from colony.kernel.errors import InvalidInput, StorageUnavailable
from colony.ledger import Account, Transfer, batch_events_max
from colony.ledger.service import JournalReplayMismatch
from colony.storage.journal_rows import JournalCorrupt
from colony.storage.open import open_ledger, sqlite_path

# The same damage in each backend's SQL, to the entry of the first transfer batch: entry 1
# records the ledger rules, entry 2 the accounts (see `_ledger`).
ZERO_BODY = {
    "sqlite": "UPDATE ledger_journal SET body = zeroblob(length(body)) WHERE seq = 3",
    "postgresql": "UPDATE ledger_journal SET body = decode(repeat('00', length(body)), 'hex')"
    " WHERE seq = 3",
}
TAMPER_RESULTS = {
    "sqlite": "UPDATE ledger_journal SET results = x'42' WHERE seq = 3",
    "postgresql": "UPDATE ledger_journal SET results = '\\x42'::bytea WHERE seq = 3",
}


def _damage(url: str, statements: dict[str, str]) -> None:
    """Change the journal behind the ledger's back, as a disk or an operator might."""
    if urlparse(url).scheme == "sqlite":
        db = sqlite3.connect(sqlite_path(url))
        db.execute(statements["sqlite"])
        db.commit()
        db.close()
    else:
        with psycopg.connect(url, autocommit=True) as conn:
            conn.execute(statements["postgresql"])


def _break_storage(ledger: object) -> None:
    """Take the journal's connection away under the writer, for real."""
    journal = ledger._journal  # type: ignore[attr-defined]
    if hasattr(journal, "_db"):
        journal._db.close()
    else:  # PostgreSQL: the server ends the session, as a restart or an operator would
        with psycopg.connect(journal.url, autocommit=True) as admin:
            admin.execute("SELECT pg_terminate_backend(%s)", (journal._conn.info.backend_pid,))


def _ledger(url: str):  # type: ignore[no-untyped-def]
    ledger = open_ledger(url, clock=ManualClock(), auto_pulse=False)
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
    journal_url: str, transfer: Transfer, says: str
) -> None:
    ledger = _ledger(journal_url)
    try:
        good = Transfer(9, 1, 2, 5, 1, 1)
        with pytest.raises(InvalidInput, match=says):
            ledger.create_transfers([good, transfer] if "transfer 0" not in says else [transfer])
        assert ledger.lookup_transfers([9]) == []  # the good event of the batch is not applied
        assert ledger.lookup_accounts([1])[0].debits_posted == 0
    finally:
        ledger.close()


def test_batch_size_is_bounded(journal_url: str) -> None:
    ledger = _ledger(journal_url)
    try:
        too_many = [Transfer(i + 1, 1, 2, 1, 1, 1) for i in range(batch_events_max + 1)]
        with pytest.raises(InvalidInput, match="at most 8190 events"):
            ledger.create_transfers(too_many)
    finally:
        ledger.close()


def test_corrupt_journal_row_is_detected(journal_url: str) -> None:
    ledger = _ledger(journal_url)
    ledger.create_transfers([Transfer(9, 1, 2, 5, 1, 1)])
    ledger.close()
    _damage(journal_url, ZERO_BODY)
    with pytest.raises(JournalCorrupt, match="entry 3 fails its checksum"):
        open_ledger(journal_url)


def test_tampered_results_are_detected_on_replay(journal_url: str) -> None:
    ledger = _ledger(journal_url)
    ledger.create_transfers([Transfer(9, 1, 2, 5, 1, 1)])
    ledger.close()
    _damage(journal_url, TAMPER_RESULTS)
    with pytest.raises(JournalReplayMismatch, match="entry 3"):
        open_ledger(journal_url)


def test_failed_commit_stops_the_ledger_and_loses_nothing_acknowledged(journal_url: str) -> None:
    ledger = _ledger(journal_url)
    assert not any(ledger.create_transfers([Transfer(9, 1, 2, 5, 1, 1)]))
    _break_storage(ledger)
    with pytest.raises(StorageUnavailable, match="not durable"):
        ledger.create_transfers([Transfer(10, 1, 2, 7, 1, 1)])
    with pytest.raises(StorageUnavailable, match="stopped"):
        ledger.create_transfers([Transfer(11, 1, 2, 7, 1, 1)])
    with pytest.raises(StorageUnavailable):
        ledger.lookup_accounts([1])  # memory ran ahead of the journal: no reads from it
    ledger.close()
    reopened = open_ledger(journal_url)
    try:
        assert [t.id for t in reopened.lookup_transfers([9, 10, 11])] == [9]
        assert reopened.lookup_accounts([2])[0].credits_posted == 5
    finally:
        reopened.close()

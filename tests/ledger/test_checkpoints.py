"""Checkpoints: an open from the newest good checkpoint plus the journal after it gives exactly
the state a full replay gives, and a torn, stale, foreign or half-written checkpoint is passed
over for an older one or a full replay, never used (docs/adr/0027)."""

from __future__ import annotations

import sqlite3
from urllib.parse import urlparse

import psycopg
import pytest

from colony.kernel.clock import ManualClock
from colony.kernel.errors import StorageUnavailable
from colony.ledger import Ledger, Transfer
from colony.ledger.checkpoint import NO_CHECKPOINTS, CheckpointPolicy
from colony.storage.checkpoint_files import checkpoint_folder, checkpoints_kept
from colony.storage.open import open_ledger, sqlite_path
from tests.ledger import checkpoint_workload
from tests.ledger.checkpoint_crash_child import ONLY_WHEN_ASKED
from tests.ledger.checkpoint_workload import fingerprint
from tests.ledger.crash_children import run_until_killed


def _open(url: str, clock: ManualClock, policy: CheckpointPolicy = ONLY_WHEN_ASKED) -> Ledger:
    return open_ledger(url, clock=clock, auto_pulse=False, checkpoints=policy)


def _replayed_in_full(url: str) -> tuple[object, ...]:
    """The state the whole journal gives, every acknowledged result checked on the way."""
    ledger = _open(url, ManualClock(), NO_CHECKPOINTS)
    try:
        assert ledger.opened_from_checkpoint == 0
        return fingerprint(ledger)
    finally:
        ledger.close()


def _ledger_with_two_checkpoints(url: str) -> tuple[ManualClock, int, int]:
    clock = ManualClock()
    ledger = _open(url, clock)
    try:
        checkpoint_workload.start(ledger)
        checkpoint_workload.run(ledger, clock, range(2))
        first = ledger.checkpoint().seq
        checkpoint_workload.run(ledger, clock, range(2, 4))
        second = ledger.checkpoint().seq
        checkpoint_workload.run(ledger, clock, range(4, 5))
    finally:
        ledger.close()
    return clock, first, second


def _is_sqlite(url: str) -> bool:
    return urlparse(url).scheme == "sqlite"


def _sql(url: str, statement: str) -> None:
    """Change the database behind the ledger's back, as a restore or a disk might."""
    if _is_sqlite(url):
        db = sqlite3.connect(sqlite_path(url))
        db.execute(statement)
        db.commit()
        db.close()
    else:
        with psycopg.connect(url, autocommit=True) as conn:
            conn.execute(statement)  # type: ignore[arg-type]


def _tear(url: str, seq: int) -> None:
    """Damage the checkpoint at `seq`: cut the file short, or overwrite bytes of the object."""
    if _is_sqlite(url):
        path = checkpoint_folder(sqlite_path(url)) / f"{seq:020d}.checkpoint"
        data = path.read_bytes()
        path.write_bytes(data[: len(data) // 2])
    else:
        _sql(
            url,
            "SELECT lo_put(value::bigint::oid, 200, '\\xdeadbeef'::bytea) FROM colony_meta"
            f" WHERE key = 'ledger_checkpoint:{seq:020d}'",
        )


def test_an_open_from_a_checkpoint_is_the_state_a_full_replay_gives(journal_url: str) -> None:
    _, _, second = _ledger_with_two_checkpoints(journal_url)
    clock = ManualClock()
    ledger = _open(journal_url, clock)
    try:
        assert ledger.opened_from_checkpoint == second
        assert ledger.replayed_entries == 2  # the last round: one batch, one pulse
        assert ledger.checkpoints_passed_over == []
        state = fingerprint(ledger)
        histories = state[-1]
        assert isinstance(histories, dict)
        assert any(snapshots for _, snapshots in histories.values()), "no balance snapshots"
        assert state[5], "the workload expired no hold"
        assert state[4], "the workload failed no transfer"
    finally:
        ledger.close()
    assert state == _replayed_in_full(journal_url)


def test_a_torn_checkpoint_falls_back_to_an_older_one_then_to_a_full_replay(
    journal_url: str,
) -> None:
    _, first, second = _ledger_with_two_checkpoints(journal_url)
    want = _replayed_in_full(journal_url)
    _tear(journal_url, second)
    ledger = _open(journal_url, ManualClock())
    try:
        assert ledger.opened_from_checkpoint == first
        assert len(ledger.checkpoints_passed_over) == 1
        assert fingerprint(ledger) == want
    finally:
        ledger.close()
    _tear(journal_url, first)
    ledger = _open(journal_url, ManualClock())
    try:
        assert ledger.opened_from_checkpoint == 0
        assert len(ledger.checkpoints_passed_over) == 2
        assert fingerprint(ledger) == want
    finally:
        ledger.close()


def test_a_checkpoint_newer_than_the_journal_or_of_another_is_passed_over(
    journal_url: str,
) -> None:
    _, first, second = _ledger_with_two_checkpoints(journal_url)
    # The journal as a backup taken before the second checkpoint would restore it.
    _sql(journal_url, f"DELETE FROM ledger_journal WHERE seq >= {second}")
    want = _replayed_in_full(journal_url)
    clock = ManualClock()
    clock.advance(3600)
    ledger = _open(journal_url, clock)
    try:
        assert ledger.opened_from_checkpoint == first
        assert "newer than the journal" in ledger.checkpoints_passed_over[0]
        assert fingerprint(ledger) == want
        # The journal grows past the second checkpoint's watermark again, with other entries.
        while ledger.journal_seq < second:
            new = Transfer(10**9 + ledger.journal_seq, 1, 2, 1, 1, 1)
            assert not any(ledger.create_transfers([new]))
    finally:
        ledger.close()
    want = _replayed_in_full(journal_url)
    ledger = _open(journal_url, ManualClock())
    try:
        assert ledger.opened_from_checkpoint == first
        assert "another journal" in ledger.checkpoints_passed_over[0]
        assert fingerprint(ledger) == want
    finally:
        ledger.close()


@pytest.mark.parametrize("parts_before_kill", [1, 3, 5])
def test_sigkill_in_the_middle_of_a_checkpoint_write_loses_nothing(
    journal_url: str, parts_before_kill: int
) -> None:
    stdout = run_until_killed(
        "tests.ledger.checkpoint_crash_child", journal_url, str(parts_before_kill)
    )
    lines = stdout.split()
    good, acked = int(lines[1]), int(lines[3])
    assert lines[-1] == "writing"
    want = _replayed_in_full(journal_url)
    ledger = _open(journal_url, ManualClock())
    try:
        assert ledger.opened_from_checkpoint == good
        assert ledger.journal_seq == acked
        assert fingerprint(ledger) == want
        ledger.checkpoint()  # and the next write clears what the crash left
    finally:
        ledger.close()
    if _is_sqlite(journal_url):
        folder = checkpoint_folder(sqlite_path(journal_url))
        assert sorted(p.name for p in folder.iterdir()) == [
            f"{good:020d}.checkpoint",
            f"{acked:020d}.checkpoint",
        ]


def test_checkpoints_come_by_events_by_time_and_on_close(journal_url: str) -> None:
    clock = ManualClock()
    policy = CheckpointPolicy(every_events=1_000, every_s=60, on_close_events_min=1)
    ledger = _open(journal_url, clock, policy)
    try:
        checkpoint_workload.start(ledger)
        assert ledger.last_checkpoint is None
        checkpoint_workload.run(ledger, clock, range(3))  # 1,200 events and more
        by_events = ledger.checkpoints_written(timeout_s=30)
        assert by_events is not None and by_events.transfers > 0
        ledger.create_transfers([Transfer(7, 1, 2, 1, 1, 1)])
        clock.advance(61)
        ledger.create_transfers([Transfer(8, 1, 2, 1, 1, 1)])
        # Taken after the batch before it, written by its thread after that batch is durable.
        ledger.create_transfers([Transfer(9, 1, 2, 1, 1, 1)])
        by_time = ledger.checkpoints_written(timeout_s=30)
        assert by_time is not None and by_time.seq == ledger.journal_seq - 1
        last_seq = ledger.journal_seq
    finally:
        ledger.close()
    reopened = _open(journal_url, ManualClock())
    try:
        assert reopened.opened_from_checkpoint == last_seq  # written as it closed
        assert reopened.replayed_entries == 0
    finally:
        reopened.close()
    if _is_sqlite(journal_url):
        files = list(checkpoint_folder(sqlite_path(journal_url)).iterdir())
        assert len(files) == checkpoints_kept


def test_a_checkpoint_that_fails_to_finish_leaves_the_next_ones_coming(
    journal_url: str, monkeypatch: pytest.MonkeyPatch
) -> None:
    """Whatever fails a checkpoint (here a bug in finishing it) is counted and logged; the
    thread that writes them goes on, so the next one is written."""
    from colony.ledger import checkpoint

    finish = checkpoint.finish
    failures = iter([ValueError("a bug in finishing")])

    def finish_once_failing(taken: checkpoint.Taken) -> list[checkpoint.Piece]:
        for failure in failures:
            raise failure
        return finish(taken)

    monkeypatch.setattr(checkpoint, "finish", finish_once_failing)
    clock = ManualClock()
    ledger = _open(journal_url, clock)
    try:
        checkpoint_workload.start(ledger)
        with pytest.raises(StorageUnavailable, match="a bug in finishing"):
            ledger.checkpoint()
        assert ledger.checkpoint_failures == 1 and ledger.last_checkpoint is None
        checkpoint_workload.run(ledger, clock, range(1))
        written = ledger.checkpoint()
        assert written.seq == ledger.journal_seq
        assert ledger.checkpoints_written(timeout_s=30) == written
    finally:
        ledger.close()


def test_a_ledger_opened_without_checkpoints_replays_everything(journal_url: str) -> None:
    _ledger_with_two_checkpoints(journal_url)
    ledger = _open(journal_url, ManualClock(), NO_CHECKPOINTS)
    try:
        assert ledger.opened_from_checkpoint == 0
        assert ledger.replayed_entries == ledger.journal_seq
    finally:
        ledger.close()

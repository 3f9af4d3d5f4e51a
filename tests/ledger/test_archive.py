"""Posted history on disk (docs/adr/0034): what moved out of memory still answers exactly as
it did in memory, on both backends, across checkpoints, full replays and a SIGKILL mid-write."""

from __future__ import annotations

import dataclasses
import sqlite3
import threading
import time
from contextlib import closing
from pathlib import Path

import psycopg
import pytest

from colony.kernel.clock import ManualClock
from colony.kernel.errors import InvalidInput
from colony.ledger import Account, Ledger, Transfer
from colony.ledger import archive as history_archive
from colony.ledger.archive import ArchiveJob, ArchivePolicy
from colony.ledger.checkpoint import NO_CHECKPOINTS, CheckpointPolicy
from colony.ledger.model import AccountFlags as AF
from colony.ledger.model import TransferFlags as TF
from colony.ledger.model import TransferPendingStatus as PS
from colony.ledger.results import CreateTransferResult as R
from colony.ledger.service import archive_jobs_behind_max
from colony.ledger.state import LedgerState
from colony.storage.ledger_archive import SqlHistoryArchive
from colony.storage.open import (
    archive_policy_from_env,
    checkpoint_policy_from_env,
    is_postgres,
    open_ledger,
    sqlite_path,
)
from tests.ledger import checkpoint_workload
from tests.ledger.archive_crash_child import TINY
from tests.ledger.checkpoint_crash_child import ONLY_WHEN_ASKED
from tests.ledger.crash_children import run_until_killed
from tests.ledger.test_checkpoints import _sql
from tests.ledger.test_rules import START_NS, write_legacy_journal

SMALL = ArchivePolicy(window_transfers=4, chunk_transfers=4, filter_bits=1 << 10)
# How long a test waits for the archiving thread, in seconds.
settle_timeout_s = 20.0


def _open(
    url: str,
    clock: ManualClock,
    history: ArchivePolicy = SMALL,
    policy: CheckpointPolicy = ONLY_WHEN_ASKED,
) -> Ledger:
    return open_ledger(url, clock=clock, auto_pulse=False, checkpoints=policy, history=history)


def _settle(ledger: Ledger, clock: ManualClock) -> None:
    """Let the archiving thread write its jobs and the writer drop them (at its next batch)."""
    deadline = time.monotonic() + settle_timeout_s
    while time.monotonic() < deadline:
        ledger.pulse()
        clock.advance(0.001)
        if ledger.transfers_in_memory <= SMALL.window_transfers + SMALL.chunk_transfers:
            return
        time.sleep(0.005)
    raise AssertionError("history never moved to disk")


def test_history_older_than_memory_answers_from_disk(journal_url: str) -> None:
    clock = ManualClock()
    ledger = _open(journal_url, clock)
    try:
        limited = int(AF.debits_must_not_exceed_credits)
        assert not any(
            ledger.create_accounts([Account(1, 1, 1), Account(2, 1, 1, limited), Account(3, 1, 1)])
        )
        assert ledger.create_transfers([Transfer(100, 1, 2, 1_000, 1, 1)]) == [R.ok]
        hold = Transfer(101, 2, 3, 300, 1, 1, flags=TF.pending)
        assert ledger.create_transfers([hold]) == [R.ok]
        assert ledger.create_transfers([Transfer(102, 2, 3, 10**6, 1, 1)]) == [R.exceeds_credits]
        for i in range(40):  # push all of the above out of memory
            clock.advance(0.01)
            assert ledger.create_transfers([Transfer(200 + i, 1, 3, 1, 1, 1)]) == [R.ok]
        _settle(ledger, clock)
        assert ledger.transfers_in_memory <= SMALL.window_transfers + SMALL.chunk_transfers

        # Idempotency and failed ids from disk
        assert ledger.create_transfers([Transfer(100, 1, 2, 1_000, 1, 1)]) == [R.exists]
        assert ledger.create_transfers([Transfer(100, 1, 2, 999, 1, 1)]) == [
            R.exists_with_different_amount
        ]
        assert ledger.create_transfers([Transfer(102, 2, 3, 1, 1, 1)]) == [R.id_already_failed]
        # The hold is archived yet still pending: it can be posted, then only once.
        assert ledger.pending_status(101) is PS.pending
        post = Transfer(103, 0, 0, 200, 0, 0, flags=TF.post_pending_transfer, pending_id=101)
        assert ledger.create_transfers([post]) == [R.ok]
        for i in range(20):
            assert ledger.create_transfers([Transfer(300 + i, 1, 3, 1, 1, 1)]) == [R.ok]
        _settle(ledger, clock)
        again = Transfer(104, 0, 0, 0, 0, 0, flags=TF.void_pending_transfer, pending_id=101)
        assert ledger.create_transfers([again]) == [R.pending_transfer_already_posted]
        assert ledger.create_transfers([post]) == [R.exists]
        assert ledger.pending_status(101) is PS.posted
        assert ledger.pending_status(100) is PS.none
        assert ledger.pending_status(999) is None

        # Lookups, statements and past balances cross from disk into memory
        found = ledger.lookup_transfers([100, 101, 999, 319])
        assert [t.id for t in found] == [100, 101, 319]
        wallet = ledger.statement(2, limit=10)
        assert [line.transfer.id for line in wallet.lines] == [100, 101, 103]
        assert wallet.lines[-1].balance.debits_posted == 200
        assert wallet.lines[-1].balance.debits_pending == 0
        newest_first = ledger.statement(3, limit=5, reverse=True)
        assert [line.transfer.id for line in newest_first.lines] == [319, 318, 317, 316, 315]
        every = []
        cursor = None
        while True:
            page = ledger.statement(3, before_timestamp=cursor, limit=7, reverse=True)
            every += page.lines
            if page.next_cursor is None:
                break
            cursor = page.next_cursor
        assert len(every) == 1 + 1 + 40 + 20 and every[-1].transfer.id == 101
        at_hold = ledger.balance_at(2, wallet.lines[1].timestamp)
        assert at_hold is not None and at_hold.debits_pending == 300
        before_any = ledger.balance_at(3, wallet.lines[0].timestamp)
        assert before_any is not None and before_any.credits_posted == 0
        assert [t.id for t in ledger.all_transfers()][:3] == [100, 101, 200]
    finally:
        ledger.close()


def _logical(ledger: Ledger) -> tuple[object, ...]:
    """What the ledger answers, wherever it keeps it: accounts, transfers, statuses, expiries,
    every account's whole statement."""
    transfers = list(ledger.all_transfers())
    return (
        list(ledger.all_accounts()),
        transfers,
        [ledger.pending_status(t.id) for t in transfers],
        [ledger.expired_at(t.id) for t in transfers],
        [
            ledger.statement(a.id, limit=8190).lines
            for a in ledger.all_accounts()
            if a.id <= checkpoint_workload.ACCOUNTS
        ],
    )


def _workload_with_checkpoint(url: str) -> int:
    clock = ManualClock()
    ledger = _open(url, clock, TINY)
    try:
        checkpoint_workload.start(ledger)
        checkpoint_workload.run(ledger, clock, range(3))
        seq = ledger.checkpoint().seq
        # More history moves to disk past the checkpoint, and the ledger stops without another.
        checkpoint_workload.run(ledger, clock, range(3, 6))
        assert ledger.archived_through > 0
        return seq
    finally:
        ledger.close()


def test_reopening_gives_the_same_history_from_a_checkpoint_or_a_full_replay(
    journal_url: str,
) -> None:
    seq = _workload_with_checkpoint(journal_url)
    ledger = _open(journal_url, ManualClock(), TINY)
    try:
        assert ledger.opened_from_checkpoint == seq
        from_checkpoint = _logical(ledger)
    finally:
        ledger.close()
    ledger = _open(journal_url, ManualClock(), TINY, NO_CHECKPOINTS)
    try:
        assert ledger.opened_from_checkpoint == 0
        assert _logical(ledger) == from_checkpoint
    finally:
        ledger.close()
    # And with every transfer in memory (no archive window to speak of): the same answers.
    ledger = _open(journal_url, ManualClock(), ArchivePolicy(window_transfers=10**9))
    try:
        assert _logical(ledger) == from_checkpoint
    finally:
        ledger.close()


def test_a_checkpoint_whose_history_is_not_on_disk_is_passed_over(journal_url: str) -> None:
    seq = _workload_with_checkpoint(journal_url)
    want = _logical_after_full_replay(journal_url)
    # As if the database were restored from a backup older than the checkpoint's history.
    _sql(journal_url, "DELETE FROM ledger_archive_runs")
    _sql(journal_url, "UPDATE colony_meta SET value = '0' WHERE key = 'ledger_archived_through'")
    ledger = _open(journal_url, ManualClock(), TINY)
    try:
        assert ledger.opened_from_checkpoint != seq
        assert "not all there" in ledger.checkpoints_passed_over[0]
        assert _logical(ledger) == want
    finally:
        ledger.close()


def test_a_history_archived_before_migration_0005_is_written_again_from_the_journal(
    journal_url: str,
) -> None:
    """Burned ids were rows of `ledger_archive_failures` before migration 0005 (ADR 0076): a
    database archived then is upgraded on open, its checkpoint passed over, and every id its
    failures burned is still refused as burned once the history is written again."""
    seq = _workload_with_checkpoint(journal_url)
    everything = ArchivePolicy(window_transfers=10**9)
    ledger = _open(journal_url, ManualClock(), everything, NO_CHECKPOINTS)
    try:
        burned = sorted(ledger._state.failed_transfer_ids)
    finally:
        ledger.close()
    assert len(burned) > 10, "the workload should burn ids"
    # A full replay writes the whole history to disk again; then the checkpoint is usable.
    want = _logical_after_full_replay(journal_url)
    ledger = _open(journal_url, ManualClock(), TINY)
    try:
        assert ledger.opened_from_checkpoint == seq
    finally:
        ledger.close()
    # The database as the release before migration 0005 left it: burned ids in rows of their
    # own table (here empty), none in runs, and none of the storage migrations since.
    _sql(journal_url, "DELETE FROM ledger_archive_runs WHERE kind = 2")
    _sql(journal_url, "DELETE FROM schema_migrations WHERE package = 'storage' AND version >= 5")
    _sql(
        journal_url,
        "CREATE TABLE ledger_archive_failures"
        " (id BYTEA PRIMARY KEY, result INTEGER NOT NULL, timestamp BIGINT NOT NULL)"
        if is_postgres(journal_url)
        else "CREATE TABLE ledger_archive_failures"
        " (id BLOB PRIMARY KEY, result INTEGER NOT NULL, timestamp INTEGER NOT NULL)",
    )
    ledger = _open(journal_url, ManualClock(), TINY)
    try:
        assert ledger.opened_from_checkpoint != seq
        assert "not all there" in ledger.checkpoints_passed_over[0]
        assert _logical(ledger) == want
        on_disk = set(burned) - set(ledger._state.failed_transfer_ids)
        assert len(on_disk) > len(burned) // 2, "most burned ids should be asked of the disk"
        for tid in burned:
            assert ledger.create_transfers([Transfer(tid, 1, 2, 1, 1, 1)]) == [R.id_already_failed]
    finally:
        ledger.close()
    assert "ledger_archive_failures" not in _tables(journal_url)


def _tables(url: str) -> set[str]:
    if is_postgres(url):
        with psycopg.connect(url) as conn:
            rows = conn.execute(
                "SELECT tablename FROM pg_tables WHERE schemaname = current_schema()"
            ).fetchall()
    else:
        with closing(sqlite3.connect(sqlite_path(url))) as db:
            rows = db.execute("SELECT name FROM sqlite_master WHERE type = 'table'").fetchall()
    return {str(r[0]) for r in rows}


def _logical_after_full_replay(url: str) -> tuple[object, ...]:
    ledger = _open(url, ManualClock(), TINY, NO_CHECKPOINTS)
    try:
        return _logical(ledger)
    finally:
        ledger.close()


@pytest.mark.parametrize("jobs_before_kill", [1, 4, 9])
def test_sigkill_in_the_middle_of_an_archive_write_loses_nothing(
    journal_url: str, jobs_before_kill: int
) -> None:
    stdout = run_until_killed(
        "tests.ledger.archive_crash_child", journal_url, str(jobs_before_kill)
    )
    acked = [int(word) for word in stdout.split()[3::2]]
    want = _logical_after_full_replay(journal_url)
    ledger = _open(journal_url, ManualClock(), TINY)
    try:
        assert ledger.journal_seq >= (acked[-1] if acked else 0)
        assert _logical(ledger) == want
    finally:
        ledger.close()


def test_the_environment_sets_the_window_and_the_checkpoint_periods(
    monkeypatch: pytest.MonkeyPatch, tmp_path: Path
) -> None:
    url = f"sqlite:///{tmp_path}/env.db"
    monkeypatch.setenv("COLONY_LEDGER_WINDOW_TRANSFERS", "0")
    monkeypatch.setenv("COLONY_LEDGER_CHECKPOINT_EVERY_EVENTS", "50")
    clock = ManualClock()
    ledger = open_ledger(url, clock=clock, auto_pulse=False)
    try:
        checkpoint_workload.start(ledger)
        checkpoint_workload.run(ledger, clock, range(1))
        assert ledger.checkpoints_written(timeout_s=30) is not None  # after 50, not only asked
    finally:
        ledger.close()
    # Unset, the window is 250,000 transfers; "all" keeps every transfer in memory.
    monkeypatch.delenv("COLONY_LEDGER_WINDOW_TRANSFERS")
    assert archive_policy_from_env() == ArchivePolicy.for_window(250_000)
    monkeypatch.setenv("COLONY_LEDGER_WINDOW_TRANSFERS", " All ")
    assert archive_policy_from_env() is None
    for name, value in [
        ("COLONY_LEDGER_WINDOW_TRANSFERS", "-1"),
        ("COLONY_LEDGER_WINDOW_TRANSFERS", "lots"),
        ("COLONY_LEDGER_CHECKPOINT_EVERY_S", "nan"),
        ("COLONY_LEDGER_CHECKPOINT_EVERY_EVENTS", "1.5"),
    ]:
        monkeypatch.setenv(name, value)
        with pytest.raises(InvalidInput, match=name):
            open_ledger(url, clock=clock, auto_pulse=False)
        monkeypatch.delenv(name)


def test_with_history_on_disk_checkpoints_come_every_two_minutes_by_default(
    monkeypatch: pytest.MonkeyPatch, journal_url: str
) -> None:
    """Unset, the periods are periodic while history is on disk (docs/adr/0117), so a crash
    replays at most two minutes or five million events of the journal; with every transfer in
    memory they stay off (a checkpoint would grow with history)."""
    monkeypatch.delenv("COLONY_LEDGER_CHECKPOINT_EVERY_EVENTS")
    monkeypatch.delenv("COLONY_LEDGER_CHECKPOINT_EVERY_S")
    assert checkpoint_policy_from_env(history_on_disk=True) == CheckpointPolicy(
        every_events=5_000_000, every_s=120.0
    )
    assert checkpoint_policy_from_env(history_on_disk=False) == CheckpointPolicy()
    clock = ManualClock()
    ledger = open_ledger(journal_url, clock=clock, auto_pulse=False, history=TINY)
    try:
        checkpoint_workload.start(ledger)
        checkpoint_workload.run(ledger, clock, range(1))
        assert ledger.checkpoints_written(timeout_s=30) is None  # not two minutes yet
        clock.advance(121)
        ledger.create_transfers([Transfer(1 << 70, 1, 2, 1, 1, 1)])
        written = ledger.checkpoints_written(timeout_s=30)
        assert written is not None and written.seq == ledger.journal_seq  # after the batch
    finally:
        ledger.close()


# Jobs of three transfers beyond a window of four: the first job ends at the transfer made just
# after the clock was set back (below).
CLOCK_BACK = ArchivePolicy(window_transfers=4, chunk_transfers=3, filter_bits=1 << 10)
EARLY_BURNED = list(range(200, 240))
LATE_BURNED = 300  # burned after the clock went back, earlier in time than most of the above


def _legacy_journal_whose_clock_goes_back(url: str) -> None:
    """A journal as a release before the rules entry wrote it (rules 1), where an imported
    batch set the ledger's clock back: its failed events burned their ids at the batch's own
    time (START+201..240), then rules 1 set the clock to its last imported transfer's
    (START+150), so the next batch burned an id at START+201 and made a transfer at
    START+202."""
    limited = int(AF.debits_must_not_exceed_credits)
    imported = int(TF.imported)
    state = write_legacy_journal(
        url,
        [Account(1, 1, 1), Account(2, 1, 1, limited), Account(3, 1, 1)],
        [
            (START_NS + 100, [Transfer(100, 1, 3, 1, 1, 1)], [R.ok]),
            (
                START_NS + 200,
                [
                    Transfer(102, 1, 3, 1, 1, 1, imported, timestamp=START_NS + 150),
                    *(
                        Transfer(tid, 2, 3, 1, 1, 1, imported, timestamp=START_NS + 151 + i)
                        for i, tid in enumerate(EARLY_BURNED)
                    ),
                ],
                [R.ok] + [R.exceeds_credits] * len(EARLY_BURNED),
            ),
            (
                START_NS + 201,
                [Transfer(LATE_BURNED, 2, 3, 1, 1, 1), Transfer(301, 1, 3, 1, 1, 1)],
                [R.exceeds_credits, R.ok],
            ),
        ],
    )
    assert state.failed_at[LATE_BURNED] == START_NS + 201 < state.failed_at[EARLY_BURNED[-1]]


def test_ids_burned_after_the_clock_went_back_stay_burned(journal_url: str) -> None:
    """Under rules 1 an imported batch could set the clock back, so an id could be burned at
    an earlier time than ids burned before it. Archiving takes burned ids from the front of
    the list, so that one stays in memory past the job that covers its time (docs/adr/0076),
    and after a reopen from a checkpoint taken meanwhile it is written again: every burned id
    is refused all the same, from memory or from disk, before and after."""
    _legacy_journal_whose_clock_goes_back(journal_url)
    burned = [*EARLY_BURNED, LATE_BURNED]
    clock = ManualClock(START_NS + 10**6)

    def refused_alike(ledger: Ledger) -> None:
        for tid in burned:
            again = Transfer(tid, 1, 3, 1, 1, 1)
            assert ledger.create_transfers([again]) == [R.id_already_failed], tid

    def fill(ledger: Ledger, ids: range) -> None:
        """Transfers, then every job due written and dropped."""
        for tid in ids:
            clock.advance(0.001)
            assert ledger.create_transfers([Transfer(tid, 1, 3, 1, 1, 1)]) == [R.ok]
        due = CLOCK_BACK.window_transfers + CLOCK_BACK.chunk_transfers
        deadline = time.monotonic() + settle_timeout_s
        while ledger.transfers_in_memory >= due:
            assert time.monotonic() < deadline, "history never moved to disk"
            ledger.pulse()
            clock.advance(0.001)
            time.sleep(0.005)

    ledger = _open(journal_url, clock, CLOCK_BACK)
    try:
        fill(ledger, range(1000, 1004))  # the first job: transfers 100, 102 and 301
        state = ledger._state
        assert state.archived_through == START_NS + 202
        # The ids burned up to START+202 went to disk; the one burned at START+201 did not.
        assert EARLY_BURNED[0] not in state.failed_at and EARLY_BURNED[-1] in state.failed_at
        assert LATE_BURNED in state.failed_at
        refused_alike(ledger)
        seq = ledger.checkpoint().seq
        fill(ledger, range(1004, 1010))  # the next jobs take the rest to disk
        assert not set(burned) & set(state.failed_at)
        archive = state.archive
        assert archive is not None
        assert archive.failed_at(LATE_BURNED) == START_NS + 201
        refused_alike(ledger)
    finally:
        ledger.close()
    # From the checkpoint: the late id is in its memory again and on disk, and written again.
    clock = ManualClock(START_NS + 10**7)
    ledger = _open(journal_url, clock, CLOCK_BACK)
    try:
        assert ledger.opened_from_checkpoint == seq
        refused_alike(ledger)
        fill(ledger, range(2000, 2010))
        assert LATE_BURNED not in ledger._state.failed_at
        refused_alike(ledger)
    finally:
        ledger.close()
    # The case at hand: the checkpoint held the late id in memory while the disk kept it (its
    # run cut back to the checkpoint keeps what is older), so the replay wrote it again.
    assert _burned_entries(journal_url, LATE_BURNED) == 2
    assert _burned_entries(journal_url, EARLY_BURNED[-1]) == 1


def _burned_entries(url: str, transfer_id: int) -> int:
    """How many entries the runs of burned ids in use hold for `transfer_id`."""
    query = (
        "SELECT p.entries FROM ledger_archive_pages p JOIN ledger_archive_runs r"
        " ON r.run = p.run WHERE r.kind = 2"
    )
    if is_postgres(url):
        with psycopg.connect(url) as conn:
            pages = [bytes(row[0]) for row in conn.execute(query).fetchall()]
    else:
        with closing(sqlite3.connect(sqlite_path(url))) as db:
            pages = [bytes(row[0]) for row in db.execute(query).fetchall()]
    key = transfer_id.to_bytes(16, "big")
    return sum(page[i : i + 16] == key for page in pages for i in range(0, len(page), 24))


@pytest.mark.parametrize(
    ("window", "chunk"),
    [
        (0, 16_384),  # at least two batches, whatever the window
        (20_000, 16_384),
        (100_000, 25_000),  # a quarter of the window
        (250_000, 62_500),  # the default window
        (262_144, 65_536),
        (1_000_000, 65_536),  # at most 65,536 (jobs of half the window tried: ADR 0082)
    ],
)
def test_a_windows_jobs_are_a_quarter_of_it_within_their_bounds(window: int, chunk: int) -> None:
    """The most memory holds while the archive lags is the window and four jobs: twice the
    default window."""
    policy = ArchivePolicy.for_window(window)
    assert (policy.window_transfers, policy.chunk_transfers) == (window, chunk)
    assert archive_jobs_behind_max * ArchivePolicy.for_window(250_000).chunk_transfers == 250_000


def _busy_policy(slices_first_max: int) -> ArchivePolicy:
    """Jobs of four transfers, two runs a merge, merges at most one run behind."""
    return dataclasses.replace(
        SMALL,
        merge_fan_in=2,
        merge_fan_in_disjoint=2,
        merges_behind_max=1,
        merge_slices_first_max=slices_first_max,
    )


def _busy_archive(
    url: str, monkeypatch: pytest.MonkeyPatch, history: ArchivePolicy, transfers: int
) -> tuple[list[int], int]:
    """`transfers` through a ledger whose archive is never idle: each merge slice waits
    until the writer has handed on its next job. Returns how far the merges were behind at
    each job's write, and the slices merged ahead of a waiting job."""
    built = threading.Event()  # a job handed on since the last write began
    submitting = True
    behind_at_write: list[int] = []
    build_job, write, compact_step = (
        history_archive.build_job,
        SqlHistoryArchive.write,
        SqlHistoryArchive.compact_step,
    )

    def building(state: LedgerState, policy: ArchivePolicy) -> ArchiveJob | None:
        job = build_job(state, policy)
        if job is not None:
            built.set()
        return job

    def writing(self: SqlHistoryArchive, job: ArchiveJob) -> None:
        behind_at_write.append(self.merges_behind())
        built.clear()
        write(self, job)

    def compacting(self: SqlHistoryArchive, *, merging_first: bool = False) -> bool:
        if submitting:
            built.wait(settle_timeout_s)
        return compact_step(self, merging_first=merging_first)

    monkeypatch.setattr(history_archive, "build_job", building)
    monkeypatch.setattr(SqlHistoryArchive, "write", writing)
    monkeypatch.setattr(SqlHistoryArchive, "compact_step", compacting)
    clock = ManualClock()
    ledger = _open(url, clock, history)
    try:
        assert not any(ledger.create_accounts([Account(a, 1, 1) for a in (1, 2, 3)]))
        for i in range(transfers):
            clock.advance(0.001)
            assert ledger.create_transfers([Transfer(1_000 + i, 1 + i % 2, 3, 1, 1, 1)]) == [R.ok]
        submitting = False
        built.set()
        _settle(ledger, clock)
        statement = ledger.statement(3, limit=transfers)
        assert [line.transfer.id for line in statement.lines] == list(
            range(1_000, 1_000 + transfers)
        )
        assert len(behind_at_write) >= 10, behind_at_write
        return behind_at_write, ledger.timings.archive_merge_slices_first
    finally:
        ledger.close()


def test_a_busy_archive_merges_before_a_job_once_too_far_behind(
    journal_url: str, monkeypatch: pytest.MonkeyPatch
) -> None:
    """An archive that always has the next job waiting merged only between jobs, one slice
    each: its runs piled up for as long as it stayed busy, and a lookup of an account line
    read a page of every one. Now the merges are never more than `merges_behind_max` runs
    behind a job's write, when a job may wait for as many slices as that takes
    (docs/adr/0086)."""
    history = _busy_policy(slices_first_max=1_000)
    behind_at_write, _ = _busy_archive(journal_url, monkeypatch, history, 80)
    assert max(behind_at_write) <= history.merges_behind_max, behind_at_write


def test_a_job_waits_for_at_most_a_few_slices_of_merging(
    journal_url: str, monkeypatch: pytest.MonkeyPatch
) -> None:
    """A whole merge can be gigabytes after years of history: a job waits for at most
    `merge_slices_first_max` slices of it (and for some: the merges are behind)."""
    history = _busy_policy(slices_first_max=2)
    behind_at_write, slices_first = _busy_archive(journal_url, monkeypatch, history, 80)
    assert 0 < slices_first <= 2 * len(behind_at_write), (slices_first, behind_at_write)


def test_the_writers_wait_for_a_slow_archive_is_timed_apart_from_its_jobs(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """The writer waits for an archive that fell `archive_jobs_behind_max` jobs behind
    (memory stays bounded); that wait is counted as waiting, not as building jobs."""
    write = SqlHistoryArchive.write
    slow_s = 0.3

    def slowly(self: SqlHistoryArchive, job: ArchiveJob) -> None:
        time.sleep(slow_s)
        write(self, job)

    monkeypatch.setattr(SqlHistoryArchive, "write", slowly)
    clock = ManualClock()
    ledger = _open(f"sqlite:///{tmp_path / 'slow.db'}", clock)
    try:
        assert not any(ledger.create_accounts([Account(1, 1, 1), Account(2, 1, 1)]))
        behind = SMALL.window_transfers + (archive_jobs_behind_max + 2) * SMALL.chunk_transfers
        for i in range(behind):
            assert ledger.create_transfers([Transfer(100 + i, 1, 2, 1, 1, 1)]) == [R.ok]
        timings = ledger.timings
        assert timings.archive_wait_s >= slow_s / 2, timings
        assert timings.archive_build_s < timings.archive_wait_s, timings
    finally:
        ledger.close()

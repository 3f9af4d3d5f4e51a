"""The archive's indexes as sorted runs of pages (docs/adr/0036), against a reference model.

Jobs of random transfers go straight into a `SqlHistoryArchive` with pages of a few entries,
merged two or three runs at a time in slices of a couple of pages, so every read crosses pages,
runs and levels, and every merge is cut in slices. After each step, every question the ledger
asks of its archive (a transfer by id, an account's lines either way from any point, the
transfers after a time, when an id was burned by a failure) is answered as a plain list of the
same transfers and failures answers it; then the archive is cut back to a random time, as an
open from an older checkpoint does, and asked again.
"""

from __future__ import annotations

import random
import sqlite3
from collections.abc import Iterator
from pathlib import Path

import pytest

from colony.kernel.clock import ManualClock
from colony.ledger import Transfer
from colony.ledger.archive import ArchiveJob
from colony.ledger.checkpoint import NO_CHECKPOINTS
from colony.storage import ledger_archive
from colony.storage.ledger_archive import SqlHistoryArchive
from colony.storage.open import open_ledger, open_tables

ACCOUNTS = 6  # few accounts, so each has lines in many runs and pages
BASE_TS = 1_000_000


@pytest.fixture
def archive_url(journal_url: str) -> str:
    """A migrated, empty ledger database on each backend."""
    open_ledger(
        journal_url, clock=ManualClock(), auto_pulse=False, checkpoints=NO_CHECKPOINTS
    ).close()
    return journal_url


def _archive(
    url: str, page_entries: int, fan_in: int, disjoint_fan_in: int | None = None
) -> SqlHistoryArchive:
    # Runs whose keys do not overlap (rising ids, every job's burned ids) merge at a larger
    # fan-in: both rules are used, and every kind still reaches the second level.
    return SqlHistoryArchive(
        open_tables(url, "colony-test-archive"),
        open_tables(url, "colony-test-archive-reads"),
        records_per_page=3,
        page_entries=page_entries,
        fan_in=fan_in,
        disjoint_fan_in=fan_in + 1 if disjoint_fan_in is None else disjoint_fan_in,
    )


def _transfers(rng: random.Random, count: int, *, time_ordered_ids: bool) -> Iterator[Transfer]:
    ts = BASE_TS
    for i in range(count):
        ts += rng.randint(1, 5)
        dr = rng.randint(1, ACCOUNTS)
        cr = rng.choice([a for a in range(1, ACCOUNTS + 1) if a != dr])
        tid = 10_000 + i if time_ordered_ids else rng.getrandbits(127) | 1
        yield Transfer(tid, dr, cr, rng.randint(1, 99), 1, 1, timestamp=ts)


def _expected_lines(
    history: list[Transfer], account: int, after: int, through: int
) -> list[tuple[int, int]]:
    return [
        (t.timestamp, t.id)
        for t in history
        if account in (t.debit_account_id, t.credit_account_id) and after < t.timestamp <= through
    ]


Failures = list[tuple[int, int]]  # (burned id, timestamp)


def _failures(rng: random.Random, job: list[Transfer], first_id: int) -> Failures:
    """Up to four burned ids per transfer (a festival's refusals outnumber its transfers), at
    times within the job, as the ledger burns them: in time order."""
    stamps = sorted(rng.choice(job).timestamp for _ in range(rng.randint(0, 4 * len(job))))
    return [(first_id + i, ts) for i, ts in enumerate(stamps)]


def _check(
    archive: SqlHistoryArchive,
    history: list[Transfer],
    rng: random.Random,
    failures: Failures | None = None,
) -> None:
    for t in history:
        assert archive.transfer(t.id) == t
        assert archive.has_transfer_at(t.timestamp)
        assert archive.failed_at(t.id) is None
    for failed_id, ts in failures or []:
        assert archive.failed_at(failed_id) == ts
        assert archive.transfer(failed_id) is None
    assert archive.transfer(3) is None
    assert archive.failed_at(3) is None
    assert not archive.has_transfer_at(BASE_TS)
    last = history[-1].timestamp if history else BASE_TS
    for _ in range(12):
        account = rng.randint(1, ACCOUNTS)
        after = rng.randint(BASE_TS - 1, last + 1)
        through = rng.randint(after, last + 2)
        limit = rng.choice([1, 2, 3, 7, 1000])
        want = _expected_lines(history, account, after, through)
        got = archive.account_lines(account, after, through, limit)
        assert [(ts, t.id) for ts, t, expiry in got] == want[:limit]
        assert not any(expiry for _, _, expiry in got)
        before = rng.randint(BASE_TS, last + 2)
        want_back = _expected_lines(history, account, 0, before - 1)[::-1]
        got_back = archive.account_lines_before(account, before, limit)
        assert [(ts, t.id) for ts, t, _ in got_back] == want_back[:limit]
        want_all = [t for t in history if after < t.timestamp <= through]
        assert archive.transfers_after(after, through, limit) == want_all[:limit]


def _job(history: list[Transfer], failures: Failures | None = None) -> ArchiveJob:
    return ArchiveJob(history[-1].timestamp, history, [], failures or [], [])


@pytest.mark.parametrize(
    ("seed", "page_entries", "fan_in", "time_ordered_ids"),
    [(1, 2, 2, True), (2, 3, 3, False), (3, 1, 2, False), (4, 4, 2, True)],
)
def test_runs_pages_and_merges_answer_as_the_history_does(
    archive_url: str,
    monkeypatch: pytest.MonkeyPatch,
    seed: int,
    page_entries: int,
    fan_in: int,
    time_ordered_ids: bool,
) -> None:
    monkeypatch.setattr(ledger_archive, "merge_slice_pages", 2)
    monkeypatch.setattr(ledger_archive, "pages_per_transaction", 3)
    # Merges of three or four runs read a slice in two statements, of two in one.
    monkeypatch.setattr(ledger_archive, "union_selects_max", 2)
    rng = random.Random(seed)
    archive = _archive(archive_url, page_entries, fan_in)
    history: list[Transfer] = []
    failures: Failures = []
    stream = _transfers(rng, 400, time_ordered_ids=time_ordered_ids)
    try:
        for _ in range(24):
            job = [next(stream) for _ in range(rng.randint(1, 17))]
            burned = _failures(rng, job, 1_000_000 + len(failures))
            archive.write(_job(job, burned))
            history += job
            failures += burned
            # Merge a few slices (sometimes none, sometimes all), as the archiving thread does
            # between jobs.
            for _ in range(rng.choice([0, 1, 3, 100])):
                if not archive.compact_step():
                    break
            assert archive.archived_through() == history[-1].timestamp
            _check(archive, history, rng, failures)
        while archive.compact_step():
            pass
        runs = ledger_archive_runs(archive)
        for kind in (ledger_archive._IDS, ledger_archive._LINES, ledger_archive._FAILS):
            levels = {run.level for run in runs if run.kind == kind}
            assert max(levels) >= 2, f"the test should reach runs of kind {kind} merged twice"
        _check(archive, history, rng, failures)

        cut = rng.choice(history[len(history) // 3 : -1]).timestamp
        archive.truncate_after(cut)
        history = [t for t in history if t.timestamp <= cut]
        gone = [f for f in failures if f[1] > cut]
        failures = [f for f in failures if f[1] <= cut]
        assert gone, "the cut should remove some failures"
        assert archive.archived_through() == cut
        _check(archive, history, rng, failures)
        for failed_id, _ in gone:
            assert archive.failed_at(failed_id) is None
    finally:
        archive.close()

    # Opened again, the archive finds its runs as they were, and goes on from there.
    again = _archive(archive_url, page_entries, fan_in)
    try:
        _check(again, history, rng, failures)
        more = [t for t in stream][:30]
        burned = _failures(rng, more, 2_000_000)
        again.write(_job(more, burned))
        history += more
        failures += burned
        while again.compact_step():
            pass
        _check(again, history, rng, failures)
    finally:
        again.close()


def test_a_merge_cut_short_leaves_the_runs_it_was_merging(
    archive_url: str, monkeypatch: pytest.MonkeyPatch
) -> None:
    """A merge stopped part-way (a crash, a failed write) leaves its inputs in use; its pages
    are loose, and go when the archive is next cut back on open."""
    monkeypatch.setattr(ledger_archive, "merge_slice_pages", 1)
    rng = random.Random(7)
    archive = _archive(archive_url, 2, 2)
    stream = _transfers(rng, 40, time_ordered_ids=False)
    history = [next(stream) for _ in range(10)]
    archive.write(_job(history[:5]))
    archive.write(_job(history[5:]))
    before = ledger_archive_runs(archive)
    assert archive.compact_step()  # the merge starts: its run is registered as loose
    assert archive.compact_step()  # one slice written
    archive.close()  # ... and the process goes away

    again = _archive(archive_url, 2, 2)
    try:
        assert ledger_archive_runs(again) == before
        _check(again, history, rng)
        again.truncate_after(history[-1].timestamp)
        assert _rows(archive_url, "ledger_archive_loose") == 0
        assert _rows(archive_url, "ledger_archive_pages") == sum(
            -(-run.entries // 2) for run in before
        )
        while again.compact_step():
            pass
        _check(again, history, rng)
    finally:
        again.close()


def ledger_archive_runs(archive: SqlHistoryArchive) -> tuple[ledger_archive.Run, ...]:
    return tuple(sorted(archive.runs, key=lambda run: run.run))


def _rows(url: str, table: str) -> int:
    tables = open_tables(url, "colony-test-count")
    try:
        with tables.session() as s:
            return int(s.execute(f"SELECT COUNT(*) FROM {table}").fetchone()[0])
    finally:
        tables.close()


@pytest.mark.parametrize(("time_ordered_ids", "merged_after_jobs"), [(True, 4), (False, 2)])
def test_runs_whose_keys_do_not_overlap_wait_for_more_of_them(
    archive_url: str, time_ordered_ids: bool, merged_after_jobs: int
) -> None:
    """Rising ids: each job's run of ids holds keys no other run holds, so they merge only
    once `disjoint_fan_in` gather; account lines overlap from job to job and merge at
    `fan_in`, and so do random ids (docs/adr/0079)."""
    rng = random.Random(11)
    archive = _archive(archive_url, 4, 2, 4)
    stream = _transfers(rng, 200, time_ordered_ids=time_ordered_ids)
    try:
        for jobs in range(1, 5):
            archive.write(_job([next(stream) for _ in range(5)]))
            while archive.compact_step():
                pass
            runs = ledger_archive_runs(archive)
            ids = [r.level for r in runs if r.kind == ledger_archive._IDS]
            lines = [r.level for r in runs if r.kind == ledger_archive._LINES]
            assert (max(lines) >= 1) == (jobs >= 2), (jobs, lines)
            assert (max(ids) >= 1) == (jobs >= merged_after_jobs), (jobs, ids)
    finally:
        archive.close()


def test_removing_a_retired_runs_pages_writes_no_zeros_to_the_wal(tmp_path: Path) -> None:
    """A merge writes its runs' entries again and retires the old pages. Removing them must
    not write each freed page to the WAL a second time, as zeros: SQLite built with
    SECURE_DELETE (Debian's is) did, doubling what the archive writes (docs/adr/0085)."""
    path = tmp_path / "journal.db"
    url = f"sqlite:///{path}"
    open_ledger(url, clock=ManualClock(), auto_pulse=False, checkpoints=NO_CHECKPOINTS).close()
    archive = _archive(url, 512, 2)  # pages of 12 KiB: each row spills over several pages
    stream = _transfers(random.Random(5), 20_000, time_ordered_ids=True)
    raw = sqlite3.connect(path)
    try:
        for _ in range(2):
            archive.write(_job([next(stream) for _ in range(10_000)]))
        while not archive.retired_runs:
            assert archive.compact_step()
        lines_run = archive.retired_runs[0]
        pages = int(
            raw.execute(
                "SELECT COUNT(*) FROM ledger_archive_pages WHERE run = ?", (lines_run,)
            ).fetchone()[0]
        )
        assert pages >= 30  # the account lines of 10,000 transfers, 512 entries a page
        raw.execute("PRAGMA wal_checkpoint(TRUNCATE)")
        assert archive.compact_step()  # the first piece of the retired pages, removed
        assert not raw.execute(
            "SELECT COUNT(*) FROM ledger_archive_pages WHERE run = ?", (lines_run,)
        ).fetchone()[0]
        _, frames, _ = raw.execute("PRAGMA wal_checkpoint(PASSIVE)").fetchone()
        # Zeroed, each page removed would be three or four frames: a few b-tree pages are.
        assert frames < pages, (frames, pages)
    finally:
        raw.close()
        archive.close()


def test_merges_behind_counts_the_runs_past_what_each_level_keeps(archive_url: str) -> None:
    """Jobs written with no merging between them: each kind's level keeps `fan_in - 1` runs,
    and every run past that is one the merges are behind by, until they catch up."""
    rng = random.Random(3)
    archive = _archive(archive_url, 4, 3, 3)
    stream = _transfers(rng, 200, time_ordered_ids=False)
    try:
        for jobs in range(1, 6):
            archive.write(_job([next(stream) for _ in range(5)]))
            # Two kinds a job (ids and account lines: no failures), each keeping two runs.
            assert archive.merges_behind() == 2 * max(0, jobs - 2), jobs
        while archive.compact_step():
            pass
        assert archive.merges_behind() == 0
        levels = sorted(r.level for r in archive.runs)
        assert levels == [0, 0, 0, 0, 1, 1], levels  # of each kind: three merged, two left
    finally:
        archive.close()


def test_merging_first_leaves_retired_pages_for_later(archive_url: str) -> None:
    """Behind, the archive merges before it removes the pages of runs a merge retired:
    removing them speeds no lookup, and takes as many steps as the merge did."""
    archive = _archive(archive_url, 2, 2, 2)
    stream = _transfers(random.Random(7), 200, time_ordered_ids=True)
    try:
        for _ in range(4):
            archive.write(_job([next(stream) for _ in range(6)]))
        while not archive.retired_runs:
            assert archive.compact_step()
        retired = archive.retired_runs
        assert archive.merges_behind() > 0
        while archive.merges_behind():
            assert archive.compact_step(merging_first=True)
            assert set(retired) <= set(archive.retired_runs)  # none removed meanwhile
        while archive.compact_step(merging_first=True):
            pass  # with no merge due, the retired pages go
        assert not archive.retired_runs
    finally:
        archive.close()

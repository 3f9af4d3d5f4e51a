"""The ledger's posted history on disk, on either backend (ledger/archive.py, docs/adr/0034,
docs/adr/0036).

Three kinds of rows hold the transfers, each written in large pieces so that archiving costs
well under a microsecond of Python a transfer and the tables never need a random insert:

- `ledger_archive_records`: the transfers' 128-byte codec records, in pages of
  `records_per_page` consecutive transfers keyed by the first one's timestamp;
- `ledger_archive_runs` and `ledger_archive_pages`: three indexes (ids, account lines, and
  ids burned by a transient failure), each a set of sorted runs cut into pages
  (storage/history_runs.py). Each job adds a run of each (of failures, if it has any); once
  `fan_in` runs gather at one level they are merged into one run of the next, a slice at a
  time, between jobs and, once they fall too far behind, ahead of the next (a log-structured
  merge, as the key-value stores do it; docs/adr/0086); runs whose keys
  do not overlap (rising ids) wait for `disjoint_fan_in` (docs/adr/0079). A lookup reads
  one page of each run whose key range may hold the key; with time-ordered ids that is one or
  two runs.

Outcomes and snapshots are few and stay rows (one per event). Failures are not few (a
festival's refusals can outnumber its transfers four to one), so they are runs: a row each
cost PostgreSQL three times the rest of a job (docs/adr/0076).

Two connections: one the archiving thread writes through, and one for reads, which the
writer's lookups and the queries share, so a read never waits behind a write. A run's pages
become visible only with its row in `ledger_archive_runs`, written in the transaction that
retires the runs it replaces (and, for a job, with the watermark); pages being written or no
longer used are listed in `ledger_archive_loose` and removed once no reader can be reading
them, or when the ledger next opens.
"""

from __future__ import annotations

import itertools
import struct
from collections.abc import Callable, Iterator, Sequence
from contextlib import contextmanager
from dataclasses import dataclass

from colony.kernel import lock_order
from colony.ledger import codec
from colony.ledger.archive import ArchiveJob, ArchivePolicy
from colony.ledger.history import Balances
from colony.ledger.model import Transfer, TransferPendingStatus
from colony.storage import history_runs as hr
from colony.storage.tables import Session, Tables

_MARK = "ledger_archived_through"
_POLICY = ArchivePolicy()  # the defaults, kept in one place
_BALANCES = struct.Struct("<8Q")  # four u128 as (low, high) halves
_EXPIRED = int(TransferPendingStatus.expired)
_IDS = 0  # run kinds
_LINES = 1
_FAILS = 2
_M64 = (1 << 64) - 1
_TOP = b"\xff" * 8  # after every timestamp of a key
_SIZE = codec.EVENT_SIZE_BYTES
# Pages one archive transaction writes at most (a page is 8 to 12 KiB), so the journal's
# commits never wait long behind one.
pages_per_transaction = 128
# Input pages a merge reads for one slice (one transaction): its memory, about 4 MiB.
merge_slice_pages = 256
# Pages read at a time when a run is rewritten whole (a truncation inside it).
rewrite_read_pages = 256
# Inputs a merge reads in one statement (`_slices`): a merge has `disjoint_fan_in` inputs
# or a few more, and SQLite refuses a statement of more than 500 selects.
union_selects_max = 100


@dataclass(frozen=True, slots=True)
class Run:
    run: int
    kind: int
    level: int
    first_timestamp: int
    last_timestamp: int
    entries: int
    first_key: bytes  # first and last entries (24 bytes each)
    last_key: bytes

    def may_hold(self, key: bytes) -> bool:
        return self.first_key[: hr.KEY_BYTES] <= key <= self.last_key[: hr.KEY_BYTES]


class SqlHistoryArchive:
    def __init__(
        self,
        write: Tables,
        read: Tables,
        *,
        records_per_page: int = 64,
        page_entries: int = _POLICY.page_entries,
        fan_in: int = _POLICY.merge_fan_in,
        disjoint_fan_in: int = _POLICY.merge_fan_in_disjoint,
    ) -> None:
        """`disjoint_fan_in`: how many runs of one level whose keys do not overlap gather
        before they are merged (`_next_merge`)."""
        if records_per_page < 1 or page_entries < 1 or fan_in < 2 or disjoint_fan_in < fan_in:
            raise ValueError(
                "records_per_page and page_entries must be >= 1, fan_in >= 2, "
                "disjoint_fan_in >= fan_in"
            )
        self._write = write
        self._read = read
        self.label = write.label
        self._records_per_page = records_per_page
        self._page_entries = page_entries
        self._fan_in = fan_in
        self._disjoint_fan_in = disjoint_fan_in
        # Readers pin the run list they started with; pages of retired runs are removed only
        # when no reader is left that might hold them.
        self._lock = lock_order.lock("archive runs")
        self._runs: tuple[Run, ...] = ()
        self._readers = 0
        self._loose: list[int] = []
        self._merging: Iterator[None] | None = None
        self._merging_run = 0
        with self._write.session() as s:
            if write.backend == "sqlite":
                # Debian's SQLite (and others) is built to zero every page a delete frees:
                # the pages of a retired run (copies of entries a merge wrote again) went
                # to the WAL a second time as zeros, and the checkpoint copied them back.
                # FAST zeroes what it can without writing more (docs/adr/0085).
                s.execute("PRAGMA secure_delete = FAST")
            self._runs = _load_runs(s)
            self._next_run = 1 + max(
                _max(s, "SELECT MAX(run) FROM ledger_archive_runs"),
                _max(s, "SELECT MAX(run) FROM ledger_archive_pages"),
                _max(s, "SELECT MAX(run) FROM ledger_archive_loose"),
            )

    @property
    def runs(self) -> tuple[Run, ...]:
        """The runs in use now, for reports and tests."""
        return self._runs

    def run_count(self) -> int:
        return len(self._runs)

    @property
    def retired_runs(self) -> tuple[int, ...]:
        """Runs a merge retired whose pages are still to be removed, for tests."""
        with self._lock:
            return tuple(self._loose)

    # ------------------------------------------------------------------------------ writes

    def archived_through(self) -> int:
        with self._read.session() as s:
            row = s.execute("SELECT value FROM colony_meta WHERE key = ?", (_MARK,)).fetchone()
        return int(row[0]) if row else 0

    def write(self, job: ArchiveJob) -> None:
        new_runs: list[tuple[Run, hr.Entries]] = []
        record_pages: list[tuple[int, bytes]] = []
        if job.transfers:
            if not job.records:
                job.records = codec.pack_transfers(job.transfers)
            records = job.records
            stamps = hr.record_timestamps(records)
            ids, lines = hr.job_entries(records)
            per = self._records_per_page
            record_pages = [
                (int(stamps[i]), records[i * _SIZE : (i + per) * _SIZE])
                for i in range(0, len(stamps), per)
            ]
            first, last = int(stamps[0]), int(stamps[-1])
            new_runs += [
                (self._run_of(_IDS, ids, first, last), ids),
                (self._run_of(_LINES, lines, first, last), lines),
            ]
        if job.failures:
            fails = hr.failure_entries(job.failures)
            job.failure_entries = fails.tobytes()
            new_runs.append((self._run_of(_FAILS, fails, *hr.time_range(fails)), fails))
        # One transaction: a job is a few MiB written in large rows, so the journal's commits
        # wait at most a few milliseconds behind it, and the job costs one sync, not several.
        with self._write.transaction() as s:
            if record_pages:
                s.executemany(
                    "INSERT INTO ledger_archive_records (first_timestamp, records) VALUES (?, ?)",
                    record_pages,
                )
            for run, entries in new_runs:
                s.executemany(
                    "INSERT INTO ledger_archive_pages (run, first_key, entries) VALUES (?, ?, ?)",
                    [(run.run, k, page) for k, page in hr.cut_pages(entries, self._page_entries)],
                )
                _insert_run(s, run)
            if job.outcomes:
                s.executemany(
                    "INSERT INTO ledger_archive_outcomes (pending_id, status, timestamp,"
                    " debit_account_id, credit_account_id) VALUES (?, ?, ?, ?, ?)"
                    " ON CONFLICT DO NOTHING",
                    [
                        (hr.key_bytes(p), status, ts, hr.key_bytes(dr), hr.key_bytes(cr))
                        for p, status, ts, dr, cr in job.outcomes
                    ],
                )
            if job.snapshots:
                s.executemany(
                    "INSERT INTO ledger_archive_snapshots (account_id, timestamp, balances)"
                    " VALUES (?, ?, ?) ON CONFLICT DO NOTHING",
                    [(hr.key_bytes(a), ts, _pack_balances(b)) for a, ts, b in job.snapshots],
                )
            _set_mark(s, job.through)
        with self._lock:
            self._runs = self._runs + tuple(run for run, _ in new_runs)

    def _run_of(self, kind: int, entries: hr.Entries, first: int, last: int) -> Run:
        # Slices, not items: numpy's bytes scalar would drop an entry's trailing zero bytes.
        first_key, last_key = entries[:1].tobytes(), entries[-1:].tobytes()
        run_id = self._take_run_ids(1)[0]
        return Run(run_id, kind, 0, first, last, len(entries), first_key, last_key)

    def compact_step(self, *, merging_first: bool = False) -> bool:
        """One slice of housekeeping (one transaction): removing retired pages, or merging;
        False when there is nothing to do. `merging_first`: a merge's slice before any
        removal, for when the merges are behind (removing pages speeds no lookup, and
        after a merge it is as many steps as the merge took: docs/adr/0086)."""
        if not merging_first and self._remove_loose():
            return True
        if self._merging is None:
            plan = self._next_merge()
            if plan is None:
                return merging_first and self._remove_loose()
            self._merging = self._merge(plan)
        try:
            next(self._merging)
        except StopIteration:
            self._merging = None
        except BaseException:
            # The half-written run is listed loose: its pages go at the next removal.
            self._merging = None
            with self._lock:
                self._loose.append(self._merging_run)
            raise
        return True

    def truncate_after(self, timestamp: int) -> None:
        """Cut the archive back (on open, before any other use): the watermark first, so a
        crash part-way leaves an archive that claims no more than it holds."""
        with self._write.transaction() as s:
            row = s.execute("SELECT value FROM colony_meta WHERE key = ?", (_MARK,)).fetchone()
            if row is None or int(row[0]) > timestamp:
                _set_mark(s, timestamp)
        self._merging = None
        with self._write.transaction() as s:
            s.execute(
                "DELETE FROM ledger_archive_pages WHERE run IN"
                " (SELECT run FROM ledger_archive_loose)"
            )
            s.execute("DELETE FROM ledger_archive_loose")
            for table in ("ledger_archive_outcomes", "ledger_archive_snapshots"):
                s.execute(f"DELETE FROM {table} WHERE timestamp > ?", (timestamp,))
            s.execute("DELETE FROM ledger_archive_records WHERE first_timestamp > ?", (timestamp,))
            row = s.execute(
                "SELECT first_timestamp, records FROM ledger_archive_records"
                " ORDER BY first_timestamp DESC LIMIT 1"
            ).fetchone()
            if row is not None:
                page = bytes(row[1])
                kept = hr.records_through(page, timestamp)
                if kept * _SIZE < len(page):
                    s.execute(
                        "UPDATE ledger_archive_records SET records = ? WHERE first_timestamp = ?",
                        (page[: kept * _SIZE], row[0]),
                    )
        with self._lock:
            self._loose.clear()
        for run in self._runs:
            if run.first_timestamp > timestamp:
                self._retire([run], None)
            elif run.last_timestamp > timestamp:
                self._retire([run], self._rewrite_below(run, timestamp))
        while self._remove_loose():
            pass

    # ------------------------------------------------------------------------------ reads

    def transfer(self, transfer_id: int) -> Transfer | None:
        with self._pinned() as runs, self._read.session() as s:
            return _transfer_in(s, runs, transfer_id)

    def has_transfer_at(self, timestamp: int) -> bool:
        with self._read.session() as s:
            return _record_at(s, timestamp) is not None

    def transfers_after(self, after_timestamp: int, through: int, limit: int) -> list[Transfer]:
        if limit < 1 or after_timestamp >= through:
            return []
        # Pages hold up to `records_per_page` records (a job's last page may hold fewer), so
        # read until enough are found.
        pages = -(-limit // self._records_per_page) + 1
        found: list[Transfer] = []
        with self._read.session() as s:
            start = _floor_records(s, after_timestamp + 1)
            while len(found) < limit:
                rows = s.execute(
                    "SELECT first_timestamp, records FROM ledger_archive_records"
                    " WHERE first_timestamp >= ? AND first_timestamp <= ?"
                    " ORDER BY first_timestamp LIMIT ?",
                    (start, through, pages),
                ).fetchall()
                body = b"".join(bytes(r[1]) for r in rows)
                lo = hr.records_through(body, after_timestamp)
                hi = hr.records_through(body, through)
                found += codec.unpack_transfers(body[lo * _SIZE : hi * _SIZE])
                if len(rows) < pages:
                    break
                start = int(rows[-1][0]) + 1
        return found[:limit]

    def outcome(self, pending_id: int) -> tuple[int, int] | None:
        with self._read.session() as s:
            row = s.execute(
                "SELECT status, timestamp FROM ledger_archive_outcomes WHERE pending_id = ?",
                (hr.key_bytes(pending_id),),
            ).fetchone()
        return (int(row[0]), int(row[1])) if row else None

    def failed_at(self, transfer_id: int) -> int | None:
        with self._pinned() as runs, self._read.session() as s:
            return _find_in(s, runs, _FAILS, hr.key_bytes(transfer_id))

    def account_lines(
        self, account_id: int, after_timestamp: int, through: int, limit: int
    ) -> list[tuple[int, Transfer, bool]]:
        if limit < 1 or after_timestamp >= through:
            return []
        key = hr.key_bytes(account_id)
        low = key + (after_timestamp + 1).to_bytes(8, "big")
        high = key + through.to_bytes(8, "big")
        stamps: list[int] = []
        with self._pinned() as runs, self._read.session() as s:
            for run in _line_runs(runs, key, after_timestamp, through, newest_first=False):
                need = limit - len(stamps)
                rows = s.execute(
                    "SELECT entries FROM ledger_archive_pages WHERE run = ? AND first_key >= ?"
                    " AND first_key <= ? ORDER BY first_key LIMIT ?",
                    (run.run, _floor_key(s, run.run, low) or low, high, self._pages_for(need)),
                ).fetchall()
                for (page,) in rows:
                    stamps += hr.timestamps_of(bytes(page), key, after_timestamp, through)
                if len(stamps) >= limit:
                    break
            expiries = s.execute(
                "SELECT timestamp, pending_id FROM ledger_archive_outcomes"
                " WHERE (debit_account_id = ? OR credit_account_id = ?) AND status = ?"
                " AND timestamp > ? AND timestamp <= ? ORDER BY timestamp LIMIT ?",
                (key, key, _EXPIRED, after_timestamp, through, limit),
            ).fetchall()
            return self._lines(s, runs, stamps[:limit], expiries, False, limit)

    def account_lines_before(
        self, account_id: int, before_timestamp: int, limit: int
    ) -> list[tuple[int, Transfer, bool]]:
        if limit < 1 or before_timestamp < 1:
            return []
        key = hr.key_bytes(account_id)
        high = key + (before_timestamp - 1).to_bytes(8, "big")
        stamps: list[int] = []
        with self._pinned() as runs, self._read.session() as s:
            for run in _line_runs(runs, key, 0, before_timestamp - 1, newest_first=True):
                need = limit - len(stamps)
                rows = s.execute(
                    "SELECT entries FROM ledger_archive_pages WHERE run = ? AND first_key <= ?"
                    " ORDER BY first_key DESC LIMIT ?",
                    (run.run, high, self._pages_for(need)),
                ).fetchall()
                found: list[int] = []
                for (page,) in reversed(rows):
                    found += hr.timestamps_of(bytes(page), key, 0, before_timestamp - 1)
                stamps += reversed(found)
                if len(stamps) >= limit:
                    break
            expiries = s.execute(
                "SELECT timestamp, pending_id FROM ledger_archive_outcomes"
                " WHERE (debit_account_id = ? OR credit_account_id = ?) AND status = ?"
                " AND timestamp < ? ORDER BY timestamp DESC LIMIT ?",
                (key, key, _EXPIRED, before_timestamp, limit),
            ).fetchall()
            return self._lines(s, runs, stamps[:limit], expiries, True, limit)

    def snapshot_before(self, account_id: int, timestamp: int) -> tuple[int, Balances] | None:
        with self._read.session() as s:
            row = s.execute(
                "SELECT timestamp, balances FROM ledger_archive_snapshots"
                " WHERE account_id = ? AND timestamp <= ? ORDER BY timestamp DESC LIMIT 1",
                (hr.key_bytes(account_id), timestamp),
            ).fetchone()
        if row is None:
            return None
        f = _BALANCES.unpack(bytes(row[1]))
        return int(row[0]), (
            f[0] | f[1] << 64,
            f[2] | f[3] << 64,
            f[4] | f[5] << 64,
            f[6] | f[7] << 64,
        )

    def close(self) -> None:
        self._write.close()
        self._read.close()

    # ------------------------------------------------------------------------------ inside

    def _pages_for(self, entries: int) -> int:
        """Pages to read to find `entries` consecutive entries from any starting point."""
        return -(-entries // self._page_entries) + 1

    def _lines(
        self,
        s: Session,
        runs: tuple[Run, ...],
        stamps: list[int],
        expiries: Sequence[tuple[int, bytes]],
        newest_first: bool,
        limit: int,
    ) -> list[tuple[int, Transfer, bool]]:
        lines: list[tuple[int, Transfer, bool]] = []
        for ts in stamps:
            t = _record_at(s, ts)
            if t is None:
                raise LookupError(f"archived line at {ts} has no transfer record")
            lines.append((ts, t, False))
        for ts, pending_id in expiries:
            p = _transfer_in(s, runs, int.from_bytes(bytes(pending_id), "big"))
            if p is None:
                raise LookupError(f"archived expiry at {ts} has no pending transfer")
            lines.append((int(ts), p, True))
        lines.sort(key=lambda line: line[0], reverse=newest_first)
        return lines[:limit]

    @contextmanager
    def _pinned(self) -> Iterator[tuple[Run, ...]]:
        with self._lock:
            self._readers += 1
            runs = self._runs
        try:
            yield runs
        finally:
            with self._lock:
                self._readers -= 1

    def _take_run_ids(self, n: int) -> list[int]:
        first = self._next_run
        self._next_run += n
        return list(range(first, first + n))

    def _write_pages(self, run_id: int, pages: Iterator[tuple[bytes, bytes]]) -> None:
        batch: list[tuple[int, bytes, bytes]] = []
        for first_key, page in pages:
            batch.append((run_id, first_key, page))
            if len(batch) == pages_per_transaction:
                self._insert_pages(batch)
                batch = []
        if batch:
            self._insert_pages(batch)

    def _insert_pages(self, rows: list[tuple[int, bytes, bytes]]) -> None:
        with self._write.transaction() as s:
            s.executemany(
                "INSERT INTO ledger_archive_pages (run, first_key, entries) VALUES (?, ?, ?)",
                rows,
            )

    def _next_merge(self) -> tuple[int, list[Run]] | None:
        """The oldest `fan_in` runs of the lowest level that has that many, of one kind; or,
        where a level's runs hold keys that do not overlap (ids that rise with time, as
        clients should make them), its oldest `disjoint_fan_in`: a lookup reads one page of
        one such run however many there are, so merging them sooner would only rewrite
        entries (docs/adr/0079)."""
        for of_kind, at, fan_in in self._levels(self._runs):
            if len(at) >= fan_in:
                first, last = at[0], at[fan_in - 1]
                # Runs stay disjoint in time: a merge takes every run between its first and
                # last (there are none of other levels but after a cut), whatever its level.
                inputs = of_kind[first : last + 1]
                level = of_kind[first].level
                return max(level + 1, *(r.level for r in inputs)), inputs
        return None

    def merges_behind(self) -> int:
        """Runs past what the merge policy keeps at their level: 0 while the merges keep up
        with the writes. Each run of account lines past it is a page more that a statement
        may read (ids' and failures' lookups read one page of one run however many)."""
        return sum(max(0, len(at) - fan_in + 1) for _, at, fan_in in self._levels(self._runs))

    def _levels(self, runs: tuple[Run, ...]) -> Iterator[tuple[list[Run], list[int], int]]:
        """For each level of each kind: the kind's runs oldest first, the level's places
        among them, and the level's fan-in (`disjoint_fan_in` where its oldest runs' keys do
        not overlap)."""
        for kind in (_IDS, _LINES, _FAILS):
            of_kind = sorted((r for r in runs if r.kind == kind), key=_oldest_first)
            for level in sorted({r.level for r in of_kind}):
                at = [i for i, r in enumerate(of_kind) if r.level == level]
                oldest = [of_kind[i] for i in at[: self._disjoint_fan_in]]
                disjoint = len(at) >= self._fan_in and _disjoint(oldest)
                yield of_kind, at, self._disjoint_fan_in if disjoint else self._fan_in

    def _merge(self, plan: tuple[int, list[Run]]) -> Iterator[None]:
        level, inputs = plan
        out = self._new_run()
        self._merging_run = out.run_id
        with self._write.session() as s:
            marks = ",".join("?" * len(inputs))
            fences = sorted(
                bytes(row[0])
                for row in s.execute(
                    f"SELECT first_key FROM ledger_archive_pages WHERE run IN ({marks})",
                    [r.run for r in inputs],
                ).fetchall()
            )
        yield
        bounds: list[bytes | None] = [None, *fences[merge_slice_pages::merge_slice_pages], None]
        # Each input's last page read so far: the next slice starts there (it may hold
        # entries past the slice's end), so no input needs its own query to find its floor.
        last_read: dict[int, bytes | None] = {r.run: None for r in inputs}
        for low, high in itertools.pairwise(bounds):
            with self._write.session() as s:
                pages = _slices(s, last_read, high)
            parts = [hr.within(hr.from_pages(pages[r.run]), low, high) for r in inputs]
            out.add(parts, last=high is None)
            yield
        first = min(r.first_timestamp for r in inputs)
        self._retire(
            inputs, out.run(inputs[0].kind, level, first, max(r.last_timestamp for r in inputs))
        )

    def _rewrite_below(self, run: Run, timestamp: int) -> Run | None:
        """A copy of a run without its entries after `timestamp` (None: nothing is left)."""
        out = self._new_run()
        after: bytes | None = None
        while True:
            with self._write.session() as s:
                rows = s.execute(
                    "SELECT first_key, entries FROM ledger_archive_pages WHERE run = ?"
                    + (" AND first_key > ?" if after is not None else "")
                    + " ORDER BY first_key LIMIT ?",
                    (run.run, after, rewrite_read_pages)
                    if after is not None
                    else (run.run, rewrite_read_pages),
                ).fetchall()
            last = len(rows) < rewrite_read_pages
            if rows:
                after = bytes(rows[-1][0])
            out.add([hr.below(hr.from_pages(bytes(r[1]) for r in rows), timestamp)], last=last)
            if last:
                break
        if not out.entries:
            with self._lock:
                self._loose.append(out.run_id)
            return None
        return out.run(run.kind, run.level, run.first_timestamp, min(run.last_timestamp, timestamp))

    def _new_run(self) -> _RunPages:
        """A run to write, listed loose until it is made visible (or, unfinished, removed)."""
        run_id = self._take_run_ids(1)[0]
        with self._write.transaction() as s:
            s.execute("INSERT INTO ledger_archive_loose (run) VALUES (?)", (run_id,))
        return _RunPages(run_id, self._page_entries, self._write_pages)

    def _retire(self, old: list[Run], new: Run | None) -> None:
        """Make `new` visible in place of `old`, in one transaction; `old`'s pages go once no
        reader may hold them."""
        with self._write.transaction() as s:
            if new is not None:
                _insert_run(s, new)
                s.execute("DELETE FROM ledger_archive_loose WHERE run = ?", (new.run,))
            for run in old:
                s.execute("DELETE FROM ledger_archive_runs WHERE run = ?", (run.run,))
                s.execute("INSERT INTO ledger_archive_loose (run) VALUES (?)", (run.run,))
        gone = {r.run for r in old}
        with self._lock:
            kept = tuple(r for r in self._runs if r.run not in gone)
            self._runs = kept + ((new,) if new is not None else ())
            self._loose += sorted(gone)

    def _remove_loose(self) -> bool:
        """Remove a piece (one transaction) of the pages of retired runs, once no reader may
        hold them; True if there was one. In pieces: a retired run may have tens of
        thousands of pages, and neither jobs nor the journal's commits should wait long."""
        with self._lock:
            if self._readers or not self._loose:
                return False
            run_id = self._loose[0]
        with self._write.transaction() as s:
            gone = s.execute(
                "DELETE FROM ledger_archive_pages WHERE run = ? AND first_key IN"
                " (SELECT first_key FROM ledger_archive_pages WHERE run = ?"
                " ORDER BY first_key LIMIT ?)",
                (run_id, run_id, pages_per_transaction),
            ).rowcount
            done = gone < pages_per_transaction
            if done:
                s.execute("DELETE FROM ledger_archive_loose WHERE run = ?", (run_id,))
        if done:
            with self._lock:
                self._loose.remove(run_id)
        return True


def _transfer_in(s: Session, runs: tuple[Run, ...], transfer_id: int) -> Transfer | None:
    timestamp = _find_in(s, runs, _IDS, hr.key_bytes(transfer_id))
    return None if timestamp is None else _record_at(s, timestamp)


def _find_in(s: Session, runs: tuple[Run, ...], kind: int, key: bytes) -> int | None:
    """The timestamp a key points at in an index: in each run of the kind whose key range
    holds the key, newest first, the floor page."""
    for run in reversed(runs):
        if run.kind != kind or not run.may_hold(key):
            continue
        row = s.execute(
            "SELECT entries FROM ledger_archive_pages WHERE run = ? AND first_key <= ?"
            " ORDER BY first_key DESC LIMIT 1",
            (run.run, key + _TOP),
        ).fetchone()
        timestamp = hr.find_key(bytes(row[0]), key) if row else None
        if timestamp is not None:
            return timestamp
    return None


class _RunPages:
    """A new run's pages, written as its entries arrive in key order: full pages at once, the
    rest carried until more come or the run ends."""

    def __init__(
        self,
        run_id: int,
        page_entries: int,
        write_pages: Callable[[int, Iterator[tuple[bytes, bytes]]], None],
    ) -> None:
        self.run_id = run_id
        self._page_entries = page_entries
        self._write_pages = write_pages
        self._carry = hr.from_pages([])
        self.entries = 0
        self._first_key = b""
        self._last_key = b""

    def add(self, parts: list[hr.Entries], *, last: bool) -> None:
        """Sorted entries, all after those added before; `last`: the run ends with them."""
        merged = hr.merge([self._carry, *parts])
        size = self._page_entries
        full = len(merged) if last else len(merged) // size * size
        out, self._carry = merged[:full], merged[full:]
        if len(out):
            raw = out.tobytes()
            self._first_key = self._first_key or raw[: hr.ENTRY_BYTES]
            self._last_key = raw[-hr.ENTRY_BYTES :]
            self.entries += len(out)
            self._write_pages(self.run_id, hr.cut_pages(out, size))

    def run(self, kind: int, level: int, first_timestamp: int, last_timestamp: int) -> Run:
        return Run(
            self.run_id,
            kind,
            level,
            first_timestamp,
            last_timestamp,
            self.entries,
            self._first_key,
            self._last_key,
        )


def _oldest_first(run: Run) -> int:
    return run.first_timestamp


def _disjoint(runs: list[Run]) -> bool:
    """Whether no key lies in the key range of two of these runs."""
    ordered = sorted(runs, key=lambda r: r.first_key)
    return all(
        a.last_key[: hr.KEY_BYTES] < b.first_key[: hr.KEY_BYTES]
        for a, b in itertools.pairwise(ordered)
    )


def _line_runs(
    runs: tuple[Run, ...], key: bytes, after: int, through: int, *, newest_first: bool
) -> list[Run]:
    """The account lines runs that may hold `key` with after < timestamp <= through, in time
    order (runs of a kind are disjoint in time)."""
    return sorted(
        (
            r
            for r in runs
            if r.kind == _LINES
            and r.last_timestamp > after
            and r.first_timestamp <= through
            and r.may_hold(key)
        ),
        key=_oldest_first,
        reverse=newest_first,
    )


def _max(s: Session, sql: str) -> int:
    row = s.execute(sql).fetchone()
    return int(row[0]) if row and row[0] is not None else 0


def _load_runs(s: Session) -> tuple[Run, ...]:
    rows = s.execute(
        "SELECT run, kind, level, first_timestamp, last_timestamp, entries, first_key, last_key"
        " FROM ledger_archive_runs ORDER BY run"
    ).fetchall()
    return tuple(
        Run(
            int(r[0]),
            int(r[1]),
            int(r[2]),
            int(r[3]),
            int(r[4]),
            int(r[5]),
            bytes(r[6]),
            bytes(r[7]),
        )
        for r in rows
    )


def _insert_run(s: Session, run: Run) -> None:
    s.execute(
        "INSERT INTO ledger_archive_runs (run, kind, level, first_timestamp, last_timestamp,"
        " entries, first_key, last_key) VALUES (?, ?, ?, ?, ?, ?, ?, ?)",
        (
            run.run,
            run.kind,
            run.level,
            run.first_timestamp,
            run.last_timestamp,
            run.entries,
            run.first_key,
            run.last_key,
        ),
    )


def _floor_key(s: Session, run_id: int, key: bytes) -> bytes | None:
    """The first entry of the run's page that would hold `key` (None: before every page)."""
    row = s.execute(
        "SELECT first_key FROM ledger_archive_pages WHERE run = ? AND first_key <= ?"
        " ORDER BY first_key DESC LIMIT 1",
        (run_id, key),
    ).fetchone()
    return bytes(row[0]) if row else None


def _slices(
    s: Session, last_read: dict[int, bytes | None], high: bytes | None
) -> dict[int, list[bytes]]:
    """Each run's pages from the last one read (`last_read`, None: from its first) up to
    `high` (None: to its end), in key order, read in one statement: a merge's inputs are up
    to `merge_fan_in` runs, and a query each was as many round trips a slice on PostgreSQL
    (docs/adr/0086). `last_read` moves to each run's last page read."""
    found: list[tuple[int, bytes, bytes]] = []
    runs = list(last_read.items())
    for at in range(0, len(runs), union_selects_max):
        selects: list[str] = []
        args: list[object] = []
        for run_id, start in runs[at : at + union_selects_max]:
            sql = "SELECT run, first_key, entries FROM ledger_archive_pages WHERE run = ?"
            args.append(run_id)
            if start is not None:
                sql += " AND first_key >= ?"
                args.append(start)
            if high is not None:
                sql += " AND first_key < ?"
                args.append(high)
            selects.append(sql)
        rows = s.execute(" UNION ALL ".join(selects), args).fetchall()
        found += ((int(run), bytes(key), bytes(entries)) for run, key, entries in rows)
    found.sort(key=lambda row: (row[0], row[1]))
    pages: dict[int, list[bytes]] = {run_id: [] for run_id in last_read}
    for run_id, key, entries in found:
        pages[run_id].append(entries)
        last_read[run_id] = key
    return pages


def _floor_records_row(s: Session, timestamp: int) -> tuple[int, bytes] | None:
    """The records page that would hold `timestamp` (its first timestamp and records)."""
    row = s.execute(
        "SELECT first_timestamp, records FROM ledger_archive_records WHERE first_timestamp <= ?"
        " ORDER BY first_timestamp DESC LIMIT 1",
        (timestamp,),
    ).fetchone()
    return (int(row[0]), bytes(row[1])) if row else None


def _floor_records(s: Session, timestamp: int) -> int:
    """The first timestamp of the records page that would hold `timestamp`."""
    row = _floor_records_row(s, timestamp)
    return row[0] if row else timestamp


def _record_at(s: Session, timestamp: int) -> Transfer | None:
    row = _floor_records_row(s, timestamp)
    if row is None:
        return None
    page = row[1]
    i = hr.records_through(page, timestamp) - 1
    if i < 0 or int(hr.record_timestamps(page)[i]) != timestamp:
        return None
    return codec.unpack_transfers(page[i * _SIZE : (i + 1) * _SIZE])[0]


def _pack_balances(b: Balances) -> bytes:
    return _BALANCES.pack(
        b[0] & _M64,
        b[0] >> 64,
        b[1] & _M64,
        b[1] >> 64,
        b[2] & _M64,
        b[2] >> 64,
        b[3] & _M64,
        b[3] >> 64,
    )


def _set_mark(s: Session, timestamp: int) -> None:
    s.execute(
        "INSERT INTO colony_meta (key, value) VALUES (?, ?)"
        " ON CONFLICT (key) DO UPDATE SET value = excluded.value",
        (_MARK, str(timestamp)),
    )

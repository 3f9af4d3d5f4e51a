"""The ledger's posted history on disk, on either backend (ledger/archive.py, docs/adr/0034).

Two connections: one the archiving thread writes a job through, in one transaction with the
watermark, and one for reads, which the writer's lookups and the queries share, so a read
never waits behind a job being written (SQLite's WAL and PostgreSQL's MVCC both let a reader
see the last committed state meanwhile).
"""

from __future__ import annotations

import struct

from colony.ledger import codec
from colony.ledger.archive import ArchiveJob
from colony.ledger.history import Balances
from colony.ledger.model import Transfer, TransferPendingStatus
from colony.storage.tables import Session, Tables

_MARK = "ledger_archived_through"
_EXPIRED = int(TransferPendingStatus.expired)
_BALANCES = struct.Struct("<8Q")  # four u128 as (low, high) halves
_M64 = (1 << 64) - 1
# Rows one archive transaction writes at most: a job is written in several, the watermark in
# the last, so the journal's commits never wait long behind one.
rows_per_transaction = 4_096


def _key(value: int) -> bytes:
    return value.to_bytes(16, "big")


class SqlHistoryArchive:
    def __init__(self, write: Tables, read: Tables) -> None:
        self._write = write
        self._read = read
        self.label = write.label

    def archived_through(self) -> int:
        with self._read.session() as s:
            row = s.execute("SELECT value FROM colony_meta WHERE key = ?", (_MARK,)).fetchone()
        return int(row[0]) if row else 0

    def write(self, job: ArchiveJob) -> None:
        # Rows past the watermark that a crash leaves behind are removed when the ledger next
        # opens (it cuts the archive back to its checkpoint), so a job may span transactions.
        transfers = job.transfers
        records = codec.pack_transfers(transfers)
        size = codec.EVENT_SIZE_BYTES
        rows = [
            (
                t.timestamp,
                t.id.to_bytes(16, "big"),
                t.debit_account_id.to_bytes(16, "big"),
                t.credit_account_id.to_bytes(16, "big"),
                records[i * size : (i + 1) * size],
            )
            for i, t in enumerate(transfers)
        ]
        for start in range(0, len(rows), rows_per_transaction):
            with self._write.transaction() as s:
                s.executemany(
                    "INSERT INTO ledger_archive_transfers (timestamp, id, debit_account_id,"
                    " credit_account_id, record) VALUES (?, ?, ?, ?, ?) ON CONFLICT DO NOTHING",
                    rows[start : start + rows_per_transaction],
                )
        with self._write.transaction() as s:
            if job.outcomes:
                s.executemany(
                    "INSERT INTO ledger_archive_outcomes (pending_id, status, timestamp,"
                    " debit_account_id, credit_account_id) VALUES (?, ?, ?, ?, ?)"
                    " ON CONFLICT DO NOTHING",
                    [
                        (_key(p), status, ts, _key(dr), _key(cr))
                        for p, status, ts, dr, cr in job.outcomes
                    ],
                )
            if job.snapshots:
                s.executemany(
                    "INSERT INTO ledger_archive_snapshots (account_id, timestamp, balances)"
                    " VALUES (?, ?, ?) ON CONFLICT DO NOTHING",
                    [(_key(a), ts, _pack_balances(b)) for a, ts, b in job.snapshots],
                )
            if job.failures:
                s.executemany(
                    "INSERT INTO ledger_archive_failures (id, result, timestamp)"
                    " VALUES (?, ?, ?) ON CONFLICT DO NOTHING",
                    [(_key(t), result, ts) for t, result, ts in job.failures],
                )
            _set_mark(s, job.through)

    def truncate_after(self, timestamp: int) -> None:
        with self._write.transaction() as s:
            for table in (
                "ledger_archive_transfers",
                "ledger_archive_outcomes",
                "ledger_archive_snapshots",
                "ledger_archive_failures",
            ):
                s.execute(f"DELETE FROM {table} WHERE timestamp > ?", (timestamp,))
            row = s.execute("SELECT value FROM colony_meta WHERE key = ?", (_MARK,)).fetchone()
            if row is None or int(row[0]) > timestamp:
                _set_mark(s, timestamp)

    def transfer(self, transfer_id: int) -> Transfer | None:
        with self._read.session() as s:
            row = s.execute(
                "SELECT record FROM ledger_archive_transfers WHERE id = ?", (_key(transfer_id),)
            ).fetchone()
        return codec.unpack_transfers(bytes(row[0]))[0] if row else None

    def has_transfer_at(self, timestamp: int) -> bool:
        with self._read.session() as s:
            row = s.execute(
                "SELECT 1 FROM ledger_archive_transfers WHERE timestamp = ?", (timestamp,)
            ).fetchone()
        return row is not None

    def transfers_after(self, after_timestamp: int, through: int, limit: int) -> list[Transfer]:
        with self._read.session() as s:
            rows = s.execute(
                "SELECT record FROM ledger_archive_transfers WHERE timestamp > ?"
                " AND timestamp <= ? ORDER BY timestamp LIMIT ?",
                (after_timestamp, through, limit),
            ).fetchall()
        return codec.unpack_transfers(b"".join(bytes(r[0]) for r in rows))

    def outcome(self, pending_id: int) -> tuple[int, int] | None:
        with self._read.session() as s:
            row = s.execute(
                "SELECT status, timestamp FROM ledger_archive_outcomes WHERE pending_id = ?",
                (_key(pending_id),),
            ).fetchone()
        return (int(row[0]), int(row[1])) if row else None

    def failure(self, transfer_id: int) -> int | None:
        with self._read.session() as s:
            row = s.execute(
                "SELECT result FROM ledger_archive_failures WHERE id = ?", (_key(transfer_id),)
            ).fetchone()
        return int(row[0]) if row else None

    def account_lines(
        self, account_id: int, after_timestamp: int, through: int, limit: int
    ) -> list[tuple[int, Transfer, bool]]:
        return self._lines(account_id, "> ? AND {ts} <= ?", (after_timestamp, through), "", limit)

    def account_lines_before(
        self, account_id: int, before_timestamp: int, limit: int
    ) -> list[tuple[int, Transfer, bool]]:
        return self._lines(account_id, "< ?", (before_timestamp,), " DESC", limit)

    def _lines(
        self,
        account_id: int,
        bound: str,
        args: tuple[int, ...],
        order: str,
        limit: int,
    ) -> list[tuple[int, Transfer, bool]]:
        key = _key(account_id)
        t_bound = "timestamp " + bound.format(ts="timestamp")
        o_bound = "o.timestamp " + bound.format(ts="o.timestamp")
        parts = [
            f"SELECT timestamp, record, 0 FROM ledger_archive_transfers"
            f" WHERE debit_account_id = ? AND {t_bound}",
            f"SELECT timestamp, record, 0 FROM ledger_archive_transfers"
            f" WHERE credit_account_id = ? AND {t_bound}",
            f"SELECT o.timestamp, t.record, 1 FROM ledger_archive_outcomes o"
            f" JOIN ledger_archive_transfers t ON t.id = o.pending_id"
            f" WHERE o.debit_account_id = ? AND o.status = {_EXPIRED} AND {o_bound}",
            f"SELECT o.timestamp, t.record, 1 FROM ledger_archive_outcomes o"
            f" JOIN ledger_archive_transfers t ON t.id = o.pending_id"
            f" WHERE o.credit_account_id = ? AND o.status = {_EXPIRED} AND {o_bound}",
        ]
        sql = (
            " UNION ALL ".join(
                f"SELECT * FROM ({p} ORDER BY 1{order} LIMIT ?) AS p{i}"
                for i, p in enumerate(parts)
            )
            + f" ORDER BY 1{order} LIMIT ?"
        )
        params: list[object] = []
        for _ in parts:
            params += [key, *args, limit]
        params.append(limit)
        with self._read.session() as s:
            rows = s.execute(sql, params).fetchall()
        return [
            (int(ts), codec.unpack_transfers(bytes(record))[0], bool(expiry))
            for ts, record, expiry in rows
        ]

    def snapshot_before(self, account_id: int, timestamp: int) -> tuple[int, Balances] | None:
        with self._read.session() as s:
            row = s.execute(
                "SELECT timestamp, balances FROM ledger_archive_snapshots"
                " WHERE account_id = ? AND timestamp <= ? ORDER BY timestamp DESC LIMIT 1",
                (_key(account_id), timestamp),
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
